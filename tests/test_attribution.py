"""The attribution audit: figures read however a source writes them, each of
the four outcomes on small inline texts, a source with no text, the stored
texts' quote check, the command's --kind filter, the shipped essay's known
mis-attributions and the shipped query of premises backed by their source."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import PROJECT, KBBuilder

from derive.audit import Finding, audit, findings_graph
from derive.audit.passages import (
    COUNT,
    FLOPS,
    MONTHS,
    PERCENT,
    PERCENT_PER_YEAR,
    Words,
    figures,
    naming,
    sentences,
)
from derive.kb import locate

# -- number forms ------------------------------------------------------------

FORMS = {
    "word-months": ("has doubled every nine months", MONTHS, 9.0, 8.5, 9.5),
    "digit-months": ("doubling approximately every 6 months", MONTHS, 6.0, 5.5, 6.5),
    "range-months": ("doubles around every 9-10 months", MONTHS, 9.5, 9.0, 10.0),
    "en-dash-range": ("doubles every 9–10 months", MONTHS, 9.5, 9.0, 10.0),
    "every-year": ("power needs both doubled every year", MONTHS, 12.0, 11.5, 12.5),
    "annually": ("hardware cost and power needs doubled annually", MONTHS, 12.0, 11.5, 12.5),
    "per-annum": ("compute grew 4.2x per annum", PERCENT_PER_YEAR, 320.0, 315.0, 325.0),
    "every-other-year": ("doubles every other year", MONTHS, 24.0, 23.5, 24.5),
    "hyphenated": ("an 18-month doubling time", MONTHS, 18.0, 17.5, 18.5),
    "years": ("doubling every 2 years", MONTHS, 24.0, 18.0, 30.0),
    "factor-per-year": ("compute grew 4-5x per year", PERCENT_PER_YEAR, 350.0, 300.0, 400.0),
    "times-a-year": ("grows by 4 to 5 times a year", PERCENT_PER_YEAR, 350.0, 300.0, 400.0),
    "percent-per-year": ("at around 65% per year", PERCENT_PER_YEAR, 65.0, 64.5, 65.5),
    "percent-annually": ("grew 65 percent annually", PERCENT_PER_YEAR, 65.0, 64.5, 65.5),
    "percent": ("accounts for about 75% of total performance", PERCENT, 75.0, 74.5, 75.5),
    "decimal-percent": ("attains 50.6% on HumanEval", PERCENT, 50.6, 50.55, 50.65),
    "word-scale": ("use two million AI chips", COUNT, 2e6, 1.5e6, 2.5e6),
    "thousands": ("used 200,000 AI chips", COUNT, 2e5, 199999.5, 200000.5),
    "tex-power": ("will achieve $2\\times10^{22}$ 16-bit FLOP/s", FLOPS, 2e22, 1.5e22, 2.5e22),
    "e-notation": ("about 75% ($9.1e+20$ FLOPs/s)", FLOPS, 9.1e20, 9.05e20, 9.15e20),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_number_forms(form: str) -> None:
    text, unit, value, low, high = FORMS[form]
    found = [f for f in figures(text) if f.unit == unit]
    assert len(found) == 1, figures(text)
    assert found[0].value == pytest.approx(value)
    assert (found[0].low, found[0].high) == (pytest.approx(low), pytest.approx(high))


# -- naming a metric or a subject ---------------------------------------------

NAMES = {  # (text, cue, named?)
    "whole-word": ("Training compute doubled.", "compute", True),
    "prefix": ("Training computes doubled.", "compute", True),
    "not-inside-a-word": ("Recomputed twice.", "compute", False),
    "case": ("TRAINING COMPUTE doubled.", "training compute", True),
    "hyphen-part": ("AI-chip exports fell.", "chip", True),
    "punctuation": ("(“compute”), again.", "compute", True),
    "every-word-of-the-cue": ("Training runs doubled.", "training compute", False),
    "past-the-last-word": ("Alpha beta.", "zeta", False),
    "longer-than-the-word": ("The chip.", "chips", False),
}


@pytest.mark.parametrize("case", sorted(NAMES))
def test_a_text_names_a_cue_when_each_cue_word_starts_one_of_its_words(case: str) -> None:
    text, cue, named = NAMES[case]
    assert Words(text).names(cue) is named


ESSAY_TEXT = PROJECT / "facts" / "texts" / "ruiloba-portilla-2025.txt"


@pytest.mark.parametrize("cues", [
    ("training compute",), ("compute", "flop"), ("chip",), ("ai-chip", "export controls"),
    ("nvidia h100",), ("nothing of the kind",), ("",), (),
], ids=["two-words", "two-cues", "prefix", "hyphen", "names", "absent", "empty-cue", "no-cue"])
def test_the_clauses_naming_cues_are_those_whose_words_name_them(cues: tuple[str, ...]) -> None:
    """The index finds exactly the clauses a pass over every clause finds, in order."""
    text = ESSAY_TEXT.read_text(encoding="utf-8")
    every = [(s, c) for s in sentences(text) for c in s.clauses
             if any(Words(c.text).names(cue) for cue in cues)]
    assert naming(text, cues) == tuple(every)
    assert every or cues in {("nothing of the kind",), ()}  # the cases find something


NOT_COMPARED = {
    "years": "a dataset from 2019 to 2025",
    "decade": "since the early 2010s",
    "money": "had a hardware cost of \\$7B",
    "power": "required 300 MW of power and 9 GW later",
    "plain-factor": "with 10 to 100-fold larger requirements",
    "names": "phi-1 attains pass@1 accuracy",
    "sizes": "a model with 1.3B parameters and 350M parameters",
    "annually-without-doubling": "revenue is reported annually",
}


@pytest.mark.parametrize("case", sorted(NOT_COMPARED))
def test_what_is_not_a_comparable_figure(case: str) -> None:
    assert figures(NOT_COMPARED[case]) == []


def test_an_annual_rate_is_not_also_a_period() -> None:
    found = figures("compute doubled, growing 65% annually")
    assert [(f.unit, f.value) for f in found] == [(PERCENT_PER_YEAR, 65.0)]


# -- the four outcomes on inline texts ---------------------------------------

BASE = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix text: <https://w3id.org/derive/kb/text/> .
src:essay a bibo:Document ; dcterms:title "The essay" ; dcterms:issued "2025"^^xsd:gYear ;
    dv:citationName "Essay" .
src:paper a bibo:AcademicArticle ; dcterms:title "The paper" ; dcterms:issued "2024"^^xsd:gYear ;
    dv:citationName "Paper" .
src:other a bibo:AcademicArticle ; dcterms:title "Another paper" ;
    dcterms:issued "2024"^^xsd:gYear ; dv:citationName "Other" .
src:report a bibo:Report ; dcterms:title "A report" ; dcterms:issued "2021"^^xsd:gYear ;
    dv:citationName "Report" .
ent:runs a dv:Aggregate ; rdfs:label "the largest runs"@en ; skos:hiddenLabel "largest"@en .
ent:xland a dv:Country ; rdfs:label "Xland"@en ; skos:hiddenLabel "Xland"@en .
"""


