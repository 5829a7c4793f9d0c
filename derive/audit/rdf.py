"""Findings as RDF: each a dv:Finding (a prov:Entity) with its severity,
kind and message, cito:disputes to the claims it calls into question and
prov:wasDerivedFrom the claims it uses, for queries and sheets to include."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, Literal, Namespace, URIRef

from derive.audit.findings import Finding
from derive.kb.namespaces import DV, PREFIXES
from derive.kb.store import new_graph

if TYPE_CHECKING:
    from rdflib import Graph

_OUTCOME = {"supported": "Supported", "contradicted": "Contradicted",
            "elsewhere": "FoundElsewhere", "unverified": "AttributionUnverified"}


def finding_iri(finding: Finding) -> str:
    return PREFIXES["finding"] + finding.id


def findings_graph(findings: list[Finding]) -> Graph:
    prov = Namespace(PREFIXES["prov"])
    cito = Namespace(PREFIXES["cito"])
    dv = Namespace(DV)
    dcterms = Namespace(PREFIXES["dcterms"])
    graph = new_graph()
    for finding in findings:
        node = URIRef(finding_iri(finding))
        graph.add((node, RDF.type, dv.Finding))
        graph.add((node, RDF.type, prov.Entity))
        graph.add((node, RDFS.label, Literal(finding.id)))
        graph.add((node, dv.severity, Literal(finding.severity)))
        graph.add((node, dv.findingKind, Literal(finding.kind)))
        graph.add((node, RDFS.comment, Literal(finding.message, lang="en")))
        for iri in finding.disputes:
            graph.add((node, cito.disputes, URIRef(iri)))
        for ref in finding.claims:
            graph.add((node, prov.wasDerivedFrom, URIRef(ref.iri)))
        if finding.outcome is not None:
            graph.add((node, dv.attributionOutcome, dv[_OUTCOME[finding.outcome]]))
            if finding.cited is not None:
                graph.add((node, dcterms.references, URIRef(finding.cited)))
        for quote in finding.quotes:
            if quote.role == "cited":
                graph.add((node, dv.citedPassage, Literal(quote.text)))
            elif quote.role == "other":
                graph.add((node, dv.otherPassage, Literal(quote.text)))
                graph.add((node, dv.otherSource, URIRef(quote.source.iri)))
        if finding.estimate is not None:
            graph.add((node, prov.wasDerivedFrom, URIRef(finding.estimate.iri)))
    return graph
