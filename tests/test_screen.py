"""Screening the SPARQL constraints in Oxigraph: which constraints may be
screened (only those whose every row binds ``$this``), and which nodes the
screen names (every focus node a constraint fails on, and no node that is not
a focus node of its shape)."""

from __future__ import annotations

import pytest
from conftest import KBBuilder
from rdflib import Graph, URIRef
from test_validate_equivalence import build

from derive.kb import KnowledgeBase, store
from derive.kb.namespaces import PREFIXES, short
from derive.validate import screen
from derive.validate.shacl import owning_subject

SH = PREFIXES["sh"]
PROLOGUE = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
"""


def shapes_with(select: str, shape: str = "ex:S a sh:NodeShape ; sh:targetClass ex:C ;",
                extra: str = "") -> Graph:
    """Shapes with one SPARQL constraint whose query is ``select``."""
    text = (PROLOGUE + shape + ' sh:sparql [ sh:message "m" ; sh:prefixes ex:prefixes ; '
            f'sh:select """{select}""" ] .\n' + extra)
    return Graph().parse(data=text, format="turtle")


SCREENED = {
    "a pattern binds $this": "SELECT $this WHERE { $this ex:p ?v }",
    "filters after the pattern": "SELECT $this ?v WHERE { $this ex:p ?v FILTER (?v < 0) }",
    "not exists beside a pattern": (
        "SELECT $this WHERE { FILTER NOT EXISTS { $this ex:q ?w } $this ex:p ?v }"),
    "grouped by $this": ("SELECT $this (COUNT(?v) AS ?n) WHERE { $this ex:p ?v } "
                         "GROUP BY $this HAVING (COUNT(?v) > 1)"),
    "a subquery that binds $this": (
        "SELECT $this ?v WHERE { { SELECT $this ?v WHERE { $this ex:p ?v } ORDER BY ?v } }"),
    "both sides of a union bind $this": (
        "SELECT $this WHERE { { $this ex:p ?v } UNION { $this ex:q ?v } }"),
}


@pytest.mark.parametrize("select", SCREENED.values(), ids=list(SCREENED))
def test_a_constraint_whose_rows_bind_this_is_screened(select: str) -> None:
    found = screen.screen(shapes_with(select))
    assert len(found.checks) == 1
    assert not list(found.core.triples((None, URIRef(SH + "sparql"), None)))
    assert found.checks[0].targets == (("targetClass", URIRef("http://example.org/C")),)


NOT_SCREENED = {
    "$this only under optional": "SELECT $this WHERE { ex:a ex:b ?x OPTIONAL { $this ex:p ?v } }",
    "$this only in not exists": "SELECT $this WHERE { FILTER NOT EXISTS { $this ex:p ?v } }",
    "$this on one side of a union": (
        "SELECT $this WHERE { { $this ex:p ?v } UNION { ?x ex:q ?v } }"),
    "$this not projected": "SELECT ?v WHERE { $this ex:p ?v }",
    "a limit cuts rows": "SELECT $this WHERE { $this ex:p ?v } LIMIT 1",
    "values": "SELECT $this WHERE { VALUES ?v { 1 } $this ex:p ?w }",
    "$this bound by bind": "SELECT $this WHERE { ?x ex:p ?v BIND (?x AS $this) }",
    "$PATH": "SELECT $this WHERE { $this $PATH ?v }",
    "$value": "SELECT $this WHERE { $this ?p $value }",
    "rdflib cannot parse it": "SELECT $this WHERE { $this ex:p ?v ",
}


@pytest.mark.parametrize("select", NOT_SCREENED.values(), ids=list(NOT_SCREENED))
def test_a_constraint_a_row_may_not_bind_this_is_left_to_pyshacl(select: str) -> None:
    shapes = shapes_with(select)
    found = screen.screen(shapes)
    assert found.checks == ()
    assert set(found.core) == set(shapes)


USED = {
    "a shape without targets": ("ex:S a sh:NodeShape ;", ""),
    "a shape used by sh:node": ("ex:S a sh:NodeShape ; sh:targetClass ex:C ;",
                                "ex:T a sh:NodeShape ; sh:targetClass ex:D ; sh:node ex:S ."),
    "a property shape of a shape used by sh:or": (
        "ex:S a sh:PropertyShape ; sh:path ex:p ;",
        "ex:T a sh:NodeShape ; sh:property ex:S . ex:U sh:targetClass ex:D ; sh:or ( ex:T ) ."),
}


@pytest.mark.parametrize("shape,extra", USED.values(), ids=list(USED))
def test_a_constraint_whose_this_is_not_a_target_is_left_to_pyshacl(shape: str,
                                                                      extra: str) -> None:
    found = screen.screen(shapes_with("SELECT $this WHERE { $this ex:p ?v }", shape, extra))
    assert found.checks == ()


def test_a_property_shape_is_screened_over_its_node_shape_targets() -> None:
    shapes = shapes_with("SELECT $this ?value WHERE { $this ex:p ?value }",
                         "ex:P a sh:PropertyShape ; sh:path ex:p ;",
                         "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:property ex:P .")
    found = screen.screen(shapes)
    assert [c.targets for c in found.checks] == [
        (("targetSubjectsOf", URIRef("http://example.org/p")),)]


def test_only_focus_nodes_are_flagged() -> None:
    """A row for a node outside the shape's targets names nothing; classes
    follow rdfs:subClassOf."""
    found = screen.screen(shapes_with("SELECT $this WHERE { $this ex:p ?v FILTER (?v < 0) }"))
    data = Graph().parse(data="""
        @prefix ex: <http://example.org/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:Sub rdfs:subClassOf ex:C .
        ex:bad a ex:Sub ; ex:p -1 .
        ex:fine a ex:C ; ex:p 1 .
        ex:untargeted ex:p -1 .
        [ a ex:C ; ex:p -2 ] .
    """, format="turtle")
    nodes = screen.flagged(found, data)
    assert URIRef("http://example.org/bad") in nodes
    assert len(nodes) == 2  # and the blank node
    assert URIRef("http://example.org/untargeted") not in nodes


def test_the_screen_names_the_claims_that_fail_the_shipped_sparql_constraints(
        make_kb: KBBuilder) -> None:
    """On the knowledge base that fails every shape: exactly the claims planted
    to fail a SPARQL constraint of ontology/shapes.ttl (or whose quote or
    quantity fails one), and the sources planted to fail one."""
    kb = KnowledgeBase(build(make_kb).root)
    shapes = store.load(kb, kb.shapes_files()).graph
    found = screen.screen(shapes)
    assert len(found.checks) == len(list(shapes.subject_objects(URIRef(SH + "sparql"))))
    data = store.load_index(kb).graph
    flagged = {short(str(owning_subject(data, node)))  # type: ignore[arg-type]
               for node in screen.flagged(found, data)}
    assert flagged == {f"claim:{name}" for name in (
        "wrong-unit", "no-label", "big-share", "text-date", "negative-duration", "text-value",
        "no-locator", "quote-sourceless")} | {"src:nowhere", "src:baddate"} | {
        "claim:odd-language"}  # a triple pyoxigraph cannot hold


def test_a_literal_that_may_fail_leaves_every_shape_everywhere() -> None:
    """Oxigraph writes literals in canonical form: which literal of the graph
    a row names cannot be told, so nothing is screened."""
    found = screen.screen(shapes_with("SELECT $this WHERE { ?x ex:p $this }",
                                      "ex:S a sh:NodeShape ; sh:targetObjectsOf ex:p ;"))
    data = Graph().parse(data='<http://example.org/a> <http://example.org/p> "01"^^'
                              "<http://www.w3.org/2001/XMLSchema#integer> .", format="turtle")
    assert screen.flagged(found, data) is None


def test_a_triple_oxigraph_cannot_hold_flags_its_subject() -> None:
    """rdflib accepts a language tag pyoxigraph refuses: the triple's subject
    is named, whatever the query finds."""
    found = screen.screen(shapes_with("SELECT $this WHERE { $this ex:p ?v FILTER (?v = 0) }"))
    data = Graph().parse(data='<http://example.org/a> <http://example.org/p> "x"@A .',
                         format="turtle")
    assert screen.flagged(found, data) == {URIRef("http://example.org/a")}
