"""Estimates over sets of claims: the fit against a hand-computed answer,
selections (window, entity, frontier, duplicates, missing values), the largest
value, counts and sums, a trend feeding a projection as a distribution, a
scenario that takes its inputs from the data, and the trail."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import KBBuilder

from derive.engine import trends
from derive.errors import ModelError

CHROMIUM = Path("/usr/bin/chromium")

TABLE_SOURCE = """\
src:table a <http://www.w3.org/ns/dcat#Dataset> ; dcterms:title "A table of models" ;
    dcterms:issued "2024-06-01"^^xsd:date ; dcterms:license "CC BY 4.0" ;
    dcterms:publisher "Some Publisher" .
src:paper-a a bibo:Document ; dcterms:title "Paper A" ; dcterms:issued "2003"^^xsd:gYear .
ent:us a dv:Country ; rdfs:label "United States"@en .
ent:cn a dv:Country ; rdfs:label "China"@en .
ent:org-a a dv:Organization ; rdfs:label "Org A"@en ; schema:location ent:us .
ent:org-b a dv:Organization ; rdfs:label "Org B"@en ; schema:location ent:cn .
"""

# log10 of the values (less 20) are 0, 1.1, 1.9 and 3.0 on four consecutive years:
# by hand, slope 0.98 a year, residuals -0.03, 0.09, -0.09, 0.03 (SSR 0.018), s² = 0.009,
# SE(slope) = sqrt(0.009 / 5), t(0.95, 2) = 2.919986, R² = 1 - 0.018 / 4.82.
HAND = [("m1", "org-a", "2000", 1.0e20), ("m2", "org-b", "2001", 1.2589254117941673e21),
        ("m3", "org-a", "2002", 7.943282347242814e21), ("m4", "org-a", "2003", 1.0e23)]
SLOPE, SE, T90 = 0.98, math.sqrt(0.009 / 5), 2.919985580355516
R2 = 1 - 0.018 / 4.82


def row(name: str, org: str, date: str, value: float, number: int,
        source: str = "src:table") -> str:
    kind = "gYear" if len(date) == 4 else ("gYearMonth" if len(date) == 7 else "date")
    return f"""
