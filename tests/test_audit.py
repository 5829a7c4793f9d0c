"""derive audit: one planted inconsistency of every kind, each found; a
consistent graph with no finding; the command's formats and exit codes; and
the shipped essay's known problems, and nothing else."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import PROJECT, KBBuilder

from derive.audit import Finding, audit, findings_graph
from derive.kb import locate

BASE = """\
src:essay a bibo:Document ; dcterms:title "The essay" ; dcterms:issued "2025"^^xsd:gYear .
src:report a bibo:Report ; dcterms:title "The report" ; dcterms:issued "2025"^^xsd:gYear .
ent:xland a dv:Country ; rdfs:label "Xland"@en .
ent:yland a dv:Country ; rdfs:label "Yland"@en .
ent:acme a dv:Company ; rdfs:label "Acme"@en ; schema:location ent:xland .
ent:acme-chip a dv:Chip ; rdfs:label "Acme chip"@en ; schema:manufacturer ent:acme .
ent:runs a dv:Aggregate ; rdfs:label "the largest runs"@en .
ent:all-models a dv:Aggregate ; rdfs:label "all models"@en .
ent:x-labs a dv:Aggregate ; rdfs:label "Xland labs"@en ; schema:location ent:xland .
scen:base a dv:Scenario ; rdfs:label "Base"@en ; dv:isDefault true .
"""


def claim(name: str, metric: str, value: float, unit: str, about: str, as_of: str = "2025",
          *, role: str = "Premise", source: str = "essay", extra: str = "") -> str:
    """A quantitative claim in Turtle."""
    return f"""
claim:{name} a dv:QuantitativeClaim ;
    rdfs:label "{name}"@en ;
    dv:about ent:{about} ;
    dv:metric metric:{metric} ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value {value!r} ; qudt:hasUnit {unit} ] ;
    dv:asOf "{as_of}"^^xsd:gYear ;
    dv:statedAs dv:{role} ;
    {extra}
    prov:wasQuotedFrom src:{source} .
"""


def projection(stated: float) -> str:
    return (
        claim("base-compute", "training-compute", 1.0e20, "dvu:FLOP", "runs")
        + claim("doubling", "training-compute-doubling-time", 12.0, "unit:MO", "runs")
        + claim("compute-2027", "training-compute", stated, "dvu:FLOP", "runs", "2027",
                role="DerivedFigure")
        + """
est:compute-2027 a dv:Estimate ;
    rdfs:label "Compute in 2027"@en ;
    dv:method dv:DoublingProjection ;
    dv:input [ dv:role "base" ; dv:from claim:base-compute ] ,
             [ dv:role "doublingTime" ; dv:from claim:doubling ] ;
    dv:targetDate "2027"^^xsd:gYear ;
    dv:unit dvu:FLOP ;
    dv:reproduces claim:compute-2027 .
"""
    )


def shares(x_share: float, y_share: float) -> str:
    return (
        claim("x-share", "share-of-ai-supercomputer-performance", x_share, "unit:PERCENT",
              "xland")
        + claim("x-perf", "ai-supercomputer-performance", 9.0e20, "unit:FLOPS", "xland")
        + claim("y-share", "share-of-ai-supercomputer-performance", y_share, "unit:PERCENT",
                "yland")
        + claim("y-perf", "ai-supercomputer-performance", 1.8e20, "unit:FLOPS", "yland")
    )


COUNT_SHARE_METRIC = """
metric:share-of-notable-models a dv:Metric ;
    rdfs:label "share of notable AI models"@en ;
    dv:allowedUnit unit:PERCENT ;
    dv:isShare true ;
    dv:partOf metric:notable-ai-models .
"""


def count_share(stated: float) -> str:
    return (
        COUNT_SHARE_METRIC
        + claim("x-models", "notable-ai-models", 338.0, "unit:NUM", "x-labs")
        + claim("all-models", "notable-ai-models", 476.0, "unit:NUM", "all-models")
        + claim("x-models-share", "share-of-notable-models", stated, "unit:PERCENT", "x-labs")
    )


def stock(stock_value: float) -> str:
    return (
        claim("acme-equivalents", "chip-equivalents", 1.0e6, "unit:NUM", "acme", "2024")
        + claim("chip-rate", "dense-bf16-performance", 1.0e15, "unit:FLOPS", "acme-chip",
                "2024")
        + claim("x-perf", "ai-supercomputer-performance", stock_value, "unit:FLOPS", "xland")
        + """
