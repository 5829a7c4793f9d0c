"""Each facts file as a fragment kept in the cache, so that after a change
only the changed files are parsed.

A fragment holds what the rest of derive needs of its file without parsing
it again: the claims it defines, already extracted; each claim's triples
(with its blank nodes) as N-Triples, decoded only when validation needs
that claim; the file's other triples (sources, entities, estimates...), a
small share that every revalidation reads, as the terms a parse makes of
them (pickled, which reads three times faster than N-Triples); which IRIs
each claim refers to; and the subjects the file describes. The N-Triples
are written from pyoxigraph's own terms, so a decoded triple is the triple
a fresh parse gives.

``load(kb)`` returns the fragments of every facts file (parsing the files
whose fragment is missing or stale) or None when the knowledge base cannot
be sliced this way, which is then read whole as before: a claim described
by two files, a claim that is also typed as something extraction reads
otherwise, a blank node two owners share, or a facts file that declares
subclasses (which would change what a claim is).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from sys import intern
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, URIRef
from rdflib.term import Node

from derive.errors import DeriveError
from derive.kb import cache, forked
from derive.kb.locate import KnowledgeBase, stamp
from derive.kb.model import Claim, Model
from derive.kb.namespaces import DV, PREFIXES
from derive.kb.triples import Converter, TripleIndex, digest, quad_digest

RDF_TYPE = PREFIXES["rdf"] + "type"
SUBCLASS = PREFIXES["rdfs"] + "subClassOf"
FORMAT = 3  # 2: claims digested from the quads (``quad_digest``); 3: rest as terms


@dataclass
class Fragment:
    """One facts file, as the rest of derive reads it. The parts most commands
    never read (the claims extracted, each claim's triples) are kept apart in
    the cache and read when first asked for (``Sliced``)."""

    file: str
    sliceable: bool  # False: read the knowledge base whole (see the module docstring)
    iris: tuple[str, ...] = ()  # the IRIs it describes
    blanks: tuple[str, ...] = ()  # the blank nodes it describes (their labels)
    rest: list[Any] = field(default_factory=list)  # the triples no claim owns, as terms
    refers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # IRI -> claims citing it
    digests: dict[str, str] = field(default_factory=dict)  # claim -> ``quad_digest``
    key: str = ""  # what it is kept under in the cache (its parts too)
    # kept apart: the claims extracted (cites holds every cited IRI; None if
    # extraction refused one) and what each links to; each claim's N-Triples
    extracted: tuple[dict[str, Claim] | None, dict[str, tuple[str, ...]]] | None = None
    closures: dict[str, bytes] | None = None

    def subjects(self) -> Described:
        """As ``LoadedGraph.subjects_by_file`` holds them."""
        return Described(frozenset(self.iris), frozenset(self.blanks))


class Described:
    """The subjects a file describes, asked ``node in ...`` as a set of terms
    is, without making a term for each (100,000 claims and their blank nodes)."""

    def __init__(self, iris: frozenset[str], blanks: frozenset[str]) -> None:
        self.iris = iris
        self.blanks = blanks

    def __contains__(self, node: object) -> bool:
        if isinstance(node, URIRef):
            return str(node) in self.iris
        return isinstance(node, BNode) and str(node) in self.blanks

    def __iter__(self) -> Iterator[Node]:
        yield from (str.__new__(URIRef, iri) for iri in self.iris)
        yield from (str.__new__(BNode, label) for label in self.blanks)

    def __len__(self) -> int:
        return len(self.iris) + len(self.blanks)


@dataclass
class Sliced:
    """Every facts file as a fragment, and the ontology's triples."""

    kb: KnowledgeBase
    fragments: dict[str, Fragment]
    ontology: dict[str, list[tuple[Node, Node, Node]]]  # file -> triples
    claim_classes: frozenset[str]

    @functools.cached_property
    def rest(self) -> TripleIndex:
        """The ontology and every triple no claim owns: small beside the claims."""
        index = TripleIndex()
        for triples in self.ontology.values():
            index.add_all(triples)
        for fragment in self.fragments.values():
            index.add_all(fragment.rest)
        return index

    @functools.cached_property
    def subjects_by_file(self) -> dict[str, set[Node] | Described]:
        out: dict[str, set[Node] | Described] = {
            name: {t[0] for t in triples} for name, triples in self.ontology.items()}
        out.update((name, fragment.subjects()) for name, fragment in self.fragments.items())
        return out

    @functools.cached_property
    def claims(self) -> frozenset[str]:
        return frozenset(iri for f in self.fragments.values() for iri in f.digests)

    @property
    def extracted(self) -> bool:
        """Whether every claim was extracted (else compiling reads the files whole)."""
        return all(self._part(f, "extracted")[0] is not None for f in self.fragments.values())

    def model(self) -> Model:
        """The knowledge base's ``Model``, as ``extract`` gives it from the whole graph."""
        from derive.kb import extract, store

        return extract.extract_apart(store.LoadedGraph(self.rest, self.kb, self.subjects_by_file),
                                     self.extracted_claims())

    def extracted_claims(self) -> Iterator[tuple[dict[str, Claim], dict[str, tuple[str, ...]]]]:
        """Each file's claims, extracted, and what they link to."""
        for fragment in self.fragments.values():
            claims, links = self._part(fragment, "extracted")
            yield claims or {}, links

    def digest(self, iri: str) -> str:
        """The digest of ``iri`` as validation keeps it: ``quad_digest`` for a
        claim, ``triples.digest`` over the whole knowledge base for anything else."""
        for fragment in self.fragments.values():
            if iri in fragment.digests:
                return fragment.digests[iri]
        return digest(self.rest, URIRef(iri))  # not a claim: all its triples are here

    def closure(self, claim: str, convert: Converter | None = None) -> list[Any]:
        """The triples of ``claim`` and its blank nodes."""
        for fragment in self.fragments.values():
            if claim in fragment.digests:
                return decode(self._part(fragment, "closures")[claim], convert or Converter())
        return []

    def referrers(self, iri: str) -> Iterator[str]:
        """The claims whose triples refer to ``iri``."""
        for fragment in self.fragments.values():
            yield from fragment.refers.get(iri, ())

    def _part(self, fragment: Fragment, part: str) -> Any:
        found = getattr(fragment, part)
        if found is None:
            found = cache.read(self.kb, _name(fragment.file, part), key=fragment.key)
            if found is None:  # gone from the cache: read the file again
                path = self.kb.root / fragment.file
                for _path, quads, triples in _parsed(self.kb, [path]):
                    rebuilt = _fragment(fragment.file, quads, triples, self.claim_classes)
                    keep(self.kb, path, rebuilt, ontology_context(self.kb))
                    found = getattr(rebuilt, part)
            setattr(fragment, part, found)
        return found


def decode(data: bytes, convert: Converter) -> list[Any]:
    if not data:
        return []
    return convert.triples(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))


