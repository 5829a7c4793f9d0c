"""derive audit against the data: a premise the data contradict beyond its
precision is an error, one they support is said so, the cut-off dates at which
a stated figure held are found, and premises without data are unchecked."""

from __future__ import annotations

import json

import pytest
from conftest import KBBuilder
from test_trends import FRONTIER_ROWS, HAND, kb_with, trend

ESSAY = """
src:essay a bibo:Document ; dcterms:title "The essay" ; dcterms:issued "2014"^^xsd:gYear .
"""


def premise(name: str, value: str, unit: str, as_of: str, metric: str,
            bounds: str = "") -> str:
    return f"""
claim:{name} a dv:QuantitativeClaim ; rdfs:label "{name}"@en ; dv:about ent:us ;
    dv:metric {metric} ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value {value} ; {bounds} qudt:hasUnit {unit} ] ;
    dv:asOf "{as_of}"^^xsd:gYear ; dv:statedAs dv:Premise ; prov:wasQuotedFrom src:essay ;
    dv:quote [ a oa:SpecificResource ; oa:hasSource src:essay ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "{name}" ] ] .
"""


LARGEST = """
est:largest a dv:Estimate ; rdfs:label "Largest training compute"@en ;
    dv:method dv:LargestValue ; dv:selection sel:models ; dv:unit dvu:FLOP ;
    dv:targetDate "2014"^^xsd:gYear ; dv:evidenceFor claim:largest .
"""


def audit_json(invoke, kb: KBBuilder) -> dict[str, dict]:
    result = invoke("audit", "--format", "json", kb=kb.root)
    assert result.exit_code == 0, result.output
    return {f["id"]: f for f in json.loads(result.output)["findings"]}


@pytest.mark.parametrize("stated,severity,consistent", [
    ("1.0E23", "info", True),  # the largest as of 2014 is e, 1e23
    ("1.0E22", "error", False),  # c, the largest up to 2013
])
def test_largest_premise_against_the_data(make_kb, invoke, stated: str, severity: str,
                                          consistent: bool) -> None:
    kb = kb_with(make_kb, FRONTIER_ROWS, ESSAY + LARGEST
                 + premise("largest", stated, "dvu:FLOP", "2014", "metric:training-compute"))
    finding = audit_json(invoke, kb)["evidence-largest"]
    assert finding["severity"] == severity and finding["kind"] == "evidence"
    evidence = finding["evidence"]
    assert evidence["consistent"] is consistent
    assert evidence["data"]["value"] == 1e23 and evidence["data"]["rows"] == 5
    assert evidence["data"]["as_of"] == "2014" and evidence["data"]["selection"] == "sel:models"
    assert finding["estimate"]["name"] == "est:largest"
    if consistent:
        assert "consistent" in finding["message"]
        assert finding["disputes"] == []
    else:
        assert evidence["ratio"] == pytest.approx(0.1)
        assert finding["disputes"] == ["https://w3id.org/derive/kb/claim/largest"]
        # 1e22 was the largest for data published from 2012 to the end of 2013
        assert evidence["held_for_cutoffs"] == [{"from": "2012-07", "to": "2014-06"}]
        assert "2012-07 to 2014-06" in finding["message"]


def test_trend_premise_against_its_interval(make_kb, invoke) -> None:
    doubling = premise("doubling", "6.0E0", "unit:MO", "2004",
                       "metric:training-compute-doubling-time",
                       "schema:minValue 5.0E0 ; schema:maxValue 7.0E0 ;")
    kb = kb_with(make_kb, HAND, ESSAY + trend() + doubling
                 + "est:trend dv:evidenceFor claim:doubling .\n")
    finding = audit_json(invoke, kb)["evidence-doubling"]
    # the data: 3.69 months (90% 3.27 to 4.22): the stated 5 to 7 months is off
    assert finding["severity"] == "error"
    assert finding["evidence"]["data"]["value"] == pytest.approx(3.686, rel=1e-3)
    assert "outside its stated range" in finding["message"]