ent:{name} a dv:AIModel ; rdfs:label "{name.upper()}"@en ; schema:creator ent:{org} .
claim:{name}-compute a dv:QuantitativeClaim ;
    rdfs:label "Training compute of {name.upper()}"@en ;
    dv:about ent:{name} ;
    dv:metric metric:training-compute ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value {value!r} ; qudt:hasUnit dvu:FLOP ] ;
    dv:asOf "{date}"^^xsd:{kind} ;
    prov:wasQuotedFrom {source} ;
    cito:citesAsEvidence src:paper-a ;
    dv:quote [ a oa:SpecificResource ; oa:hasSource {source} ;
        oa:hasSelector [ a oa:FragmentSelector ;
            dcterms:conformsTo <http://tools.ietf.org/rfc/rfc7111> ; rdf:value "row={number}" ] ] .
"""


def table(rows: list[tuple[str, str, str, float]]) -> str:
    return TABLE_SOURCE + "".join(row(*item, number=i + 2) for i, item in enumerate(rows))


SELECTION = """
sel:models a dv:Selection ; rdfs:label "Models of the table"@en ;
    dv:ofMetric metric:training-compute ; dv:quotedFrom src:table {extra} .
"""


def trend(unit: str = "unit:MO", method: str = "LogLinearTrend", target: str = "") -> str:
    date = f'; dv:targetDate "{target}"^^xsd:gYear' if target else ""
    return f"""
est:trend a dv:Estimate ; rdfs:label "Doubling time of training compute"@en ;
    dv:method dv:{method} ; dv:selection sel:models ; dv:unit {unit} {date} .
"""


def kb_with(make_kb: KBBuilder, rows: list[tuple[str, str, str, float]], estimates: str,
            selection_extra: str = "") -> KBBuilder:
    make_kb.write("table.ttl", "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
                  "@prefix sel: <https://w3id.org/derive/kb/selection/> .\n" + table(rows))
    make_kb.write("estimates.ttl", "@prefix sel: <https://w3id.org/derive/kb/selection/> .\n"
                  + SELECTION.format(extra=f"; {selection_extra}" if selection_extra else "")
                  + estimates)
    return make_kb


def as_json(invoke, kb: KBBuilder, *args: str) -> dict:
    result = invoke("estimate", *args, "--format", "json", kb=kb.root)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_ols_fit_matches_the_hand_computed_answer() -> None:
    fit = trends.fit([2000.5, 2001.5, 2002.5, 2003.5], [v for *_, v in HAND])
    assert fit.n == 4
    assert fit.slope == pytest.approx(SLOPE, rel=1e-9)
    assert fit.slope_low == pytest.approx(SLOPE - T90 * SE, rel=1e-9)
    assert fit.slope_high == pytest.approx(SLOPE + T90 * SE, rel=1e-9)
    assert fit.r2 == pytest.approx(R2, rel=1e-9)
    assert fit.doubling_years * 12 == pytest.approx(12 * math.log10(2) / SLOPE, rel=1e-9)
    assert fit.growth_per_year == pytest.approx(10**SLOPE - 1, rel=1e-9)


def test_theil_sen_is_robust_to_one_outlier() -> None:
    xs = [2000.5, 2001.5, 2002.5, 2003.5, 2004.5]
    values = [1e20, 1e21, 1e22, 1e23, 1e30]  # one wild row
    assert trends.fit(xs, values, "theil-sen").slope == pytest.approx(1.0)
    assert trends.fit(xs, values, "ols").slope != pytest.approx(1.0, rel=0.05)


@pytest.mark.parametrize("values,message", [
    ([1e20, 1e21], "at least 3 points"),
    ([1e20, -1.0, 1e22], "positive values"),
])
def test_fit_refuses_what_it_cannot_fit(values: list[float], message: str) -> None:
    with pytest.raises(ModelError, match=message):
        trends.fit([2000.0, 2001.0, 2002.0][: len(values)], values)


def test_trend_estimate_gives_doubling_time_interval_n_and_r2(make_kb, invoke) -> None:
    kb = kb_with(make_kb, HAND, trend())
    data = as_json(invoke, kb, "trend")
    doubling = 12 * math.log10(2)
    assert data["value"] == pytest.approx(doubling / SLOPE, rel=1e-9)
    assert data["interval"]["low"] == pytest.approx(doubling / (SLOPE + T90 * SE), rel=1e-9)
    assert data["interval"]["high"] == pytest.approx(doubling / (SLOPE - T90 * SE), rel=1e-9)
    selection = data["inputs"][0]
    assert selection["kind"] == "data" and selection["id"] == "models"
    assert selection["fit"]["n"] == 4
    assert selection["fit"]["r2"] == pytest.approx(R2, rel=1e-9)
    assert [r["id"] for r in selection["rows"]] == [f"m{i}-compute" for i in range(1, 5)]
    assert selection["stated_in"]["id"] == "table"
    assert "table" in [c["id"] for c in data["citations"]]


def test_trend_as_growth_per_year(make_kb, invoke) -> None:
    kb = kb_with(make_kb, HAND, trend(unit="unit:PERCENT-PER-YR"))
    data = as_json(invoke, kb, "trend")
    assert data["value"] == pytest.approx(100 * (10**SLOPE - 1), rel=1e-9)


def test_trend_in_a_unit_that_is_no_time_nor_rate_is_refused(make_kb, invoke) -> None:
    kb = kb_with(make_kb, HAND, trend(unit="dvu:FLOP"))
    result = invoke("estimate", "trend", kb=kb.root)
    assert result.exit_code == 1
    assert "doubling time" in result.output and "dvu:FLOP" in result.output


def test_target_date_cuts_the_rows(make_kb, invoke) -> None:
    kb = kb_with(make_kb, HAND, trend(target="2002"))
    data = as_json(invoke, kb, "trend")
    assert data["inputs"][0]["fit"]["n"] == 3


def test_window_duplicates_and_values_out_of_the_fit(make_kb, invoke) -> None:
    rows = [*HAND, ("m0", "org-a", "1990", 5e10)]
    kb = kb_with(make_kb, rows, trend(), 'dv:since "2000"^^xsd:gYear ; '
                 'dv:until "2003"^^xsd:gYear')
    # the same model stated twice on the same date counts once
    kb.write("dup.ttl", """
claim:m4-again a dv:QuantitativeClaim ; rdfs:label "again"@en ; dv:about ent:m4 ;
    dv:metric metric:training-compute ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value 1.0E23 ; qudt:hasUnit dvu:FLOP ] ;
    dv:asOf "2003"^^xsd:gYear ; prov:wasQuotedFrom src:table .
claim:m5-undated a dv:QuantitativeClaim ; rdfs:label "undated"@en ; dv:about ent:m4 ;
    dv:metric metric:training-compute ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value 5.0E25 ; qudt:hasUnit dvu:FLOP ] ;
    prov:wasQuotedFrom src:table .