def encode(quads: list[Any]) -> bytes:
    if not quads:
        return b""
    return ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)


def claim_classes(ontology: dict[str, list[tuple[Node, Node, Node]]]) -> frozenset[str]:
    """dv:Claim and its subclasses, as the ontology declares them."""
    below: dict[str, set[str]] = {}
    for triples in ontology.values():
        for s, p, o in triples:
            if str(p) == SUBCLASS:
                below.setdefault(str(o), set()).add(str(s))
    found, frontier = {DV + "Claim"}, [DV + "Claim"]
    while frontier:
        for sub in below.get(frontier.pop(), ()):
            if sub not in found:
                found.add(sub)
                frontier.append(sub)
    return frozenset(found)


def build(display: str, quads: list[Any], triples: list[Any], classes: frozenset[str],
          *, extracting: bool = True) -> Fragment:
    """The fragment of one parsed file (``triples`` are ``quads`` converted, in
    order); without ``extracting``, its claims are left to be extracted when
    first asked for (validation alone never asks), and ``triples`` are not
    read (they may be left out)."""
    by_subject: dict[Any, list[int]] = {}
    for i, quad in enumerate(quads):
        by_subject.setdefault(quad.subject, []).append(i)
    # Each IRI one string object (interned), which pickle then writes once,
    # however many of the lists below name it.
    iris = tuple(sorted({intern(q.subject.value) for q in quads
                         if isinstance(q.subject, ox.NamedNode)}))
    blanks = tuple(sorted({q.subject.value for q in quads
                           if isinstance(q.subject, ox.BlankNode)}))
    if any(q.predicate.value == SUBCLASS for q in quads):
        return Fragment(display, False, iris, blanks)
    claims = sorted({q.subject for q in quads if q.predicate.value == RDF_TYPE
                     and isinstance(q.subject, ox.NamedNode) and q.object.value in classes},
                    key=lambda n: n.value)
    owner: dict[Any, Any] = {}  # blank node -> the claim whose triples reach it
    closures: dict[str, list[int]] = {}
    for claim in claims:
        if any(quads[i].predicate.value == RDF_TYPE and quads[i].object.value not in classes
               for i in by_subject[claim]):
            return Fragment(display, False, iris, blanks)  # also typed as something else
        rows: list[int] = []
        frontier = [claim]
        while frontier:
            node = frontier.pop()
            for i in by_subject.get(node, ()):
                rows.append(i)
                obj = quads[i].object
                if isinstance(obj, ox.BlankNode):
                    if obj not in owner:
                        owner[obj] = claim
                        frontier.append(obj)
                    elif owner[obj] != claim:
                        return Fragment(display, False, iris, blanks)  # shared blank node
        closures[intern(claim.value)] = rows
    owned = {i for rows in closures.values() for i in rows}
    rest = [i for i in range(len(quads)) if i not in owned]
    if any(isinstance(quads[i].object, ox.BlankNode) and quads[i].object in owner for i in rest):
        return Fragment(display, False, iris, blanks)  # a blank node a claim shares
    refers: dict[str, set[str]] = {}
    for claim_iri, rows in closures.items():
        for i in rows:
            obj = quads[i].object
            if isinstance(obj, ox.NamedNode):
                refers.setdefault(intern(obj.value), set()).add(claim_iri)
    extracted = None
    if extracting:
        index = TripleIndex()
        index.add_all(triples)
        extracted = _extracted(index, [URIRef(c.value) for c in claims], display)
    return Fragment(
        display, True, iris, blanks,
        # unpickled, the terms cost a third of decoding N-Triples again
        [triples[i] for i in rest] if triples else Converter().triples(quads[i] for i in rest),
        {iri: tuple(sorted(c)) for iri, c in refers.items()},
        {intern(claim.value): quad_digest(quads, by_subject, claim) for claim in claims},
        extracted=extracted,
        closures={iri: encode([quads[i] for i in rows]) for iri, rows in closures.items()})