def held(source: str, words: str) -> dict[str, str]:
    """A stored abstract of ``source``: its Turtle and its text file."""
    turtle = f"""
text:{source}-abstract a dv:SourceText ;
    dcterms:isPartOf src:{source} ;
    bibo:locator "abstract" ;
    dv:localText "texts/{source}.txt" ;
    dv:readFrom "https://example.org/{source}"^^xsd:anyURI ;
    dv:readOn "2026-11-29"^^xsd:date ;
    dv:readVia dv:StoredCopy ;
    dcterms:license <http://creativecommons.org/publicdomain/zero/1.0/> ;
    rdfs:label "{source} abstract" .
"""
    return {"turtle": turtle, f"texts/{source}.txt": words}


def essay_claim(name: str, metric: str, value: float, unit: str, cites: str = "paper", *,
                about: str = "runs", bounds: tuple[float, float] | None = None,
                evidence: str = "") -> str:
    extra = f" ; schema:minValue {bounds[0]!r} ; schema:maxValue {bounds[1]!r}" if bounds else ""
    cited = f"src:{cites}" + (f" , claim:{evidence}" if evidence else "")
    return f"""
claim:{name} a dv:QuantitativeClaim ;
    rdfs:label "{name}"@en ;
    dv:about ent:{about} ;
    dv:metric metric:{metric} ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value {value!r} ; qudt:hasUnit {unit}{extra} ] ;
    dv:asOf "2025"^^xsd:gYear ;
    dv:statedAs dv:Premise ;
    prov:wasQuotedFrom src:essay ;
    cito:citesAsEvidence {cited} ;
    dv:citationLabel "[1]" ;
    dv:quote [ a oa:SpecificResource ; oa:hasSource src:essay ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "The essay's words for {name}." ] ] .
"""