""")
    data = as_json(invoke, kb, "trend")
    selection = data["inputs"][0]
    assert selection["fit"]["n"] == 4  # 1990 is outside the window
    assert data["value"] == pytest.approx(12 * math.log10(2) / SLOPE, rel=1e-9)
    assert any("1 duplicates" in line for line in selection["details"])
    assert any("1 has no date" in line for line in selection["details"])


FRONTIER_ROWS = [("a", "org-a", "2010", 1e20), ("b", "org-a", "2011", 1e19),
                 ("c", "org-b", "2012", 1e22), ("d", "org-a", "2013", 5e19),
                 ("e", "org-a", "2014", 1e23)]


def test_frontier_keeps_the_top_n_at_release(make_kb, invoke) -> None:
    kb = kb_with(make_kb, FRONTIER_ROWS, trend(), "dv:frontierTop 2")
    data = as_json(invoke, kb, "trend")
    # b is 2nd of 2 when it appears (kept); d has a and c above it (left out)
    assert [r["id"] for r in data["inputs"][0]["rows"]] == [
        "a-compute", "b-compute", "c-compute", "e-compute"]


LARGEST = """
est:largest a dv:Estimate ; rdfs:label "Largest training compute"@en ;
    dv:method dv:LargestValue ; dv:selection sel:models ; dv:unit dvu:FLOP ;
    dv:targetDate "2013"^^xsd:gYear .
"""


def test_largest_value_as_of_a_date(make_kb, invoke) -> None:
    kb = kb_with(make_kb, FRONTIER_ROWS, LARGEST)
    data = as_json(invoke, kb, "largest")
    assert data["value"] == 1e22
    winner = data["inputs"][0]["inputs"][0]
    assert winner["id"] == "c-compute" and winner["role"] == "largest"
    assert winner["as_of"] == "2012"
    assert winner["stated_in"]["id"] == "table"
    assert [s["id"] for s in winner["sources"]] == ["paper-a"]


COUNT = """
est:us-count a dv:Estimate ; rdfs:label "US models among the 3 largest"@en ;
    dv:method dv:CountShare ; dv:selection sel:models ; dv:involving ent:us ;
    dv:amongTop 3 ; dv:unit unit:NUM ; dv:targetDate "2014"^^xsd:gYear .
est:us-share a dv:Estimate ; rdfs:label "US share of the 3 largest"@en ;
    dv:method dv:CountShare ; dv:selection sel:models ; dv:involving ent:us ;
    dv:amongTop 3 ; dv:unit unit:PERCENT ; dv:targetDate "2014"^^xsd:gYear .
est:us-compute-share a dv:Estimate ; rdfs:label "US share of all training compute"@en ;
    dv:method dv:SumShare ; dv:selection sel:models ; dv:involving ent:us ;
    dv:unit unit:PERCENT ; dv:targetDate "2014"^^xsd:gYear .
est:cn-compute a dv:Estimate ; rdfs:label "Chinese training compute"@en ;
    dv:method dv:SumShare ; dv:selection sel:models ; dv:involving ent:cn ;
    dv:unit dvu:FLOP ; dv:targetDate "2014"^^xsd:gYear .
