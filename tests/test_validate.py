"""`derive validate`: every shape rejects what a careless curator writes.

Each case starts from the valid knowledge base below, breaks one thing, and
checks the exit code and that the reported line names the file, the claim
(or source) and the fix.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import NamedTuple

import pytest
from click.testing import Result

from derive.kb import KnowledgeBase
from derive.validate import validate
from tests.conftest import PROJECT, KBBuilder

ESSAY_TEXT = """\
Compute and Its Discontents

Training compute doubles around every
9-10 months, according to some estimates. [1]
The United States holds about 75% of all AI supercomputer performance.
Export controls were tightened in 2022.
"""

SOURCES = """\
src:essay a bibo:Document ;
    dcterms:title "Compute and Its Discontents" ;
    dcterms:issued "2025"^^xsd:gYear ;
    dv:localText "texts/essay.txt" .

src:report a bibo:Report ;
    dcterms:title "Trends in Compute" ;
    dcterms:issued "2024-03"^^xsd:gYearMonth .

src:citation-1 a cito:Citation ;
    cito:hasCitingEntity src:essay ;
    cito:hasCitedEntity src:report ;
    dv:citationLabel "[1]" .
"""

ENTITIES = """\
ent:frontier-runs a dv:Aggregate ; rdfs:label "frontier training runs"@en .
ent:united-states a dv:Country ; rdfs:label "United States"@en .
ent:export-controls a dv:Policy ; rdfs:label "export controls"@en .
"""

CLAIMS = """\
claim:doubling a dv:QuantitativeClaim ;
    dv:about ent:frontier-runs ;
    dv:metric metric:training-compute-doubling-time ;
    dv:quantity [ a qudt:QuantityValue ;
        qudt:value 9.5E0 ; schema:minValue 9.0E0 ; schema:maxValue 1.0E1 ;
        qudt:hasUnit unit:MO ] ;
    dv:asOf "2025"^^xsd:gYear ;
    prov:wasQuotedFrom src:essay ;
    cito:citesAsEvidence src:report ;
    dv:citationLabel "[1]" ;
    dv:quote [ a oa:SpecificResource ;
        oa:hasSource src:essay ;
        oa:hasSelector [ a oa:TextQuoteSelector ;
            oa:exact "Training compute doubles around every 9-10 months" ] ] .

claim:us-share a dv:QuantitativeClaim ;
    dv:about ent:united-states ;
    dv:metric metric:share-of-ai-supercomputer-performance ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value 75 ; qudt:hasUnit unit:PERCENT ] ;
    dv:asOf "2025-05"^^xsd:gYearMonth ;
    prov:wasQuotedFrom src:essay ;
    dv:quote [ a oa:SpecificResource ;
        oa:hasSource src:essay ;
        oa:hasSelector [ a oa:TextQuoteSelector ;
            oa:exact "holds about 75% of all AI supercomputer performance" ] ] .

claim:controls a dv:QualitativeClaim ;
    dv:about ent:export-controls ;
    dv:statement "Export controls were tightened in 2022." ;
    dv:asOf "2022-10-07"^^xsd:date ;
    prov:wasQuotedFrom src:essay ;
    dv:quote [ a oa:SpecificResource ;
        oa:hasSource src:essay ;
        oa:hasSelector [ a oa:TextQuoteSelector ;
            oa:exact "Export controls were tightened in 2022." ] ] .