def build(make_kb: KBBuilder, facts: str, *texts: dict[str, str]) -> list[Finding]:
    turtle = BASE + facts
    for part in texts:
        turtle += part["turtle"]
        for name, words in part.items():
            if name != "turtle":
                make_kb.write(name, words, prologue=False)
    make_kb.write("facts.ttl", turtle)
    return [f for f in audit(locate(make_kb.root)) if f.kind == "attribution"]


DOUBLING = "training-compute-doubling-time"
SUPPORTED = {
    "word": ("The training compute of the largest models doubled every nine months.",
             9.0, "unit:MO", None),
    "digits": ("The training compute of the largest models doubles every 9 months.",
               9.0, "unit:MO", None),
    "stated-range": ("Training compute of the largest models doubled every 9-10 months.",
                     9.5, "unit:MO", (9.0, 10.0)),
    "range-in-claim": ("The training compute of the largest models doubled every nine months.",
                       9.5, "unit:MO", (9.0, 10.0)),
    "every-year-in-months": ("Training compute of the largest runs doubled every year.",
                             12.0, "unit:MO", None),
    "every-year-in-years": ("Training compute of the largest runs doubled every year.",
                            1.0, "unit:YR", None),
}


@pytest.mark.parametrize("case", sorted(SUPPORTED))
def test_supported(make_kb: KBBuilder, case: str) -> None:
    words, value, unit, bounds = SUPPORTED[case]
    (finding,) = build(make_kb, essay_claim("doubling", DOUBLING, value, unit, bounds=bounds),
                       held("paper", words))
    assert (finding.outcome, finding.severity) == ("supported", "info")
    assert finding.id == "attribution-doubling-paper"
    assert [(q.role, q.text) for q in finding.quotes] == [
        ("claim", "The essay's words for doubling."), ("cited", words)]
    assert "read from a stored copy of https://example.org/paper on 2026-11-29" in finding.message
    assert finding.disputes == ()


def test_growth_rate_written_as_a_factor(make_kb: KBBuilder) -> None:
    (finding,) = build(
        make_kb, essay_claim("growth", "compute-growth-rate", 350.0, "unit:PERCENT-PER-YR",
                             about="xland"),
        held("paper", "Xland's training compute grew 4-5x per year."))
    assert finding.outcome == "supported"


def test_contradicted(make_kb: KBBuilder) -> None:
    (finding,) = build(make_kb, essay_claim("doubling", DOUBLING, 9.0, "unit:MO"),
                       held("paper", "The training compute of the largest models doubled "
                                     "every 20 months. Nothing else."))
    assert (finding.outcome, finding.severity) == ("contradicted", "error")
    assert finding.numbers == {"attributed": 9.0, "source": 20.0}
    assert "“20 months”" in finding.message
    assert finding.quotes[1].text == ("The training compute of the largest models doubled "
                                      "every 20 months.")
    assert finding.disputes == ("https://w3id.org/derive/kb/claim/doubling",)