"""


@pytest.mark.parametrize("name,expected", [
    ("us-count", 2.0),  # e (US), c (China), a (US)
    ("us-share", 100 * 2 / 3),
    ("us-compute-share", 100 * (1e20 + 1e19 + 5e19 + 1e23) / (1e20 + 1e19 + 1e22 + 5e19 + 1e23)),
    ("cn-compute", 1e22),
])
def test_counts_and_sums(make_kb, invoke, name: str, expected: float) -> None:
    kb = kb_with(make_kb, FRONTIER_ROWS, COUNT)
    assert as_json(invoke, kb, name)["value"] == pytest.approx(expected, rel=1e-9)


def test_count_explain_lists_the_pool(make_kb, invoke) -> None:
    kb = kb_with(make_kb, FRONTIER_ROWS, COUNT)
    result = invoke("estimate", "us-count", "--explain", kb=kb.root)
    assert result.exit_code == 0, result.output
    assert "2 of the 3 largest by value as of 2014 involve United States" in result.output
    assert "✓ Training compute of E (2014)" in result.output
    assert "· Training compute of C (2012)" in result.output
    assert "(CC BY 4.0)" in result.output


PROJECTION = """
claim:base a dv:QuantitativeClaim ; rdfs:label "stated base"@en ; dv:about ent:us ;
    dv:metric metric:training-compute ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value 1.0E23 ; qudt:hasUnit dvu:FLOP ] ;
    dv:asOf "2003"^^xsd:gYear ; prov:wasQuotedFrom src:paper-a .
est:projection a dv:Estimate ; rdfs:label "Projection"@en ;
    dv:method dv:DoublingProjection ;
    dv:input [ dv:role "base" ; dv:from claim:base ] ,
             [ dv:role "doublingTime" ; dv:from est:trend ] ;
    dv:targetDate "2005"^^xsd:gYear ; dv:unit dvu:FLOP .
est:largest a dv:Estimate ; rdfs:label "Largest"@en ;
    dv:method dv:LargestValue ; dv:selection sel:models ; dv:unit dvu:FLOP ;
    dv:targetDate "2002"^^xsd:gYear .
scen:stated a dv:Scenario ; rdfs:label "Stated"@en ; dv:isDefault true .
scen:data a dv:Scenario ; rdfs:label "From the data"@en ;
    dv:binding [ dv:replaces claim:base ; dv:from est:largest ] .
"""


def test_a_trend_feeds_a_projection_as_a_distribution(make_kb, invoke) -> None:
    kb = kb_with(make_kb, HAND, trend() + PROJECTION)
    data = as_json(invoke, kb, "projection")
    assert data["value"] == pytest.approx(1e23 * 10 ** (2 * SLOPE), rel=1e-9)
    low, high = data["interval"]["low"], data["interval"]["high"]
    assert 1e23 * 10 ** (2 * (SLOPE - T90 * SE)) * 0.97 < low < data["value"]
    assert data["value"] < high < 1e23 * 10 ** (2 * (SLOPE + T90 * SE)) * 1.03
    assert data["sensitivity"][0]["input"] == "trend"


def test_a_scenario_takes_the_base_from_the_data(make_kb, invoke) -> None:
    kb = kb_with(make_kb, HAND, trend() + PROJECTION)
    data = as_json(invoke, kb, "projection", "--scenario", "data")
    # the largest as of 2002 is m3 (10^21.9), projected from 2002 to 2005
    assert data["value"] == pytest.approx(7.943282347242814e21 * 10 ** (3 * SLOPE), rel=1e-9)
    base = next(node for node in data["inputs"] if node["role"] == "base")
    assert base["id"] == "largest" and base["kind"] == "estimate"


def test_explain_shows_count_and_extremes_not_every_row(make_kb, invoke) -> None:
    rows = [(f"r{i}", "org-a", str(1990 + i), 10.0 ** (18 + i / 3)) for i in range(30)]
    kb = kb_with(make_kb, rows, trend())
    result = invoke("estimate", "trend", "--explain", kb=kb.root)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "selection models: Models of the table" in out
    assert "30 rows, dated 1990 to 2019" in out
    assert "OLS fit of log10 values on 30 rows" in out
    assert "earliest and smallest: claim r0-compute" in out
    assert "latest and largest: claim r29-compute" in out
    assert "at: row 31" in out  # the row of the table, from its RFC 7111 selector
    assert "r15-compute" not in out


def test_undeclared_selection_is_a_model_error(make_kb, invoke) -> None:
    make_kb.write("e.ttl", """