est:acme-compute a dv:Estimate ;
    rdfs:label "Acme's compute"@en ;
    dv:method dv:PerUnitConversion ;
    dv:input [ dv:role "quantity" ; dv:from claim:acme-equivalents ] ,
             [ dv:role "perUnit" ; dv:from claim:chip-rate ] ;
    dv:targetDate "2024"^^xsd:gYear ;
    dv:unit unit:FLOPS .
"""
    )


CITES = "cito:citesAsEvidence src:report ;"

PLANTED: dict[str, tuple[str, str, str]] = {
    # kind: (facts, expected finding id, expected severity)
    "recompute": (projection(2.0e20), "recompute-compute-2027", "error"),
    "unit": (claim("rate", "ai-supercomputer-performance", 3.0e20, "unit:FLOPS", "xland",
                   extra="dv:statedUnit dvu:FLOP ;"), "unit-rate", "error"),
    "unit-metric": (claim("odd", "ai-supercomputer-performance", 3.0, "unit:MO", "xland"),
                    "unit-metric-odd", "error"),
    "share-total": (shares(50.0, 30.0), "share-total-ai-supercomputer-performance-2025",
                    "warning"),
    "count-share": (count_share(90.0), "count-share-x-models-x-models-share", "warning"),
    "disagreement": (
        claim("perf-a", "ai-supercomputer-performance", 9.1e20, "unit:FLOPS", "xland")
        + claim("perf-b", "ai-supercomputer-performance", 5.0e20, "unit:FLOPS", "xland",
                source="report"),
        "disagreement-perf-a-perf-b", "warning"),
    "exceeds-stock": (stock(1.0e20), "exceeds-stock-acme-compute-x-perf", "warning"),
    "dated-after-source": (
        claim("future", "ai-supercomputer-performance", 1.0e20, "unit:FLOPS", "xland", "2030"),
        "dated-after-source-future", "warning"),
    "attribution": (
        claim("essay-share", "share-of-ai-supercomputer-performance", 75.0, "unit:PERCENT",
              "xland", extra=CITES)
        + claim("report-share", "share-of-ai-supercomputer-performance", 60.0,
                "unit:PERCENT", "xland", source="report"),
        "attribution-essay-share-report", "error"),
}

CONSISTENT = (
    projection(4.0e20)  # 1e20 doubling every 12 months, 2 years: 4e20
    + shares(75.0, 15.0)  # 9e20 / 75% = 1.8e20 / 15% = 1.2e21
    + COUNT_SHARE_METRIC
    + claim("x-models", "notable-ai-models", 338.0, "unit:NUM", "x-labs")
    + claim("all-models", "notable-ai-models", 476.0, "unit:NUM", "all-models")
    + claim("acme-equivalents", "chip-equivalents", 1.0e6, "unit:NUM", "acme", "2024")
    + claim("chip-rate", "dense-bf16-performance", 1.0e14, "unit:FLOPS", "acme-chip", "2024")
    + """
est:acme-compute a dv:Estimate ;
    rdfs:label "Acme's compute"@en ;
    dv:method dv:PerUnitConversion ;
    dv:input [ dv:role "quantity" ; dv:from claim:acme-equivalents ] ,
             [ dv:role "perUnit" ; dv:from claim:chip-rate ] ;
    dv:targetDate "2024"^^xsd:gYear ;
    dv:unit unit:FLOPS .