def _extracted(index: TripleIndex, nodes: list[Node], display: str
               ) -> tuple[dict[str, Claim] | None, dict[str, tuple[str, ...]]]:
    from derive.kb import extract

    try:
        claims: dict[str, Claim] | None = extract.claims_in(index, nodes, display)
    except DeriveError:  # a value extraction refuses: validation says which; compiling
        claims = None  # reads the files whole and stops with the same error
    return claims, extract.claim_links(index, nodes)


def _parsed(kb: KnowledgeBase, paths: list[Path], *, terms: bool = True
            ) -> Iterator[tuple[Path, Any, list[Any]]]:
    from derive.kb import store  # the same layer; it imports this module late

    yield from store.parsed_quads(kb, paths, terms=terms)


def _fragment(display: str, quads: list[Any] | None, triples: list[Any],
              classes: frozenset[str], *, extracting: bool = True) -> Fragment:
    if quads is not None:
        return build(display, quads, triples, classes, extracting=extracting)
    # read by rdflib's parser (pyoxigraph refused it): no quads to slice
    return Fragment(display, False, tuple(sorted({str(t[0]) for t in triples
                                                  if isinstance(t[0], URIRef)})))


class Keeper:
    """Keeps each facts file's fragment while a whole parse reads the files
    (the ontology first, as ``KnowledgeBase.data_files`` lists them). Each
    fragment is made and written in a forked child while the next file is
    parsed: at 100,000 synthetic claims making them took 17 s of the 30 s a
    parse took in one process. ``done`` waits for the last."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.context = ontology_context(kb) if cache.cache_dir() is not None else None
        self.ontology: dict[str, list[Any]] = {}
        self.classes: frozenset[str] | None = None
        self._beside = forked.OneBeside()

    def add(self, path: Path, quads: list[Any] | None, triples: list[Any]) -> None:
        if self.context is None:
            return
        display = self.kb.display(path)
        if path.is_relative_to(self.kb.ontology_dir):
            self.ontology[display] = triples
            return
        if cache.is_fresh(self.kb, _name(display), key=_key(self.kb, path, self.context)):
            return
        if self.classes is None:
            self.classes = claim_classes(self.ontology)
        classes, context = self.classes, self.context
        self._beside.run(lambda: keep(self.kb, path, _fragment(display, quads, triples, classes),
                                      context))

    def done(self) -> None:
        """Return once every fragment is kept."""
        self._beside.wait()


# ---- the cache of fragments

PARTS = ("extracted", "closures")


def _name(display: str, part: str = "") -> str:
    name = "fragment-" + hashlib.sha256(display.encode()).hexdigest()[:16]
    return f"{name}-{part}" if part else name


def _key(kb: KnowledgeBase, path: Path, context: str) -> str:
    stat = path.stat()
    return f"{FORMAT}:{cache.code_key()}:{context}:{stat.st_size}:{stat.st_mtime_ns}"


def ontology_context(kb: KnowledgeBase) -> str:
    """Changes when an ontology file changes (what a claim is may change with it)."""
    return stamp(kb.ontology_files())[:24]


def keep(kb: KnowledgeBase, path: Path, fragment: Fragment, context: str) -> None:
    """Keep ``fragment`` in the cache: its parts first, then the fragment
    without them (so that a fragment found has its parts beside it)."""
    fragment.key = _key(kb, path, context)
    for part in PARTS:
        if getattr(fragment, part) is not None:  # a part not made is made when asked for
            cache.write(kb, getattr(fragment, part), _name(fragment.file, part),
                        key=fragment.key)
    cache.write(kb, replace(fragment, extracted=None, closures=None), _name(fragment.file),
                key=fragment.key)


def kept(kb: KnowledgeBase, path: Path, context: str) -> Fragment | None:
    found = cache.read(kb, _name(kb.display(path)), key=_key(kb, path, context))
    return found if isinstance(found, Fragment) else None


def claim_digests(kb: KnowledgeBase) -> dict[str, str]:
    """Each claim's digest, from the fragments kept (by a whole parse just
    now); empty if a file has none kept or cannot be sliced. Nothing is parsed."""
    context = ontology_context(kb)
    found: dict[str, str] = {}
    for path in kb.fact_files():
        fragment = kept(kb, path, context)
        if fragment is None or not fragment.sliceable:
            return {}
        found.update(fragment.digests)
    return found


def load(kb: KnowledgeBase, *, extracting: bool = True) -> Sliced | None:
    """Every facts file's fragment (the changed ones parsed now), or None when
    the knowledge base is not to be sliced (see the module docstring). Raises
    ``LoadError`` for a file that does not parse, as loading it whole would."""
    context = ontology_context(kb)
    ontology = {kb.display(p): t for p, _quads, t in _parsed(
        kb, [p for p in kb.data_files() if p.is_relative_to(kb.ontology_dir)])}
    classes = claim_classes(ontology)
    fragments: dict[str, Fragment] = {}
    missing: list[Path] = []
    for path in kb.fact_files():
        found = kept(kb, path, context)
        if found is None:
            missing.append(path)
        else:
            fragments[found.file] = found
    for path, quads, triples in _parsed(kb, missing, terms=extracting):
        fragment = _fragment(kb.display(path), quads, triples, classes, extracting=extracting)
        keep(kb, path, fragment, context)
        fragments[fragment.file] = fragment
    if not all(f.sliceable for f in fragments.values()):
        return None
    seen: dict[str, str] = {}
    for fragment in fragments.values():
        for iri in fragment.iris:
            first = seen.setdefault(iri, fragment.file)
            if first != fragment.file and (iri in fragment.digests
                                           or iri in fragments[first].digests):
                return None  # a claim described by two files
    ordered = {kb.display(p): fragments[kb.display(p)] for p in kb.fact_files()}
    return Sliced(kb, ordered, ontology, classes)
