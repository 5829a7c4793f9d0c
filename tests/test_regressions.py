"""One test per fix that the hostile-input tests led to, named after it: each
failed before its fix."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import KBBuilder
from test_literals import ESSAY, SOURCES, claims


def kb_with(make_kb: KBBuilder, **values: str | None) -> KBBuilder:
    make_kb.write("sources.ttl", SOURCES)
    make_kb.write("claims.ttl", claims(**values))
    make_kb.write("texts/essay.txt", ESSAY, prologue=False)
    return make_kb


def estimate(invoke: Callable[..., Result], kb: KBBuilder, *args: str) -> Result:
    return invoke("estimate", "grown", "--format", "json", *args, kb=kb)


@pytest.mark.parametrize(("written", "shown"), [
    ('"NaN"^^xsd:double', "NaN"), ('"INF"^^xsd:double', "INF"), ('"-INF"^^xsd:double', "-INF"),
    ("1e400", "INF"), ("1" * 400, "111111111111… (400 characters)"),
], ids=["nan", "inf", "minus-inf", "1e400", "400-digit-integer"])
def test_non_finite_figure_is_rejected_and_never_estimated(
        make_kb: KBBuilder, invoke: Callable[..., Result], written: str, shown: str) -> None:
    kb = kb_with(make_kb, value=written)
    validated = invoke("validate", kb=kb)
    assert validated.exit_code == 1
    assert (f"facts/claims.ttl: claim:x: violation: qudt:value {shown} is not a finite number; "
            "give the figure the source states, e.g. qudt:value 6.0E23") in validated.stdout
    estimated = estimate(invoke, kb)
    assert estimated.exit_code == 1
    assert estimated.output.startswith(
        "Error: estimate grown uses claim:x, which derive validate rejects (facts/claims.ttl: "
        f"claim:x: violation: qudt:value {shown} is not a finite number")


@pytest.mark.parametrize(("literal", "line"), [
    ('"1_000"^^xsd:double', '"1_000" is not a valid xsd:double value'),
    ('"inf"^^xsd:double', '"inf" is not a valid xsd:double value'),
    ('"Infinity"^^xsd:double', '"Infinity" is not a valid xsd:double value'),
    ('"١٢"^^xsd:integer', '"١٢" is not a valid xsd:integer value'),
    ('"1e3"^^xsd:decimal', '"1e3" is not a valid xsd:decimal value'),
], ids=["underscore", "lowercase-inf", "infinity", "arabic-indic-digits", "decimal-exponent"])
def test_number_forms_xml_schema_does_not_allow_are_load_errors(
        make_kb: KBBuilder, invoke: Callable[..., Result], literal: str, line: str) -> None:
    result = invoke("validate", kb=kb_with(make_kb, value=literal))
    assert result.exit_code == 2
    assert result.output.startswith("Error: facts/claims.ttl:")
    assert f"{line}; fix the literal or its datatype" in result.output


@pytest.mark.parametrize("literal", ['"25"^^xsd:gYear', '"2025-13"^^xsd:gYearMonth',
                                     '"2025-00"^^xsd:gYearMonth', '"2023-02-29"^^xsd:date'],
                         ids=["two-digit-year", "month-13", "month-0", "29-february-2023"])
def test_date_forms_xml_schema_does_not_allow_are_load_errors(
        make_kb: KBBuilder, invoke: Callable[..., Result], literal: str) -> None:
    result = invoke("validate", kb=kb_with(make_kb, as_of=literal))
    assert result.exit_code == 2
    assert result.output.startswith("Error: facts/claims.ttl:")


@pytest.mark.parametrize(("as_of", "years"), [
    ('"2025Z"^^xsd:gYear', 2.0), ('"2025+05:00"^^xsd:gYear', 2.0),
    ('"2025-06-30Z"^^xsd:date', None),
], ids=["year-utc", "year-with-offset", "date-utc"])
def test_dates_with_a_time_zone_are_read_as_their_year(
        make_kb: KBBuilder, invoke: Callable[..., Result], as_of: str,
        years: float | None) -> None:
    kb = kb_with(make_kb, as_of=as_of)
    assert invoke("validate", kb=kb).exit_code == 0
    result = estimate(invoke, kb)
    assert result.exit_code == 0, result.output
    value = json.loads(result.output)["value"]
    if years is not None:
        assert value == pytest.approx(1.9e20 * 1.1**years)
    else:
        # from the middle of 30 June 2025 to the middle of 2027: 2.006 years
        assert value == pytest.approx(1.9e20 * 1.1**2.006, rel=1e-4)


@pytest.mark.parametrize("as_of", ['"12025"^^xsd:gYear', '"-0044"^^xsd:gYear',
                                   '"0000-06"^^xsd:gYearMonth'],
                         ids=["five-digit-year", "negative-year", "year-zero"])
def test_years_outside_1_to_9999_are_rejected_not_misread(
        make_kb: KBBuilder, invoke: Callable[..., Result], as_of: str) -> None:
    # "12025" used to be read as the year 1202, "-0044" as -4.
    kb = kb_with(make_kb, as_of=as_of)
    validated = invoke("validate", kb=kb)
    assert validated.exit_code == 1
    assert (f"facts/claims.ttl: claim:x: violation: dv:asOf {as_of} is outside the years "
            "1-9999 derive computes with") in validated.stdout
    assert estimate(invoke, kb).exit_code == 1


@pytest.mark.parametrize("quote", ['""', '"   "', '"\\n\\t"'], ids=["empty", "spaces", "blank"])
def test_empty_quote_is_not_verbatim(make_kb: KBBuilder, invoke: Callable[..., Result],
                                     quote: str) -> None:
    # An empty string occurs in every text, so the verbatim check let it pass.
    result = invoke("validate", kb=kb_with(make_kb, quote=quote))
    assert result.exit_code == 1
    assert "facts/claims.ttl: claim:x: violation: oa:exact " in result.stdout
    assert "is empty or not text" in result.stdout


@pytest.mark.parametrize(("value", "message"), [
    ("nan", "'nan' is not a number"), ("inf %/yr", "'inf' is not a number"),
    ("1_0", "'1_0' is not a number"), ("1e400", "'1e400' is too large to compute with"),
], ids=["nan", "inf", "underscore", "overflow"])
def test_set_takes_only_finite_decimal_numbers(
        make_kb: KBBuilder, invoke: Callable[..., Result], value: str, message: str) -> None:
    result = estimate(invoke, kb_with(make_kb), "--set", f"rate={value}")
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize("other", [["--scenario", "nosuch"], ["--set", "rate=abc"],
                                   ["--set", "rate=1 furlongs"]],
                         ids=["unknown-scenario", "malformed-value", "unknown-unit"])
def test_set_unknown_name_is_reported_first(
        make_kb: KBBuilder, invoke: Callable[..., Result], other: list[str]) -> None:
    result = estimate(invoke, kb_with(make_kb), *other, "--set", "rat=3")
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: no claim, parameter, assumption or estimate (for --set) named 'rat'.")
    assert "Did you mean: rate" in result.output


@pytest.mark.parametrize("unit", ["0 .", "1 (", "1 )", "1 **", "1 percent/year)"],
                         ids=["dot", "open-paren", "close-paren", "power", "stray-paren"])
def test_set_unit_pint_cannot_parse_is_one_line(
        make_kb: KBBuilder, invoke: Callable[..., Result], unit: str) -> None:
    # pint's parser raised AssertionError on "0 .": a traceback.
    result = estimate(invoke, kb_with(make_kb), "--set", f"rate={unit}")
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot read unit")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("rate", ["-100", "-200", "-1000"])
def test_growth_rate_of_minus_100_percent_or_less_is_an_error(
        make_kb: KBBuilder, invoke: Callable[..., Result], rate: str) -> None:
    # -200 %/yr over two years gave (1 - 2)^2 = 1: the base unchanged.
    result = estimate(invoke, kb_with(make_kb), "--set", f"rate={rate}")
    assert result.exit_code == 1
    assert f"a growth rate of {rate} %/yr is not above -100% a year" in result.output


def test_overflowing_estimate_is_an_error_naming_it(make_kb: KBBuilder,
                                                     invoke: Callable[..., Result]) -> None:
    # (1 + 1e300)^2 raised OverflowError: "internal error".
    result = estimate(invoke, kb_with(make_kb), "--set", "rate=1e300")
    assert result.exit_code == 1
    assert result.output == ("Error: estimate grown cannot be computed: a number overflows; "
                             "check its inputs with --explain or --set\n")


def test_division_by_zero_is_an_error_naming_the_estimate(
        make_kb: KBBuilder, invoke: Callable[..., Result]) -> None:
    kb = kb_with(make_kb)
    make_kb.write("ratio.ttl", """