def test_another_subject_does_not_contradict(make_kb: KBBuilder) -> None:
    """Sevilla's abstract: 6 months for all models since 2010 is not the largest
    models' figure; the claim stays unverified and the passage is named."""
    (finding,) = build(make_kb, essay_claim("doubling", DOUBLING, 9.0, "unit:MO"),
                       held("paper", "Since 2010, training compute has doubled every 6 months."))
    assert finding.outcome == "unverified"
    assert "nearest passage on the metric gives “6 months”" in finding.message
    assert finding.quotes[1].role == "cited"


def test_a_subject_the_text_cannot_name_is_never_contradicted(make_kb: KBBuilder) -> None:
    """Without words for the claim's subject, a different figure may be another subject's."""
    facts = essay_claim("doubling", DOUBLING, 9.0, "unit:MO", about="unnamed")
    facts += 'ent:unnamed a dv:Aggregate ; rdfs:label "unnamed"@en .\n'
    (finding,) = build(make_kb, facts, held("paper", "Training compute doubled every 20 months."))
    assert finding.outcome == "unverified"


def test_elsewhere_names_the_source_that_states_it(make_kb: KBBuilder) -> None:
    (finding,) = build(
        make_kb,
        essay_claim("hardware", "hardware-requirement-doubling-time", 12.0, "unit:MO"),
        held("paper", "We study compute trends across three eras."),
        held("other", "Hardware acquisition cost and power needs both doubled every year."))
    assert (finding.outcome, finding.severity) == ("elsewhere", "warning")
    assert [ref.name for ref in finding.sources] == ["Essay 2025", "Paper 2024", "Other 2024"]
    assert "Paper 2024's stored abstract does not give it" in finding.message
    assert "Other 2024 gives “every year” (12 mo)" in finding.message
    assert "mis-citation" in finding.message
    assert [q.role for q in finding.quotes] == ["claim", "other"]
    assert finding.numbers == {"attributed": 12.0, "elsewhere": 12.0}


def test_a_figure_belongs_to_its_own_clause(make_kb: KBBuilder) -> None:
    """Pilz et al.'s nine months are the performance's, not the hardware's."""
    (finding,) = build(
        make_kb,
        essay_claim("hardware", "hardware-requirement-doubling-time", 9.0, "unit:MO"),
        held("paper", "The computational performance of the largest supercomputers doubled "
                      "every nine months, while hardware acquisition cost doubled every year."))
    assert finding.outcome == "contradicted"
    assert "“every year” (12 mo)" in finding.message


def test_elsewhere_within_ten_percent(make_kb: KBBuilder) -> None:
    """The essay's 13 months against another source's "every year"."""
    (finding,) = build(
        make_kb, essay_claim("energy", "energy-requirement-doubling-time", 13.0, "unit:MO"),
        held("paper", "We study compute trends across three eras."),
        held("other", "Hardware acquisition cost and power needs both doubled every year."))
    assert finding.outcome == "elsewhere"
    assert "within 10% of it" in finding.message


def test_a_source_without_text_is_listed_with_its_reason(make_kb: KBBuilder) -> None:
    facts = essay_claim("growth", "compute-growth-rate", 65.0, "unit:PERCENT-PER-YR",
                        cites="report", about="xland")
    facts += ('src:report dv:noTextReason dv:Paywalled ; '
              'dv:noTextNote "Behind the publisher\'s paywall."@en .\n')
    (finding,) = build(make_kb, facts)
    assert (finding.outcome, finding.severity) == ("unverified", "info")
    assert "no text of Report 2021 is held: it is behind a paywall" in finding.message
    assert "Behind the publisher's paywall." in finding.message


