"""Writing computed estimates back as RDF with PROV-O: each result is a
``dv:EstimateResult`` that is ``prov:specializationOf`` its declaration,
carries its value, unit and interval, ``prov:wasDerivedFrom`` its inputs, and
``prov:wasGeneratedBy`` an activity that ``prov:used`` them and is associated
with the declaration as ``prov:hadPlan``. Every output traces back to claims,
and claims to their citations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from derive import __version__
from derive.kb.namespaces import DV, PREFIXES, local_name
from derive.kb.store import new_graph

if TYPE_CHECKING:
    from rdflib import Graph

    from derive.engine.outcomes import Outcome
    from derive.engine.report import EstimateReport
    from derive.kb.model import Model

ENGINE = DV + "engine"


def result_iri(estimate_iri: str, scenario: str | None) -> str:
    return f"{PREFIXES['result']}{local_name(estimate_iri)}/{scenario or 'default'}"


def results_graph(outcomes: list[Outcome], model: Model) -> Graph:
    graph = new_graph()
    prov = PREFIXES["prov"]
    qudt = PREFIXES["qudt"]
    schema = PREFIXES["schema"]

    def p(ns: str, name: str) -> URIRef:
        return URIRef(ns + name)

    engine = URIRef(ENGINE)
    graph.add((engine, RDF.type, p(prov, "SoftwareAgent")))
    graph.add((engine, RDFS.label, Literal(f"derive {__version__}")))
    # (estimate, scenario) -> the scenario whose result stands for it: an input
    # estimate that a scenario leaves alone is cited by the result it has.
    standing = {(o.estimate, s): o.scenario for o in outcomes if o.report is not None
                for s in (o.scenario, *o.also)}
    leaves = _leaves_by_name(model)
    for outcome in outcomes:
        report = outcome.report
        if report is None:
            continue
        node = URIRef(result_iri(report.iri, outcome.scenario))
        activity = URIRef(str(node) + "/computation")
        graph.add((node, RDF.type, p(DV, "EstimateResult")))
        graph.add((node, RDF.type, p(prov, "Entity")))
        graph.add((node, RDFS.label, Literal(_label(report, outcome.scenario))))
        graph.add((node, p(prov, "specializationOf"), URIRef(report.iri)))
        if report.scenario is not None:
            graph.add((node, p(DV, "inScenario"), URIRef(report.scenario.iri)))
        quantity = BNode()
        graph.add((node, p(DV, "quantity"), quantity))
        graph.add((quantity, RDF.type, p(qudt, "QuantityValue")))
        graph.add((quantity, p(qudt, "value"), Literal(report.value, datatype=XSD.double)))
        graph.add((quantity, p(qudt, "hasUnit"), URIRef(report.unit_iri)))
        if report.interval is not None:
            graph.add((quantity, p(schema, "minValue"),
                       Literal(report.interval.low, datatype=XSD.double)))
            graph.add((quantity, p(schema, "maxValue"),
                       Literal(report.interval.high, datatype=XSD.double)))
            graph.add((quantity, p(DV, "intervalLevel"),
                       Literal(report.interval.level, datatype=XSD.double)))
        estimate = model.estimates[report.iri]
        if estimate.target_date is not None:
            graph.add((node, p(DV, "targetDate"), Literal(
                estimate.target_date.lexical,
                datatype=XSD[{"year": "gYear", "month": "gYearMonth", "day": "date"}[
                    estimate.target_date.precision]])))
        graph.add((node, p(prov, "wasGeneratedBy"), activity))
        graph.add((activity, RDF.type, p(prov, "Activity")))
        graph.add((activity, p(DV, "method"), p(DV, report.method)))
        association = BNode()
        graph.add((activity, p(prov, "qualifiedAssociation"), association))
        graph.add((association, RDF.type, p(prov, "Association")))
        graph.add((association, p(prov, "agent"), engine))
        graph.add((association, p(prov, "hadPlan"), URIRef(report.iri)))
        graph.add((activity, p(prov, "wasAssociatedWith"), engine))
        for child in report.trail.inputs:
            scenario = standing.get((child.key, outcome.scenario), outcome.scenario)
            used = _input_iri(child.kind, child.key, child.name, scenario, leaves)
            graph.add((node, p(prov, "wasDerivedFrom"), URIRef(used)))
            graph.add((activity, p(prov, "used"), URIRef(used)))
    return graph


def _leaves_by_name(model: Model) -> dict[str, str]:
    """Each claim's and assumption's name -> its IRI (the first, claims first),
    looked up once rather than by a scan per input (100,000 claims)."""
    found: dict[str, str] = {}
    for table in (model.claims, model.assumptions):
        for iri in table:
            found.setdefault(local_name(iri), iri)
    return found


def _input_iri(kind: str, key: str, name: str, scenario: str | None,
               leaves: dict[str, str]) -> str:
    if kind == "estimate":
        return result_iri(key, scenario)
    if kind in ("claim", "assumption"):
        # a leaf reached through a parameter is keyed by the parameter: use the claim itself
        return leaves.get(name, key)
    return key


def _label(report: EstimateReport, scenario: str | None) -> str:
    return f"{report.label} ({scenario})" if scenario else report.label


def build(outcomes: list[Outcome], model: Model) -> str:
    """The Turtle ``derive build`` writes."""
    text: str = results_graph(outcomes, model).serialize(format="turtle")
    header = ("# Estimates computed by derive from the facts of this knowledge base.\n"
              "# Generated by `derive build`; do not edit: rebuild instead.\n")
    return header + text
