"""Exports for front ends that need the graph: the facts with every estimate
computed, as JSON-LD or as nanopublications (optionally signed). The graph is
cached with the compiled knowledge base's key, so a warm export parses no
Turtle and computes no estimate."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, URIRef

from derive import __version__
from derive.api.exports import Export
from derive.engine.compiled import load
from derive.errors import UsageError
from derive.export import jsonld, nanopubs, rows, signing
from derive.export.select import Selection, select
from derive.kb import cache, store
from derive.kb.locate import KnowledgeBase
from derive.kb.namespaces import PREFIXES

if TYPE_CHECKING:
    from derive.kb.model import Model

FORMATS = ("jsonld", "nanopub")


def export(kb: KnowledgeBase, fmt: str, names: Iterable[str] = (), *,
           sign_key: Path | None = None, orcid: str | None = None) -> Export:
    """The knowledge base (or what ``names`` select) as ``jsonld`` or ``nanopub``."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if sign_key is not None and fmt != "nanopub":
        raise UsageError("--sign applies to nanopublications only: "
                         "derive export nanopub --sign KEY")
    model = load(kb).model
    chosen = select(model, names)
    if fmt == "jsonld":
        table = full_rows(kb, model)
        if not chosen.everything:
            table = rows.rows(subgraph(rows.graph(table, store.new_graph()), chosen))
        return Export(jsonld.render(table), len(table), "triple")
    return _nanopubs(kb, full_graph(kb, model), chosen, sign_key, orcid)


def full_rows(kb: KnowledgeBase, model: Model | None = None) -> list[rows.Row]:
    """The facts (without the ontology) and every estimate computed, as PROV-O,
    in rows of strings (cached)."""
    cached = cache.read(kb, "export-graph")
    if isinstance(cached, list):
        return cached
    # The cache boundary: a miss parses the facts and computes every estimate.
    from derive.api.checked import load_checked
    from derive.engine import provenance
    from derive.engine.outcomes import all_estimates

    compiled = load_checked(kb)
    graph = store.load(kb, kb.fact_files()).graph
    graph += provenance.results_graph(all_estimates(compiled), model or compiled.model)
    table = rows.rows(graph)
    cache.write(kb, table, "export-graph")
    return table


def full_graph(kb: KnowledgeBase, model: Model | None = None) -> Graph:
    """The same as an rdflib graph."""
    return rows.graph(full_rows(kb, model), store.new_graph())


def subgraph(graph: Graph, chosen: Selection) -> Graph:
    """The statements about what ``chosen`` holds: each claim, source and
    estimate, the reference-list entries of the sources, the estimates' results
    and their computations, with the blank nodes they lead to."""
    part = store.new_graph()
    roots = [URIRef(i) for i in (*chosen.claims, *chosen.estimates, *chosen.sources)]
    cito = PREFIXES["cito"]
    for source in chosen.sources:
        roots += graph.subjects(URIRef(cito + "hasCitedEntity"), URIRef(source))
    for result in nanopubs.results_of(graph, chosen.estimates):
        roots.append(result)
        roots += graph.objects(result, URIRef(PREFIXES["prov"] + "wasGeneratedBy"))
    seen: set[object] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in graph.triples((node, None, None)):
            part.add(triple)
            if isinstance(triple[2], BNode):
                stack.append(triple[2])
    return part


def kb_version(kb: KnowledgeBase) -> str:
    """derive's version and a digest of the facts' contents: the same facts give
    the same version wherever they are."""
    digest = hashlib.sha256()
    for path in kb.fact_files():
        digest.update(kb.display(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return f"derive {__version__}, facts {digest.hexdigest()[:12]}"


def _nanopubs(kb: KnowledgeBase, graph: Graph, chosen: Selection, sign_key: Path | None,
              orcid: str | None) -> Export:
    version = kb_version(kb)
    made = [nanopubs.claim_nanopub(graph, URIRef(iri), version) for iri in sorted(chosen.claims)]
    made += [nanopubs.result_nanopub(graph, result, version)
             for result in nanopubs.results_of(graph, chosen.estimates)]
    signed = ""
    if sign_key is not None:
        made = signing.sign(made, signing.read_key(sign_key), orcid)
        signed = "signed "
    plural = "" if len(made) == 1 else "s"
    header = (f"# {len(made)} {signed}nanopublication{plural} of a derive knowledge base "
              f"({version}).\n")
    return Export(nanopubs.render(made, header), len(made), "nanopublication")