def test_a_source_without_text_or_reason_asks_for_one(make_kb: KBBuilder) -> None:
    (finding,) = build(make_kb, essay_claim("growth", "compute-growth-rate", 65.0,
                                            "unit:PERCENT-PER-YR", cites="report", about="xland"))
    assert finding.outcome == "unverified"
    assert "none is recorded as missing" in finding.message
    assert "dv:noTextReason" in finding.message


def test_without_the_cited_text_another_source_is_only_mentioned(make_kb: KBBuilder) -> None:
    """Nothing says the unread source lacks the figure: unverified, not elsewhere."""
    (finding,) = build(
        make_kb,
        essay_claim("hardware", "hardware-requirement-doubling-time", 12.0, "unit:MO",
                    cites="report"),
        held("other", "Hardware acquisition cost doubled every year."))
    assert finding.outcome == "unverified"
    assert "Other 2024 gives “every year” (12 mo)" in finding.message
    assert "may be where the figure comes from" in finding.message
    assert [q.role for q in finding.quotes] == ["claim", "other"]
    assert finding.disputes == ()


def test_held_text_without_the_figure(make_kb: KBBuilder) -> None:
    (finding,) = build(make_kb, essay_claim("doubling", DOUBLING, 9.0, "unit:MO"),
                       held("paper", "We study compute trends across three eras."))
    assert finding.outcome == "unverified"
    assert "Paper 2024's stored abstract does not give this figure" in finding.message


QUOTED = """
claim:paper-doubling a dv:QuantitativeClaim ;
    rdfs:label "paper doubling"@en ;
    dv:about ent:runs ;
    dv:metric metric:training-compute-doubling-time ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value {value!r} ; qudt:hasUnit unit:MO ] ;
    dv:asOf "2025"^^xsd:gYear ;
    dv:statedAs dv:Premise ;
    prov:wasQuotedFrom src:paper ;
    dv:quote [ a oa:SpecificResource ; oa:hasSource src:paper ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "{quote}" ;
                         bibo:locator "abstract" ] ] .
"""


@pytest.mark.parametrize(("value", "outcome"), [(9.0, "supported"), (14.0, "contradicted")])
def test_claim_quoted_from_the_source_as_evidence(make_kb: KBBuilder, value: float,
                                                  outcome: str) -> None:
    quote = "Compute doubled every nine months."
    facts = essay_claim("doubling", DOUBLING, 9.0, "unit:MO", evidence="paper-doubling")
    facts += QUOTED.format(value=value, quote=quote)
    (finding,) = build(make_kb, facts, held("paper", quote))
    assert finding.outcome == outcome
    assert "https://w3id.org/derive/kb/claim/paper-doubling" in [r.iri for r in finding.claims]


QUALITATIVE = """
claim:statement a dv:QualitativeClaim ;
    rdfs:label "A statement"@en ;
    dv:statement "Bigger is better."@en ;
    dv:about ent:runs ;
    dv:asOf "2025"^^xsd:gYear ;
    dv:statedAs dv:Premise ;
    prov:wasQuotedFrom src:essay ;
    cito:citesAsEvidence src:paper {evidence};
    dv:citationLabel "[1]" ;
    dv:quote [ a oa:SpecificResource ; oa:hasSource src:essay ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Bigger is better." ] ] .
claim:paper-says a dv:QualitativeClaim ;
    rdfs:label "The paper says so"@en ;
    dv:statement "Loss falls with scale."@en ;
    dv:about ent:runs ;
    dv:asOf "2024"^^xsd:gYear ;
    prov:wasQuotedFrom src:paper ;
    dv:quote [ a oa:SpecificResource ; oa:hasSource src:paper ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Loss falls with scale." ;
                         bibo:locator "abstract" ] ] .
"""


