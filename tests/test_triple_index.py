"""The triple index that extraction and validation read answers exactly as an
rdflib graph of the same file does, for every pattern they ask."""

from __future__ import annotations

import itertools

import pytest
from conftest import PROLOGUE
from rdflib import BNode, Graph, Literal, URIRef

from derive.kb.store import parse_triples
from derive.kb.triples import TripleIndex

TURTLE = PROLOGUE + """
claim:a a dv:QuantitativeClaim ; dv:about ent:china , ent:united-states ;
    dv:quantity [ qudt:value 6.0E23 ; qudt:hasUnit unit:FLOP ] .
claim:b a dv:QualitativeClaim ; dv:about ent:china ; rdfs:label "b"@en .
ent:china a dv:Country .
"""

CLAIM = "https://w3id.org/derive/kb/claim/"
TERMS = {"any": None, "claim-a": URIRef(CLAIM + "a"), "absent": URIRef(CLAIM + "c"),
         "about": URIRef("https://w3id.org/derive/ns#about"),
         "china": URIRef("https://w3id.org/derive/kb/entity/china"),
         "type": URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
         "label-b": Literal("b", lang="en"),
         "class": URIRef("https://w3id.org/derive/ns#QuantitativeClaim")}
PATTERNS = {"/".join(names): tuple(TERMS[n] for n in names)
            for names in itertools.product(TERMS, repeat=3)}


def _blank(triple: tuple) -> tuple:
    """Blank nodes get new names in each parse: compare them as one."""
    return tuple("_:" if isinstance(t, BNode) else t for t in triple)


@pytest.fixture(scope="module")
def pair() -> tuple[TripleIndex, Graph]:
    graph = Graph()
    graph.parse(data=TURTLE, format="turtle")
    index = TripleIndex()
    index.add_all(parse_triples(TURTLE, "test.ttl", None))
    return index, graph


@pytest.mark.parametrize("pattern", PATTERNS.values(), ids=PATTERNS.keys())
def test_membership_and_triples_match_rdflib(pair: tuple[TripleIndex, Graph],
                                             pattern: tuple) -> None:
    index, graph = pair
    assert (pattern in index) == (pattern in graph)
    assert sorted(map(_blank, index.triples(pattern)), key=str) == \
        sorted(map(_blank, graph.triples(pattern)), key=str)


PREDICATES = {"about": TERMS["about"], "type": TERMS["type"],
              "label": URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
              "absent": URIRef("https://w3id.org/derive/ns#metric")}


@pytest.mark.parametrize("predicate", PREDICATES.values(), ids=PREDICATES.keys())
def test_several_lists_exactly_the_subjects_with_more_than_one_value(
        pair: tuple[TripleIndex, Graph], predicate: URIRef) -> None:
    index, graph = pair
    expected = {s: sorted(graph.objects(s, predicate)) for s in set(graph.subjects(predicate))}
    assert {s: sorted(objects) for s, objects in index.several(predicate)} == \
        {s: objects for s, objects in expected.items() if len(objects) > 1}