"""
    + claim("essay-y-share", "share-of-ai-supercomputer-performance", 15.0, "unit:PERCENT",
            "yland", "2024", extra=CITES)
    + claim("report-y-share", "share-of-ai-supercomputer-performance", 15.2, "unit:PERCENT",
            "yland", "2024", source="report")
    + claim("old", "ai-supercomputer-performance", 1.0e19, "unit:FLOPS", "yland", "2020",
            source="report")
)


def run_audit(make_kb: KBBuilder, facts: str) -> list[Finding]:
    make_kb.write("facts.ttl", BASE + facts)
    return audit(locate(make_kb.root))


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_planted_inconsistency_is_found(make_kb: KBBuilder, kind: str) -> None:
    facts, expected, severity = PLANTED[kind]
    findings = run_audit(make_kb, facts)
    by_id = {f.id: f for f in findings}
    assert expected in by_id, [f.id for f in findings]
    finding = by_id[expected]
    assert finding.severity == severity
    assert finding.kind == kind.removesuffix("-metric")
    assert finding.message and finding.claims
    assert len(findings) == 1, [f.id for f in findings]


def test_consistent_graph_has_no_finding(make_kb: KBBuilder) -> None:
    findings = run_audit(make_kb, CONSISTENT)
    # the one attributed claim is checked, and its source says so
    assert [(f.id, f.outcome, f.severity) for f in findings] == [
        ("attribution-essay-y-share-report", "supported", "info")]


def test_recompute_says_what_reconciles(make_kb: KBBuilder) -> None:
    (finding,) = run_audit(make_kb, projection(2.0e20))
    numbers = finding.numbers
    assert numbers["stated"] == 2.0e20
    assert numbers["recomputed"] == pytest.approx(4.0e20)
    assert numbers["ratio"] == pytest.approx(0.5)
    assert numbers["implied_horizon_months"] == pytest.approx(12.0)
    assert numbers["implied_doubling_time_months"] == pytest.approx(24.0)
    assert finding.disputes == ("https://w3id.org/derive/kb/claim/compute-2027",)


def test_shares_within_rounding_are_only_a_note(make_kb: KBBuilder) -> None:
    (finding,) = run_audit(make_kb, shares(75.0, 14.0))  # 1.2e21 against 1.29e21
    assert finding.kind == "share-total"
    assert finding.severity == "info"
    assert finding.numbers["spread"] == pytest.approx(1.8e20 / 0.14 / 1.2e21 - 1)


def test_a_stock_from_before_the_estimate_is_not_compared(make_kb: KBBuilder) -> None:
    facts = stock(1.0e20).replace('"2025"^^xsd:gYear', '"2023"^^xsd:gYear')
    assert run_audit(make_kb, facts) == []


# --------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------

def test_strict_exit_codes(make_kb: KBBuilder, invoke: Callable[..., Result]) -> None:
    make_kb.write("facts.ttl", BASE + projection(2.0e20))
    assert invoke("audit", kb=make_kb).exit_code == 0
    strict = invoke("audit", "--strict", kb=make_kb)
    assert strict.exit_code == 1
    assert "recompute-compute-2027" in strict.output


def test_strict_passes_with_warnings_only(make_kb: KBBuilder,
                                          invoke: Callable[..., Result]) -> None:
    make_kb.write("facts.ttl", BASE + stock(1.0e20))
    result = invoke("audit", "--strict", kb=make_kb)
    assert result.exit_code == 0, result.output
    assert "WARNING" in result.output


def test_json_shape(make_kb: KBBuilder, invoke: Callable[..., Result]) -> None:
    make_kb.write("facts.ttl", BASE + projection(2.0e20))
    result = invoke("audit", "--format", "json", kb=make_kb)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert list(data) == ["findings"]
    (finding,) = data["findings"]
    assert {"id", "severity", "kind", "message", "claims", "sources", "numbers",
            "disputes"} <= set(finding)
    assert finding["id"] == "recompute-compute-2027"
    assert all(isinstance(v, float) for v in finding["numbers"].values())
    assert {"iri", "name"} == set(finding["claims"][0])
    assert finding["sources"][0]["name"] == "The essay 2025"


def test_markdown_and_empty_text(make_kb: KBBuilder, invoke: Callable[..., Result]) -> None:
    make_kb.write("facts.ttl", BASE + projection(2.0e20))
    markdown = invoke("audit", "--format", "md", kb=make_kb).output
    assert markdown.startswith("# Audit")
    assert "## recompute-compute-2027" in markdown


def test_rdf_output(make_kb: KBBuilder, invoke: Callable[..., Result], tmp_path: Path) -> None:
    from rdflib import Graph, Namespace, URIRef

    make_kb.write("facts.ttl", BASE + projection(2.0e20))
    out = tmp_path / "findings.ttl"
    assert invoke("audit", "--rdf", str(out), kb=make_kb).exit_code == 0
    graph = Graph().parse(out, format="turtle")
    dv = Namespace("https://w3id.org/derive/ns#")
    node = URIRef("https://w3id.org/derive/kb/finding/recompute-compute-2027")
    assert (node, None, dv.Finding) in graph
    assert str(graph.value(node, dv.severity)) == "error"
    assert str(graph.value(node, dv.findingKind)) == "recompute"
    disputed = URIRef("https://w3id.org/derive/kb/claim/compute-2027")
    assert (node, URIRef("http://purl.org/spar/cito/disputes"), disputed) in graph
    used = set(graph.objects(node, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))
    assert URIRef("https://w3id.org/derive/kb/claim/base-compute") in used


def test_findings_graph_is_a_library_function() -> None:
    finding = Finding("x", "info", "share-total", "A note.")
    graph = findings_graph([finding])
    assert len(graph) > 0


# --------------------------------------------------------------------------
# The shipped essay
# --------------------------------------------------------------------------

SHIPPED = {
    "recompute-frontier-training-compute-2027",  # (a) one doubling instead of 2 years
    "recompute-china-ai-compute-2027",  # (b) one year of growth instead of two
    "unit-china-ai-compute-capacity-lax-cloud",  # (c) FLOP printed for FLOP/s
    "share-total-ai-supercomputer-performance-2025",  # (d) 1.21e21 against 1.27e21
}
# the three essay premises held against Epoch AI's table, and the premises no data address
EVIDENCE = {"evidence-largest-training-compute", "evidence-training-compute-doubling-time",
            "evidence-us-largest-ai-models", "evidence-unchecked"}
STOCK = "exceeds-stock-huawei-dies-compute-china-ai-supercomputer-performance"  # (e)
HUAWEI_IN_CHINA = "ent:huawei schema:location ent:china .\n"


def _huawei_located(root: Path) -> bool:
    """Whether the facts say where Huawei is (entities.ttl, when it records it)."""
    from rdflib import URIRef

    from derive.kb import store

    graph = store.load(locate(root)).graph
    location = graph.value(URIRef("https://w3id.org/derive/kb/entity/huawei"),
                           URIRef("https://schema.org/location"))
    return str(location) == "https://w3id.org/derive/kb/entity/china"


def _check_shipped(findings: list[Finding], with_stock: bool) -> None:
    by_id = {f.id: f for f in findings if f.kind != "attribution"}  # see test_attribution.py
    assert set(by_id) == SHIPPED | EVIDENCE | ({STOCK} if with_stock else set())
    a = by_id["recompute-frontier-training-compute-2027"]
    assert a.severity == "error"
    assert a.numbers["stated"] == pytest.approx(1.2e24)
    assert 3.2e24 < a.numbers["recomputed"] < 3.8e24
    assert a.numbers["implied_horizon_months"] == pytest.approx(9.5)
    assert a.numbers["implied_doubling_time_months"] == pytest.approx(24.0)
    b = by_id["recompute-china-ai-compute-2027"]
    assert b.scenario == "lax-cloud-controls"
    assert b.numbers["recomputed"] == pytest.approx(1.9e20 * 1.65**2)
    assert b.numbers["implied_horizon_years"] == pytest.approx(1.0)
    assert b.numbers["implied_rate_percent_per_year"] == pytest.approx(100 * (1.65**0.5 - 1))
    c = by_id["unit-china-ai-compute-capacity-lax-cloud"]
    assert "FLOP/s" in c.message and "FLOP " in c.message
    d = by_id["share-total-ai-supercomputer-performance-2025"]
    assert d.severity == "info"
    assert d.numbers["implied_total_united-states"] == pytest.approx(9.1e20 / 0.75)
    assert d.numbers["implied_total_china"] == pytest.approx(1.9e20 / 0.15)
    if with_stock:
        e = by_id[STOCK]
        assert e.severity == "warning"
        assert e.numbers["ratio"] == pytest.approx(1e6 * 9.894e14 / 1.9e20)
        assert "deployed" in e.message


def test_shipped_kb_findings() -> None:
    findings = audit(locate(PROJECT))
    _check_shipped(findings, with_stock=_huawei_located(PROJECT))


def test_shipped_kb_with_huawei_located_in_china(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    for folder in ("ontology", "facts"):
        shutil.copytree(PROJECT / folder, root / folder)
    if not _huawei_located(root):
        from conftest import PROLOGUE

        (root / "facts" / "huawei-location.ttl").write_text(PROLOGUE + HUAWEI_IN_CHINA,
                                                             encoding="utf-8")
    _check_shipped(audit(locate(root)), with_stock=True)


def test_count_agreeing_with_its_stated_share_is_a_note(make_kb: KBBuilder) -> None:
    (finding,) = run_audit(make_kb, count_share(71.0))  # 338 / 476 = 71.0%
    assert (finding.kind, finding.severity) == ("count-share", "info")
    assert finding.numbers["implied_share_percent"] == pytest.approx(100 * 338 / 476)


def test_counts_without_a_stated_share_give_nothing(make_kb: KBBuilder) -> None:
    facts = count_share(71.0).split("claim:x-models-share")[0]
    assert run_audit(make_kb, facts) == []


def test_query_sees_the_findings(invoke: Callable[..., Result]) -> None:
    query = ("SELECT ?claim WHERE { ?f a dv:Finding ; dv:severity \"error\" ; "
             "cito:disputes ?claim } ORDER BY ?claim")
    result = invoke("query", query, "--format", "csv", kb=PROJECT)
    assert result.exit_code == 0, result.output
    assert "claim/largest-training-compute-2027" in result.output
    assert "claim/china-ai-compute-capacity-lax-cloud" in result.output