@pytest.mark.parametrize(("evidence", "outcome"),
                         [(", claim:paper-says ", "supported"), ("", "unverified")])
def test_statement_backed_by_a_cited_passage(make_kb: KBBuilder, evidence: str,
                                             outcome: str) -> None:
    findings = build(make_kb, QUALITATIVE.format(evidence=evidence),
                     held("paper", "Loss falls with scale. More below."))
    (finding,) = [f for f in findings if f.id == "attribution-statement-paper"]
    assert finding.outcome == outcome
    if outcome == "supported":
        assert "checked verbatim against the stored abstract" in finding.message
        assert finding.quotes[-1].text == "Loss falls with scale."
    else:
        assert "cito:citesAsEvidence" in finding.message


def test_findings_as_rdf_carry_outcome_passage_and_source(make_kb: KBBuilder) -> None:
    findings = build(
        make_kb,
        essay_claim("hardware", "hardware-requirement-doubling-time", 12.0, "unit:MO"),
        held("paper", "We study compute trends."),
        held("other", "Hardware acquisition cost doubled every year."))
    graph = findings_graph(findings)
    rows = list(graph.query("""
        PREFIX dv: <https://w3id.org/derive/ns#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?outcome ?cited ?other ?passage WHERE {
            ?f dv:attributionOutcome ?outcome ; dcterms:references ?cited ;
               dv:otherSource ?other ; dv:otherPassage ?passage }"""))
    assert [tuple(str(v).rsplit("/", 1)[-1].rsplit("#", 1)[-1] for v in row) for row in rows] == [
        ("FoundElsewhere", "paper", "other", "Hardware acquisition cost doubled every year.")]


# -- the stored texts are checked like any other ------------------------------

def _quoted_from_abstract(quote: str, locator: str) -> str:
    return f"""
claim:from-paper a dv:QualitativeClaim ;
    rdfs:label "From the paper"@en ;
    dv:statement "Something."@en ;
    dv:about ent:runs ;
    dv:asOf "2024"^^xsd:gYear ;
    prov:wasQuotedFrom src:paper ;
    dv:quote [ a oa:SpecificResource ; oa:hasSource src:paper ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "{quote}" ;
                         bibo:locator "{locator}" ] ] .
"""


@pytest.mark.parametrize(("quote", "locator", "code"), [
    ("Loss falls with scale.", "abstract", 0),
    ("Loss falls  with\\nscale.", "Abstract", 0),  # whitespace and case aside
    ("Loss rises with scale.", "abstract", 1),
    ("Loss rises with scale.", "section 3", 0),  # a part not held is not checked
])
def test_quotes_checked_against_the_stored_part(make_kb: KBBuilder,
                                                invoke: Callable[..., Result], quote: str,
                                                locator: str, code: int) -> None:
    part = held("paper", "Loss falls with scale.")
    make_kb.write("texts/paper.txt", part["texts/paper.txt"], prologue=False)
    make_kb.write("facts.ttl", BASE + part["turtle"] + _quoted_from_abstract(quote, locator))
    result = invoke("validate", "--full", kb=make_kb)
    assert result.exit_code == code, result.output
    if code:
        assert "facts/facts.ttl: claim:from-paper: violation: quote is not verbatim in " \
               "facts/texts/paper.txt" in result.output


@pytest.mark.parametrize("missing", ["dcterms:isPartOf", "bibo:locator", "dv:readFrom",
                                     "dv:readOn", "dv:readVia"])
def test_a_stored_text_says_what_it_is_and_where_and_when_it_was_read(
        make_kb: KBBuilder, invoke: Callable[..., Result], missing: str) -> None:
    part = held("paper", "Loss falls with scale.")
    make_kb.write("texts/paper.txt", part["texts/paper.txt"], prologue=False)
    turtle = "\n".join(line for line in part["turtle"].splitlines()
                       if not line.strip().startswith(missing))
    make_kb.write("facts.ttl", BASE + turtle)
    result = invoke("validate", "--full", kb=make_kb)
    assert result.exit_code == 1
    assert "text:paper-abstract: violation: stored text without" in result.output
    assert missing.split(":")[1] in result.output


