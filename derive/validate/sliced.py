"""Revalidating after a change from the files' fragments (``derive.kb.fragments``),
so that only the changed files are parsed.

The claims whose verdict may differ from the last run are found as in
``derive.validate.incremental`` (digests of what the changed files describe,
the claims that refer to anything whose digest changed, and those quoting a
source one of whose stored parts changed). Every check then
runs over one graph: the triples no claim owns (the ontology, sources,
entities, metrics, estimates...), the triples of those claims, and of the
claims they refer to, transitively. Its problems stand for every node but the
claims left out, whose problems are the last report's. Editing one claim in
a file of 5,000 reads that file and the small share of every other file that
is not a claim, and runs pySHACL on one claim and that share.
"""

from __future__ import annotations

from rdflib import URIRef

from derive.kb.fragments import Sliced
from derive.kb.namespaces import DV, PREFIXES, expand
from derive.kb.store import LoadedGraph
from derive.kb.triples import Converter, Triple, TripleIndex
from derive.validate import incremental, one_value, screen
from derive.validate.cells import cell_problems
from derive.validate.full import SOURCE_CLASSES, _count_instances, _part_size, shacl_in_parts
from derive.validate.quotes import quote_problems
from derive.validate.report import Problem, ValidationReport, distinct
from derive.validate.state import State, save
from derive.validate.values import value_problems

DCT = PREFIXES["dcterms"]


def run(sliced: Sliced, state: State, context: str, stamps: dict[str, str]) -> ValidationReport:
    """The report a full run would give, from the last run's ``state`` and the
    fragments of the files now."""
    kb = sliced.kb
    claims = sliced.claims
    rest = sliced.rest
    convert = Converter()
    changed = incremental.changed_files(state, stamps)
    files_now = {name: frozenset(f.iris) for name, f in sliced.fragments.items()}
    fresh: dict[str, str] = {}
    for name in changed & set(sliced.fragments):
        for iri in files_now[name]:
            fresh[iri] = sliced.digest(iri)
    touched = incremental.touched_iris(state, changed, files_now, fresh)
    affected = {iri for iri in touched if iri in claims}
    for iri in touched:
        affected.update(sliced.referrers(iri))
        # a stored part of a source (dv:SourceText) holds the text that the
        # quotes from the source with its locator are checked against
        for whole in rest.objects(URIRef(iri), URIRef(DCT + "isPartOf")):
            affected.update(sliced.referrers(str(whole)))
    affected &= claims
    digests = incremental.digests_now(state, fresh, touched)

    graph, owned = _with_claims(sliced, rest, frozenset(affected), convert)
    present = frozenset(owned)
    data = LoadedGraph(graph, kb, sliced.subjects_by_file)  # type: ignore[arg-type]

    def kept(problem: Problem) -> bool:
        """Whether ``problem`` is on a claim left out, whose verdict stands."""
        iri = expand(problem.focus)
        return iri in claims and iri not in affected

    groups = incremental.parts(frozenset(affected), _part_size(len(affected)))
    shacl = [p for p in shacl_in_parts(data, screen.of(kb), present, groups, (rest, owned))[0]
             if not kept(p)]
    quotes = [p for p in quote_problems(data, skip=present - affected) if not kept(p)]
    found = [p for p in (*one_value.merged(shacl, data), *quotes, *value_problems(data),
                         *cell_problems(data)) if not kept(p)]
    assert state.report is not None
    report = ValidationReport(
        problems=distinct([*found, *filter(kept, state.report.problems)]),
        claims=len(claims) + _count_instances(rest, (DV + "Claim",)),  # type: ignore[arg-type]
        sources=_count_instances(rest, SOURCE_CLASSES),  # type: ignore[arg-type]
    )
    save(kb, State(context, stamps, files_now, claims, [*filter(kept, state.shacl), *shacl],
                   report, digests, [*filter(kept, state.quotes), *quotes]))
    return report


def _with_claims(sliced: Sliced, rest: TripleIndex, wanted: frozenset[str],
                 convert: Converter) -> tuple[TripleIndex, dict[str, list[Triple]]]:
    """``rest`` plus the triples of the ``wanted`` claims and of every claim
    they refer to, transitively (a claim that cites another sees it whole);
    and the triples of each claim it holds."""
    graph = rest.copy()
    owned: dict[str, list[Triple]] = {}
    todo, seen = sorted(wanted), set(wanted)
    while todo:
        iri = todo.pop()
        owned[iri] = triples = sliced.closure(iri, convert)
        graph.add_all(triples)
        for _s, _p, obj in triples:
            if isinstance(obj, URIRef) and str(obj) in sliced.claims and str(obj) not in seen:
                seen.add(str(obj))
                todo.append(str(obj))
    return graph, owned