@prefix sel: <https://w3id.org/derive/kb/selection/> .
est:trend a dv:Estimate ; rdfs:label "t"@en ; dv:method dv:LogLinearTrend ;
    dv:selection sel:nowhere ; dv:unit unit:MO .
""")
    result = invoke("estimate", "trend", kb=make_kb.root)
    assert result.exit_code == 1
    assert "sel:nowhere is not declared" in result.output


PREMISE = """
src:essay a bibo:Document ; dcterms:title "The essay" ; dcterms:issued "2004"^^xsd:gYear .
claim:essay-doubling a dv:QuantitativeClaim ; rdfs:label "Doubling time the essay states"@en ;
    dv:about ent:us ; dv:metric metric:training-compute-doubling-time ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value 6.0E0 ; qudt:hasUnit unit:MO ] ;
    dv:asOf "2004"^^xsd:gYear ; dv:statedAs dv:Premise ; prov:wasQuotedFrom src:essay ;
    dv:quote [ a oa:SpecificResource ; oa:hasSource src:essay ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "it doubles every 6 months" ] ] .
est:trend dv:evidenceFor claim:essay-doubling .
"""


def _sheet(make_kb: KBBuilder, invoke, tmp_path, fmt: str):
    kb = kb_with(make_kb, HAND, trend() + PREMISE)
    out = tmp_path / "site"
    result = invoke("sheet", "trend", "--out", str(out), "--format", fmt, kb=kb.root)
    assert result.exit_code == 0, result.output
    return out


def test_trend_sheet_has_the_chart_and_the_rows(make_kb, invoke, tmp_path) -> None:
    out = _sheet(make_kb, invoke, tmp_path, "html")
    html = (out / "estimate-trend.html").read_text(encoding="utf-8")
    assert html.count('<circle class="row"') == 4
    assert '<polyline class="fit"' in html and '<polygon class="band"' in html
    assert 'class="premise"' in html and "doubling every 6 mo" in html
    assert "All 4 rows" in html and "row 5" in html  # the table lists every row
    assert "licence CC BY 4.0" in html


def test_trend_sheet_in_markdown_writes_the_chart(make_kb, invoke, tmp_path) -> None:
    out = _sheet(make_kb, invoke, tmp_path, "md")
    text = (out / "estimate-trend.md").read_text(encoding="utf-8")
    charts = sorted(p.name for p in out.glob("*--data-*.svg"))
    assert charts and f"]({charts[0]})" in text
    assert "| Training compute of M4 | 2003 |" in text


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_chromium_renders_the_trend_chart(make_kb, invoke, tmp_path) -> None:
    out = _sheet(make_kb, invoke, tmp_path, "html")
    profile = tmp_path / "profile"
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
        "--dump-dom", (out / "estimate-trend.html").as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    # the browser parsed the inline SVG into elements: four rows, the fit, its band
    assert dom.count('<circle class="row"') == 4
    assert '<polyline class="fit"' in dom and '<polygon class="band"' in dom
    assert [line for line in done.stderr.splitlines() if "Uncaught" in line] == []
    shutil.rmtree(profile, ignore_errors=True)


def test_a_joint_row_counts_for_each_country(make_kb, invoke) -> None:
    kb = kb_with(make_kb, FRONTIER_ROWS, COUNT.replace("ent:us ;", "ent:cn ;", 1))
    # the largest model (e, by Org A in the US) also lists China on its own row
    kb.write("joint.ttl", "ent:e schema:countryOfOrigin ent:cn .\n")
    assert as_json(invoke, kb, "us-count")["value"] == 2.0  # e and c involve China
    assert as_json(invoke, kb, "us-share")["value"] == pytest.approx(200 / 3)