est:ratio a dv:Estimate ; rdfs:label "ratio"@en ; dv:method dv:Ratio ;
    dv:input [ dv:role "numerator" ; dv:from claim:x ] ,
             [ dv:role "denominator" ; dv:from claim:x ] ;
    dv:targetDate "2025"^^xsd:gYear ; dv:unit unit:UNITLESS .
""")
    result = invoke("estimate", "ratio", "--set", "x=0", kb=kb)
    assert result.exit_code == 1
    assert result.output.startswith("Error: estimate ratio")
    assert "Traceback" not in result.output


def test_claim_given_a_second_value_in_another_file_is_not_estimated(
        make_kb: KBBuilder, invoke: Callable[..., Result], tmp_path: Path) -> None:
    # rdflib's Graph.value picked one of the two quantities: the estimate used a
    # value the user never saw chosen.
    kb = kb_with(make_kb)
    make_kb.write("correction.ttl", "claim:x dv:quantity [ a qudt:QuantityValue ; "
                                    "qudt:value 2.5E20 ; qudt:hasUnit unit:FLOPS ] .\n")
    validated = invoke("validate", kb=kb)
    assert validated.exit_code == 1
    assert ("facts/claims.ttl: claim:x: violation: dv:quantity has 2 values where one is "
            "expected: [ qudt:hasUnit unit:FLOPS ; qudt:value 1.9e+20 ] (facts/claims.ttl) and "
            "[ qudt:hasUnit unit:FLOPS ; qudt:value 2.5e+20 ] (facts/correction.ttl); keep the "
            "one that holds and delete the other") in validated.stdout
    result = estimate(invoke, kb)
    assert result.exit_code == 1
    assert "uses claim:x, which derive validate rejects" in result.output


@pytest.mark.parametrize("args", [
    ("sheet", "--all", "--out", "{file}/sheets"), ("sheet", "--all", "--out", "/proc/derive-x"),
    ("audit", "--rdf", "{file}/findings.ttl"), ("audit", "--rdf", "/proc/findings.ttl"),
    ("export", "csv", "--out", "{file}/claims.csv"), ("export", "csv", "--out", "/proc/x.csv"),
], ids=["sheet-under-a-file", "sheet-folder-cannot-be-created", "audit-rdf-under-a-file",
        "audit-rdf-cannot-be-written", "export-under-a-file", "export-cannot-be-written"])
def test_output_that_cannot_be_written_is_one_line_not_an_internal_error(
        make_kb: KBBuilder, invoke: Callable[..., Result], tmp_path: Path,
        args: tuple[str, ...]) -> None:
    # NotADirectoryError and FileNotFoundError ended in "internal error".
    (tmp_path / "file").write_text("x\n", encoding="utf-8")
    argv = [a.replace("{file}", str(tmp_path / "file")) for a in args]
    result = invoke(*argv, kb=kb_with(make_kb))
    assert result.exit_code == 2
    assert result.output.startswith("Error: cannot ")
    assert "choose a folder you can write to" in result.output


def test_build_with_derived_a_file_is_one_line(make_kb: KBBuilder,
                                               invoke: Callable[..., Result]) -> None:
    kb = kb_with(make_kb)
    (kb.root / "derived").write_text("in the way\n", encoding="utf-8")
    result = invoke("build", kb=kb)
    assert result.exit_code == 2
    assert result.output == (f"Error: cannot create the folder {kb.root / 'derived'}: "
                             f"{kb.root / 'derived'} is a file; choose a folder you can write "
                             "to\n")


def test_no_front_end_computes_with_a_rejected_value(
        make_kb: KBBuilder, invoke: Callable[..., Result], tmp_path: Path) -> None:
    # Build, fact sheets and queries computed the estimate from a NaN figure.
    kb = kb_with(make_kb, value='"NaN"^^xsd:double')
    built = invoke("build", kb=kb)
    assert built.exit_code == 0
    assert "not computed: estimate grown uses claim:x, which derive validate rejects" in (
        built.output)
    derived = (kb.root / "derived" / "estimates.ttl").read_text(encoding="utf-8")
    assert "dv:EstimateResult" not in derived
    queried = invoke("query", "SELECT ?v WHERE { ?r a dv:EstimateResult ; qudt:value ?v }",
                     kb=kb)
    assert queried.exit_code == 0
    assert "(0 rows)" in queried.output
    sheet = invoke("sheet", "grown", "--out", str(tmp_path / "s"), "--format", "md", kb=kb)
    assert sheet.exit_code == 0
    page = (tmp_path / "s" / "estimate-grown.md").read_text(encoding="utf-8")
    assert "**Cannot be computed under this scenario.** estimate grown uses claim:x, which " \
           "derive validate rejects" in page


def test_negative_seed_is_a_usage_error_not_an_internal_error(
        make_kb: KBBuilder, invoke: Callable[..., Result]) -> None:
    # numpy's default_rng(-1) raised ValueError: "internal error" for an estimate with ranges.
    kb = kb_with(make_kb, min="1.0E20", max="3.0E20")
    assert estimate(invoke, kb).exit_code == 0
    result = estimate(invoke, kb, "--seed", "-1")
    assert result.exit_code == 2
    assert "Invalid value for '--seed': -1 is not in the range x>=0." in result.output


def test_samples_are_bounded_so_memory_is(make_kb: KBBuilder,
                                          invoke: Callable[..., Result]) -> None:
    # --samples 10000000000 tried to allocate arrays of ten billion draws.
    result = estimate(invoke, kb_with(make_kb, min="1.0E20", max="3.0E20"),
                      "--samples", "10000000000")
    assert result.exit_code == 2
    assert "is not in the range 0<=x<=10000000" in result.output


def test_undefined_estimate_unit_names_the_estimate(make_kb: KBBuilder,
                                                    invoke: Callable[..., Result]) -> None:
    # "Error: unit unit:nosuch is not defined" did not say which estimate.
    result = estimate(invoke, kb_with(make_kb, estimate_unit="unit:nosuch"))
    assert result.exit_code == 1
    assert result.output.startswith("Error: estimate grown: unit unit:nosuch is not defined")


def test_audit_never_computes_with_a_rejected_figure(tmp_path: Path,
                                                     invoke: Callable[..., Result]) -> None:
    # The share-total and exceeds-stock checks printed "nan FLOP/s at 15% implies nan".
    import re
    import shutil

    from conftest import PROJECT

    for folder in ("ontology", "facts"):
        shutil.copytree(PROJECT / folder, tmp_path / folder)
    claims_file = tmp_path / "facts" / "claims-supercomputers.ttl"
    text = claims_file.read_text(encoding="utf-8")
    assert text.count("qudt:value 1.9E20 ;") == 1
    claims_file.write_text(text.replace("qudt:value 1.9E20 ;", 'qudt:value "NaN"^^xsd:double ;'),
                           encoding="utf-8")
    result = invoke("audit", "--format", "json", kb=tmp_path)
    assert result.exit_code == 0, result.output
    assert not re.search(r"\bnan\b", result.output, re.I), result.output


def test_set_unknown_name_with_an_empty_value_is_reported_as_unknown(
        make_kb: KBBuilder, invoke: Callable[..., Result]) -> None:
    # Found by the long fuzz run: "--set nosuch=" said "write NAME=VALUE" first.
    result = estimate(invoke, kb_with(make_kb), "--set", "nosuch=")
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: no claim, parameter, assumption or estimate (for --set) named 'nosuch'.")
    empty = estimate(invoke, kb_with(make_kb), "--set", "rate=")
    assert empty.exit_code == 2
    assert "Error: --set 'rate=': write NAME=VALUE" in empty.output
