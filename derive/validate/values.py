"""Plain-Python checks of the values a claim, a source or an estimate carries,
where SHACL Core cannot say it (or says it only slowly): a number must be a
real, finite figure (xsd:double allows ``NaN`` and ``INF``, and ``1e400``
overflows to infinity), a date must fall in the years derive computes with,
text must not be empty, and a reference must be an IRI.

Ill-typed literals never get here: the loader refuses them with their line
(``derive.kb.lexical``). ``RULES`` lists every check with the message it
gives; the README's "What is rejected" table and the constraint tests are
built from it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from derive.kb import dates
from derive.kb.namespaces import PREFIXES, expand
from derive.kb.store import LoadedGraph
from derive.validate.report import Problem
from derive.validate.shacl import _nested_path as nested_path
from derive.validate.shacl import owning_subject, term_text

XSD = PREFIXES["xsd"]
RDF_LANG_STRING = PREFIXES["rdf"] + "langString"
_NUMBERS = {XSD + t for t in ("double", "decimal", "integer", "float")}
_DATES = {XSD + t for t in ("gYear", "gYearMonth", "date")}


@dataclass(frozen=True)
class Rule:
    """One check: the properties it looks at and the message it gives."""

    id: str
    properties: tuple[str, ...]  # prefixed names
    what: str  # the constraint, for the README
    message: str  # {value} is the offending value, {property} the property
    bad: Callable[[Node], bool]


def _not_finite(node: Node) -> bool:
    if not isinstance(node, Literal) or str(node.datatype) not in _NUMBERS:
        return False  # the datatype check (a shape, or the rule below) reports it
    try:
        return not math.isfinite(float(node.toPython()))  # type: ignore[arg-type]
    except (OverflowError, TypeError, ValueError):
        return True


def _xsd_text(node: Node) -> str:
    """A number as XML Schema writes it: ``NaN``, ``INF`` and ``-INF`` rather
    than Python's ``nan`` and ``inf`` (a figure that overflows shows as ``INF``)."""
    try:
        number = float(node.toPython())  # type: ignore[union-attr, arg-type]
    except (OverflowError, TypeError, ValueError):
        text = str(node)
        return text if len(text) <= 16 else f"{text[:12]}… ({len(text)} characters)"
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "INF" if number > 0 else "-INF"
    return str(node)


def _not_a_number(node: Node) -> bool:
    return not (isinstance(node, Literal) and str(node.datatype) in _NUMBERS)


def _year_out_of_range(node: Node) -> bool:
    if not isinstance(node, Literal) or str(node.datatype) not in _DATES:
        return False
    year = dates.year_of(str(node))
    return year is not None and not dates.FIRST_YEAR <= year <= dates.LAST_YEAR


def _not_a_date(node: Node) -> bool:
    return not (isinstance(node, Literal) and str(node.datatype) in _DATES)


def _empty_text(node: Node) -> bool:
    if not isinstance(node, Literal):
        return True
    if node.datatype is not None and str(node.datatype) not in (XSD + "string", RDF_LANG_STRING):
        return True
    return not str(node).strip()


def _not_an_iri(node: Node) -> bool:
    return not isinstance(node, URIRef)


RULES: tuple[Rule, ...] = (
    Rule("finite-number", ("qudt:value", "schema:minValue", "schema:maxValue"),
         "a figure or bound that is not a real, finite number (`NaN`, `INF`, `1e400`)",
         "{property} {value} is not a finite number; give the figure the source states, "
         "e.g. {property} 6.0E23", _not_finite),
    Rule("bound-is-number", ("schema:minValue", "schema:maxValue"),
         "a bound that is not an `xsd:double`, `xsd:decimal` or `xsd:integer`",
         "{property} {value} is not a number; write the bound as an xsd:double, xsd:decimal "
         "or xsd:integer, e.g. {property} 9.0E0", _not_a_number),
    Rule("year-in-range", ("dv:asOf", "dv:targetDate", "dcterms:issued"),
         f"a date whose year is outside {dates.FIRST_YEAR}–{dates.LAST_YEAR}",
         f"{{property}} {{value}} is outside the years {dates.FIRST_YEAR}-{dates.LAST_YEAR} "
         "derive computes with; give a year in that range, e.g. "
         '{property} "2025"^^xsd:gYear', _year_out_of_range),
    Rule("target-date-typed", ("dv:targetDate",),
         "an estimate's `dv:targetDate` not typed `xsd:gYear`, `xsd:gYearMonth` or `xsd:date`",
         '{property} {value} is not a date; type it xsd:gYear ("2027"), xsd:gYearMonth '
         '("2027-06") or xsd:date ("2027-06-30")', _not_a_date),
    Rule("text-not-empty", ("oa:exact", "dv:statement", "rdfs:label", "dcterms:title",
                            "dv:citationLabel", "bibo:locator", "dv:role", "dv:expression"),
         "a quote, statement, label, title, citation label, locator, role or formula that is "
         "empty, only whitespace, or not a plain or language-tagged string",
         "{property} {value} is empty or not text; write the words themselves as a string, "
         'e.g. {property} "..."', _empty_text),
    Rule("reference-is-iri", ("dv:method", "dv:unit", "dv:from", "dv:parameter",
                              "dv:inScenario", "dv:reproduces"),
         "an estimate's or scenario's method, unit, input, parameter, scenario or reproduced "
         "claim given as a literal instead of an IRI",
         "{property} {value} is not an IRI; name it, e.g. {property} dv:CompoundGrowth or "
         "unit:FLOPS or claim:…", _not_an_iri),
)


def value_problems(data: LoadedGraph) -> list[Problem]:
    """Every value that breaks one of ``RULES``, on the claim (or source,
    estimate) that owns it."""
    return [problem for rule in RULES for problem in _check(data, rule)]


def _check(data: LoadedGraph, rule: Rule) -> Iterator[Problem]:
    graph = data.graph
    for prop in rule.properties:
        predicate = URIRef(expand(prop))
        for subject, value in graph.subject_objects(predicate):
            if not rule.bad(value):
                continue
            owner = owning_subject(graph, subject)
            if isinstance(owner, BNode) and data.file_of(owner) is None:
                continue  # ontology's own blank nodes (lists, restrictions)
            steps = [nested_path(graph, subject, owner), prop]
            shown = _xsd_text(value) if rule.id == "finite-number" else term_text(value)
            yield Problem(
                "violation",
                data.file_of(owner) or "",
                term_text(owner),
                "/".join(s for s in steps if s),
                rule.message.format(property=prop, value=shown),
                shown,
            )