def test_unchecked_premises_are_listed(make_kb, invoke) -> None:
    kb = kb_with(make_kb, FRONTIER_ROWS, ESSAY + LARGEST
                 + premise("largest", "1.0E23", "dvu:FLOP", "2014", "metric:training-compute")
                 + premise("other", "5.0E0", "unit:NUM", "2014", "metric:largest-ai-models"))
    found = audit_json(invoke, kb)
    assert found["evidence-unchecked"]["evidence"]["unchecked"] == ["other"]
    assert found["evidence-unchecked"]["severity"] == "info"


def test_no_rows_for_the_premise_date_is_a_warning(make_kb, invoke) -> None:
    kb = kb_with(make_kb, FRONTIER_ROWS, ESSAY + LARGEST
                 + premise("largest", "1.0E23", "dvu:FLOP", "2001", "metric:training-compute"))
    finding = audit_json(invoke, kb)["evidence-largest"]
    assert finding["severity"] == "warning"
    assert "gives no value for 2001" in finding["message"]


def test_a_selection_without_metric_fails_validation(make_kb, invoke) -> None:
    make_kb.write("s.ttl", "@prefix sel: <https://w3id.org/derive/kb/selection/> .\n"
                  'sel:bad a dv:Selection ; rdfs:label "bad"@en ; dv:frontierTop 0 .\n')
    result = invoke("validate", kb=make_kb.root)
    assert result.exit_code == 1
    assert "needs exactly one dv:ofMetric" in result.output
    assert "dv:frontierTop must be one positive" in result.output


# The shipped knowledge base: the essay's three premises against Epoch AI's table as
# imported into facts/imported/ (what the table gives is asserted loosely, so that a
# new version of the table changes only the figures, not the verdicts).
SHIPPED_PREMISES = {
    "evidence-largest-training-compute": "error",  # 6e23 against a 2025 frontier far above it
    "evidence-training-compute-doubling-time": "error",  # 9-10 months against about 5
    "evidence-us-largest-ai-models": "error",  # 18 of 25 against the 2025 count
}


def test_shipped_premises_against_the_data() -> None:
    from conftest import PROJECT

    from derive.audit import audit
    from derive.kb import locate

    found = {f.id: f for f in audit(locate(PROJECT))}
    for name, severity in SHIPPED_PREMISES.items():
        assert found[name].severity == severity, found[name].message
        assert found[name].evidence["data"]["rows"] > 100
        assert found[name].estimate is not None
    largest = found["evidence-largest-training-compute"].evidence
    assert largest["data"]["value"] > 1e26 and largest["data"]["as_of"] == "2025"
    doubling = found["evidence-training-compute-doubling-time"].evidence
    assert 3 < doubling["data"]["low"] < doubling["data"]["high"] < 8
    count = found["evidence-us-largest-ai-models"].evidence
    assert count["held_for_cutoffs"]  # 18 of the 25 held at some earlier cut-off
    unchecked = found["evidence-unchecked"].evidence["unchecked"]
    assert "us-notable-ai-models" in unchecked
    assert not any(name.startswith("epoch-") for name in unchecked)


def test_shipped_projection_from_the_data(invoke) -> None:
    from conftest import PROJECT

    result = invoke("estimate", "frontier-training-compute-2027", "--scenario", "epoch-data",
                    "--format", "json", kb=PROJECT)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["interval"]["low"] < data["value"] < data["interval"]["high"]
    base = next(node for node in data["inputs"] if node["role"] == "base")
    winner = base["inputs"][0]["inputs"][0]
    assert winner["role"] == "largest" and winner["locator"].startswith("row ")
    assert winner["stated_in"]["id"] == "epoch-notable-ai-models" and winner["sources"]
    assert winner["quote"]  # the cell's text