"""

QUOTE_FROM_REPORT = """\
    prov:wasQuotedFrom src:report ;
    dv:quote [ a oa:SpecificResource ;
        oa:hasSource src:report ;
        oa:hasSelector [ a oa:TextQuoteSelector ;
            oa:exact "holds about 75% of all AI supercomputer performance" ] ] ."""

US_SHARE_QUOTE = """\
    prov:wasQuotedFrom src:essay ;
    dv:quote [ a oa:SpecificResource ;
        oa:hasSource src:essay ;
        oa:hasSelector [ a oa:TextQuoteSelector ;
            oa:exact "holds about 75% of all AI supercomputer performance" ] ] ."""


def build(
    make_kb: KBBuilder,
    *,
    claims: str = CLAIMS,
    sources: str = SOURCES,
    entities: str = ENTITIES,
    extra: str = "",
) -> KBBuilder:
    make_kb.write("sources.ttl", sources)
    make_kb.write("entities.ttl", entities)
    make_kb.write("claims.ttl", claims)
    if extra:
        make_kb.write("extra.ttl", extra)
    make_kb.write("texts/essay.txt", ESSAY_TEXT, prologue=False)
    return make_kb


def broken(template: str, old: str, new: str) -> str:
    assert template.count(old) == 1, f"fragment must occur once in the template: {old!r}"
    return template.replace(old, new)


class Case(NamedTuple):
    old: str  # fragment of CLAIMS (or SOURCES) to replace
    new: str
    focus: str  # claim or source the problem must be reported on
    fix: str  # words of the message that say what to fix
    file: str = "facts/claims.ttl"
    severity: str = "violation"
    template: str = "claims"


CASES: dict[str, Case] = {
    # claims
    "claim-without-quoted-from": Case(
        "    prov:wasQuotedFrom src:essay ;\n    cito:citesAsEvidence", "    cito:citesAsEvidence",
        "claim:doubling", "claim has no prov:wasQuotedFrom; add the source that states it",
    ),
    "claim-without-quote": Case(
        US_SHARE_QUOTE, "    prov:wasQuotedFrom src:essay .",
        "claim:us-share", "claim has no verbatim quote; add dv:quote",
    ),
    "quote-without-exact": Case(
        'oa:exact "Export controls were tightened in 2022." ', 'bibo:locator "p. 1" ',
        "claim:controls", "claim has no verbatim quote; add dv:quote",
    ),
    "claim-without-as-of": Case(
        '    dv:asOf "2025-05"^^xsd:gYearMonth ;\n', "",
        "claim:us-share", "claim has no dv:asOf; add the date the claim holds for",
    ),
    "as-of-not-a-date": Case(
        '"2025-05"^^xsd:gYearMonth', '"May 2025"',
        "claim:us-share", 'dv:asOf "May 2025" is not a date; type it xsd:gYear',
    ),
    "as-of-integer": Case(
        '"2025"^^xsd:gYear', "2025",
        "claim:doubling", "is not a date; type it xsd:gYear",
    ),
    "two-as-of-dates": Case(
        '"2022-10-07"^^xsd:date', '"2022-10-07"^^xsd:date , "2023"^^xsd:gYear',
        "claim:controls", "more than one dv:asOf; keep the one date",
    ),
    "quote-without-source": Case(
        US_SHARE_QUOTE, US_SHARE_QUOTE.replace("        oa:hasSource src:essay ;\n", ""),
        "claim:us-share", "the quote has no oa:hasSource; add the source it is taken from",
    ),
    "quote-source-differs": Case(
        US_SHARE_QUOTE, US_SHARE_QUOTE.replace("oa:hasSource src:essay", "oa:hasSource src:report"),
        "claim:us-share", "differs from the claim's prov:wasQuotedFrom; make both name the source",
    ),
    "citation-without-label": Case(
        '    dv:citationLabel "[1]" ;\n', "",
        "claim:doubling", "numbers its references; add the marker", severity="warning",
    ),
    "quote-from-other-source-without-locator": Case(
        US_SHARE_QUOTE, QUOTE_FROM_REPORT,
        "claim:us-share", "has no bibo:locator; add the page or section", severity="warning",
    ),
    "qualitative-without-statement": Case(
        '    dv:statement "Export controls were tightened in 2022." ;\n', "",
        "claim:controls", "qualitative claim has no dv:statement; add a short paraphrase",
    ),
    # quantities
    "quantitative-without-metric": Case(
        "    dv:metric metric:training-compute-doubling-time ;\n", "",
        "claim:doubling", "quantitative claim has no dv:metric; add what it measures",
    ),
    "quantitative-without-quantity": Case(
        "    dv:quantity [ a qudt:QuantityValue ; qudt:value 75 ; qudt:hasUnit unit:PERCENT ] ;\n",
        "", "claim:us-share", "quantitative claim has no dv:quantity; add dv:quantity",
    ),
    "quantity-without-value": Case(
        "qudt:value 75 ; ", "", "claim:us-share", "exactly one qudt:value; give the figure once",
    ),
    "quantity-with-two-values": Case(
        "qudt:value 75 ;", "qudt:value 75 , 76 ;",
        "claim:us-share", "exactly one qudt:value; give the figure once",
    ),
    "value-not-a-number": Case(
        "qudt:value 75 ;", 'qudt:value "75" ;',
        "claim:us-share", 'qudt:value "75" is not a number; write it as an xsd:double',
    ),
    "quantity-without-unit": Case(
        " ; qudt:hasUnit unit:PERCENT ]", " ]",
        "claim:us-share", "exactly one qudt:hasUnit; add the unit the figure is in",
    ),
    "unit-not-allowed-for-metric": Case(
        "qudt:hasUnit unit:MO", "qudt:hasUnit dvu:FLOP",
        "claim:doubling",
        "unit dvu:FLOP is not allowed for metric:training-compute-doubling-time; use one of "
        "its dv:allowedUnit values",
    ),
    "min-above-value": Case(
        "schema:minValue 9.0E0", "schema:minValue 9.9E0",
        "claim:doubling", "schema:minValue 9.9 is above qudt:value; the range must enclose",
    ),
    "max-below-value": Case(
        "schema:maxValue 1.0E1", "schema:maxValue 9.0E0",
        "claim:doubling", "schema:maxValue is below qudt:value 9.5; the range must enclose",
    ),
    "share-above-100-percent": Case(
        "qudt:value 75 ;", "qudt:value 175 ;",
        "claim:us-share", "175 unit:PERCENT is not a share: a share lies between 0 and 100",
    ),
    "share-above-1-unitless": Case(
        "qudt:value 75 ; qudt:hasUnit unit:PERCENT", "qudt:value 75 ; qudt:hasUnit unit:UNITLESS",
        "claim:us-share", "75 unit:UNITLESS is not a share",
    ),
    "negative-share": Case(
        "qudt:value 75 ;", "qudt:value -5 ;", "claim:us-share", "-5 unit:PERCENT is not a share",
    ),
    "non-positive-doubling-time": Case(
        "qudt:value 9.5E0 ; schema:minValue 9.0E0", "qudt:value 0.0E0 ; schema:minValue 0.0E0",
        "claim:doubling", "a duration (doubling time) must be positive; fix qudt:value",
    ),
    # what claims point at
    "about-not-an-entity": Case(
        "dv:about ent:united-states", "dv:about metric:training-compute",
        "claim:us-share", "dv:about metric:training-compute is not a dv:Entity; point it at",
    ),
    "metric-not-a-metric": Case(
        "dv:metric metric:training-compute-doubling-time", "dv:metric ent:frontier-runs",
        "claim:doubling", "dv:metric ent:frontier-runs is not a dv:Metric; use a metric",
    ),
    "quoted-from-missing-source": Case(
        "    prov:wasQuotedFrom src:essay ;\n    cito:citesAsEvidence",
        "    prov:wasQuotedFrom src:esay ;\n    cito:citesAsEvidence",
        "claim:doubling",
        "reference to a source that does not exist: src:esay has no dcterms:title or rdfs:label; "
        "fix the name",
    ),
    "cited-source-missing": Case(
        "cito:citesAsEvidence src:report", "cito:citesAsEvidence src:reprot",
        "claim:doubling", "reference to a source that does not exist: src:reprot",
    ),
    # quotes against the stored text
    "quote-not-verbatim": Case(
        "oa:exact \"Export controls were tightened in 2022.\"",
        "oa:exact \"Export controls were tightened in 2023.\"",
        "claim:controls",
        "quote is not verbatim in facts/texts/essay.txt: 'Export controls were tightened in "
        "2023.'; copy the words exactly",
    ),
    # sources
    "source-without-title": Case(
        '    dcterms:title "Trends in Compute" ;\n', "", "src:report",
        "source has no dcterms:title; add its title", file="facts/sources.ttl", template="sources",
    ),
    "source-without-year": Case(
        '    dcterms:issued "2024-03"^^xsd:gYearMonth .', '    rdfs:label "Trends" .', "src:report",
        "source has no dcterms:issued; add the year it was published",
        file="facts/sources.ttl", template="sources",
    ),
    "source-year-not-a-date": Case(
        '"2024-03"^^xsd:gYearMonth', '"March 2024"', "src:report",
        'dcterms:issued "March 2024" is not a date', file="facts/sources.ttl", template="sources",
    ),
    "local-text-missing": Case(
        'dv:localText "texts/essay.txt"', 'dv:localText "texts/essai.txt"', "src:essay",
        "dv:localText file facts/texts/essai.txt does not exist; store the source's text there",
        file="facts/sources.ttl", template="sources",
    ),
    "local-text-outside-facts": Case(
        'dv:localText "texts/essay.txt"', 'dv:localText "../../outside.txt"', "src:essay",
        "points outside facts/; give a path relative to facts/",
        file="facts/sources.ttl", template="sources",
    ),
}  # fmt: skip


def run_case(make_kb: KBBuilder, invoke: Callable[..., Result], case: Case) -> Result:
    if case.template == "claims":
        kb = build(make_kb, claims=broken(CLAIMS, case.old, case.new))
    else:
        kb = build(make_kb, sources=broken(SOURCES, case.old, case.new))
    return invoke("validate", kb=kb)


def reported_line(result: Result, case: Case) -> str:
    prefix = f"{case.file}: {case.focus}: {case.severity}: "
    lines = [line for line in result.stdout.splitlines() if line.startswith(prefix)]
    assert lines, f"no line starting {prefix!r} in:\n{result.stdout}"
    matching = [line for line in lines if case.fix in line]
    assert matching, f"no line for {case.focus} says {case.fix!r}:\n{result.stdout}"
    return matching[0]


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_broken_claim_is_reported(
    make_kb: KBBuilder, invoke: Callable[..., Result], case: Case
) -> None:
    result = run_case(make_kb, invoke, case)
    reported_line(result, case)
    assert result.exit_code == (1 if case.severity == "violation" else 0), result.stdout


def test_valid_knowledge_base_passes(make_kb: KBBuilder, invoke: Callable[..., Result]) -> None:
    result = invoke("validate", kb=build(make_kb))
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "valid: 3 claims, 2 sources, no problems\n"


def test_warnings_alone_exit_zero_and_are_counted(
    make_kb: KBBuilder, invoke: Callable[..., Result]
) -> None:
    claims = broken(CLAIMS, '    dv:citationLabel "[1]" ;\n', "")
    result = invoke("validate", kb=build(make_kb, claims=claims))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "0 violations, 1 warning in 1 file"


def test_quote_check_ignores_whitespace(make_kb: KBBuilder) -> None:
    # the text breaks "every\n9-10 months" across lines; the quote has one space
    report = validate(KnowledgeBase(build(make_kb).root))
    assert report.conforms and report.problems == []


MANY_QUOTES_TEXT = """\
Huawei's Ascend 910B (华为昇腾) ships in 2024 😀 and again in 2025.
abcabcabd: the  runs   of
whitespace count as one space; naïve café, e\u0301 composed apart.
"""
# Enough good quotes from one text that it is searched with one automaton
# (derive.validate.quotes.occurring), whatever the case adds.
FILLER = ["Huawei's Ascend 910B", "(华为昇腾)", "ships in 2024", "2024 😀 and", "and again",
          "in 2025.", "abcabcabd", "the runs of whitespace", "naïve café", "e\u0301 composed"]


def _turtle_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # Turtle's escapes for these strings


@pytest.mark.parametrize("quote, verbatim", [
    pytest.param("Ascend 910B (华为昇腾) ships", True, id="cjk"),
    pytest.param("😀 and again", True, id="astral-character"),
    pytest.param("😀 und again", False, id="astral-then-wrong"),
    pytest.param("abcabd", True, id="overlapping-prefix"),
    pytest.param("abcabcabc", False, id="overlapping-not-there"),
    pytest.param("910B", True, id="inside-another-quote"),
    pytest.param("runs of\nwhitespace   count", True, id="whitespace-differs"),
    pytest.param("naive café", False, id="accent-dropped"),
    pytest.param("é composed", False, id="composed-where-text-decomposes"),
    pytest.param("in 2026.", False, id="one-character-off"),
])
def test_many_quotes_from_one_text(make_kb: KBBuilder, quote: str, verbatim: bool) -> None:
    controls = CLAIMS[CLAIMS.index("claim:controls"):]  # the claim above, quoting ``text``
    exact = 'oa:exact "Export controls were tightened in 2022."'
    claims = "".join(controls.replace("claim:controls", f"claim:q{i}")
                     .replace(exact, f"oa:exact {_turtle_string(text)}")
                     for i, text in enumerate([quote, *FILLER]))
    kb = build(make_kb, claims=claims)
    kb.write("texts/essay.txt", MANY_QUOTES_TEXT, prologue=False)
    report = validate(KnowledgeBase(kb.root), incremental=False)
    assert [(p.focus, p.path) for p in report.problems] == (
        [] if verbatim else [("claim:q0", "dv:quote/oa:hasSelector/oa:exact")])


def test_metric_without_allowed_unit(make_kb: KBBuilder, invoke: Callable[..., Result]) -> None:
    extra = 'metric:mystery a dv:Metric ; rdfs:label "mystery"@en .\n'
    result = invoke("validate", kb=build(make_kb, extra=extra))
    assert result.exit_code == 1
    assert "facts/extra.ttl: metric:mystery: violation: metric has no dv:allowedUnit; add" in (
        result.stdout
    )


def test_missing_source_is_reported_on_every_claim_citing_it(make_kb: KBBuilder) -> None:
    claims = CLAIMS.replace("src:essay", "src:gone")
    report = validate(KnowledgeBase(build(make_kb, claims=claims).root))
    missing = {p.focus for p in report.problems if "src:gone has no dcterms:title" in p.message}
    assert missing == {"claim:doubling", "claim:us-share", "claim:controls"}
    assert {p.file for p in report.problems} == {"facts/claims.ttl"}


def test_problems_sorted_by_file_then_focus(
    make_kb: KBBuilder, invoke: Callable[..., Result]
) -> None:
    claims = broken(CLAIMS, "qudt:value 75 ;", "qudt:value 175 ;")
    claims = broken(claims, "schema:minValue 9.0E0", "schema:minValue 9.9E0")
    sources = broken(SOURCES, '    dcterms:title "Trends in Compute" ;\n', "")
    result = invoke("validate", kb=build(make_kb, claims=claims, sources=sources))
    assert result.exit_code == 1
    *lines, summary = result.stdout.splitlines()
    keys = [tuple(line.split(": ")[:2]) for line in lines]
    assert keys == sorted(keys)
    assert keys[0] == ("facts/claims.ttl", "claim:doubling")
    assert keys[-1] == ("facts/sources.ttl", "src:report")
    assert summary == "4 violations, 0 warnings in 2 files"  # src:report is also cited


def test_json_format(make_kb: KBBuilder, invoke: Callable[..., Result]) -> None:
    claims = broken(CLAIMS, "qudt:hasUnit unit:MO", "qudt:hasUnit dvu:FLOP")
    result = invoke("validate", "--format", "json", kb=build(make_kb, claims=claims))
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["conforms"] is False
    assert doc["violations"] == 1
    [problem] = doc["problems"]
    assert problem["file"] == "facts/claims.ttl"
    assert problem["focus"] == "claim:doubling"
    assert problem["severity"] == "violation"
    assert problem["value"] == "dvu:FLOP"
    assert "use one of its dv:allowedUnit values (unit:MO, unit:YR)" in problem["message"]


def test_nested_problem_names_the_path_from_the_claim(make_kb: KBBuilder) -> None:
    claims = broken(CLAIMS, "schema:maxValue 1.0E1", "schema:maxValue 9.0E0")
    report = validate(KnowledgeBase(build(make_kb, claims=claims).root))
    [problem] = report.problems
    assert (problem.focus, problem.path) == ("claim:doubling", "dv:quantity/qudt:value")


def test_shipped_knowledge_base_validates(invoke: Callable[..., Result]) -> None:
    result = invoke("validate", kb=PROJECT)
    assert result.exit_code == 0, result.stdout
    assert ": violation: " not in result.stdout