def test_missing_stored_text_is_a_violation(make_kb: KBBuilder,
                                            invoke: Callable[..., Result]) -> None:
    make_kb.write("facts.ttl", BASE + held("paper", "")["turtle"])
    result = invoke("validate", "--full", kb=make_kb)
    assert result.exit_code == 1
    assert "dv:localText file facts/texts/paper.txt does not exist" in result.output


# -- the command ---------------------------------------------------------------

def test_kind_lists_only_attributions(make_kb: KBBuilder, invoke: Callable[..., Result]) -> None:
    build(make_kb, essay_claim("doubling", DOUBLING, 9.0, "unit:MO")
          + essay_claim("growth", "compute-growth-rate", 65.0, "unit:PERCENT-PER-YR",
                        cites="report", about="xland"),
          held("paper", "The training compute of the largest models doubled every 9 months."))
    result = invoke("audit", "--kind", "attribution", kb=make_kb)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [
        "audit: 2 findings: 2 notes",
        "attributions: 2 checked: 1 supported, 0 contradicted, 0 elsewhere, 1 unverified"]
    assert "[attribution: supported]" in result.output
    assert "cited source (Paper 2024, abstract): “The training compute" in result.output
    data = json.loads(invoke("audit", "--kind", "attribution", "--format", "json",
                             kb=make_kb).output)
    assert {f["kind"] for f in data["findings"]} == {"attribution"}
    assert {f["outcome"] for f in data["findings"]} == {"supported", "unverified"}
    assert data["findings"][0]["quotes"][0]["role"] == "claim"
    other = invoke("audit", "--kind", "recompute", kb=make_kb)
    assert other.output.startswith("audit: no findings")


def test_unknown_kind_is_a_usage_error(make_kb: KBBuilder,
                                       invoke: Callable[..., Result]) -> None:
    make_kb.write("facts.ttl", BASE)
    result = invoke("audit", "--kind", "attributions", kb=make_kb)
    assert result.exit_code == 2
    assert "unknown finding kind 'attributions'; choose from recompute" in result.output


# -- the shipped essay -------------------------------------------------------

@pytest.fixture(scope="module")
def shipped() -> dict[str, Finding]:
    return {f.id: f for f in audit(locate(PROJECT)) if f.kind == "attribution"}


def test_every_attributed_claim_is_classified(shipped: dict[str, Finding]) -> None:
    from derive.engine.compiled import load

    model = load(locate(PROJECT)).model
    tables = {s.iri for s in model.sources.values() if s.kind == "Dataset"}
    pairs = {(c.name, s.rsplit("/", 1)[1]) for c in model.claims.values() for s in c.cites
             if s != c.stated_in and c.stated_in not in tables}
    assert {(f.claims[0].name.removeprefix("claim:"), f.cited.rsplit("/", 1)[1])
            for f in shipped.values() if f.cited} == pairs
    assert all(f.outcome in ("supported", "contradicted", "elsewhere", "unverified")
               for f in shipped.values())


@pytest.mark.parametrize("claim", ["hardware", "energy"])
def test_shipped_requirement_doublings_are_pilz_not_sevilla(shipped: dict[str, Finding],
                                                            claim: str) -> None:
    finding = shipped[f"attribution-{claim}-requirement-doubling-time-sevilla-2022"]
    assert finding.outcome == "elsewhere"
    assert "Pilz et al. 2025" in [ref.name for ref in finding.sources]
    assert any(q.role == "other" and "power needs both doubled every year" in q.text
               for q in finding.quotes)


def test_shipped_growth_rate_from_the_sme_report_is_unverified(
        shipped: dict[str, Finding]) -> None:
    finding = shipped["attribution-china-compute-growth-lax-cloud-hunt-2021"]
    assert finding.outcome == "unverified"
    assert "no copy of its text was found" in finding.message


@pytest.mark.parametrize("claim", ["us-share-ai-supercomputer-performance",
                                   "china-share-ai-supercomputer-performance"])
def test_shipped_shares_are_supported_by_pilz(shipped: dict[str, Finding], claim: str) -> None:
    finding = shipped[f"attribution-{claim}-pilz-2025"]
    assert finding.outcome == "supported"
    assert "checked verbatim against the stored abstract" in finding.message


def test_shipped_query_of_backed_premises(invoke: Callable[..., Result]) -> None:
    result = invoke("query", "--name", "premises-backed-by-cited-source", "--format", "json",
                    kb=PROJECT)
    assert result.exit_code == 0, result.output
    rows = [{k: v["value"] for k, v in b.items()}
            for b in json.loads(result.output)["results"]["bindings"]]
    backed = {r["premise"].rsplit("/", 1)[1]: r for r in rows if r["backed"] == "yes"}
    assert set(backed) == {"us-share-ai-supercomputer-performance",
                           "china-share-ai-supercomputer-performance",
                           "three-drivers-of-performance", "data-quality-efficiency"}
    assert {r["checked"] for r in backed.values()} == {"verified verbatim"}
    assert {r["audit"] for r in backed.values()} == {"supported"}
    by_premise = {r["premise"].rsplit("/", 1)[1]: r for r in rows}
    assert by_premise["hardware-requirement-doubling-time"]["audit"] == "elsewhere"
    assert by_premise["china-compute-growth-lax-cloud"]["backed"] == "no"


def test_sheets_show_each_attribution(tmp_path: Path, invoke: Callable[..., Result]) -> None:
    result = invoke("sheet", "sevilla-2022", "--out", str(tmp_path), "--format", "md",
                    kb=PROJECT)
    assert result.exit_code == 0, result.output
    page = (tmp_path / "source-sevilla-2022.md").read_text(encoding="utf-8")
    assert ("Attribution to Sevilla et al. 2022: **elsewhere** (not in the cited source; "
            "another source states it; finding "
            "attribution-hardware-requirement-doubling-time-sevilla-2022).") in page
    assert "**unverified** (cannot be checked;" in page


def test_every_reference_of_the_essay_has_a_text_or_says_why_not() -> None:
    from derive.engine.compiled import load

    model = load(locate(PROJECT)).model
    essay = model.sources["https://w3id.org/derive/kb/source/ruiloba-portilla-2025"]
    references = [s for s in model.sources.values() if s.citation_label]
    assert len(references) == 14
    for source in references:
        texts = model.texts_of(source.iri)
        assert texts or (source.no_text_reason and source.no_text_note), source.name
        for text in texts:
            assert text.read_from and text.read_on == "2026-11-29" and text.read_via
            assert text.licence == "http://creativecommons.org/publicdomain/zero/1.0/"
            assert text.part == "abstract"
    assert model.texts_of(essay.iri)[0].part == "full text"


def test_html_sheet_links_each_attribution_to_its_finding(tmp_path: Path,
                                                          invoke: Callable[..., Result]) -> None:
    result = invoke("sheet", "sevilla-2022", "--out", str(tmp_path), "--format", "html",
                    kb=PROJECT)
    assert result.exit_code == 0, result.output
    page = (tmp_path / "source-sevilla-2022.html").read_text(encoding="utf-8")
    finding = "attribution-hardware-requirement-doubling-time-sevilla-2022"
    assert '<strong class="outcome-elsewhere">elsewhere</strong>' in page
    assert f'href="#{finding}"' in page and f'id="{finding}"' in page
    assert "The abstract is kept verbatim in <code>facts/texts/sevilla-2022-abstract.txt</code>" \
        in page
