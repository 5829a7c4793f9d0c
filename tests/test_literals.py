"""Every literal a parser accepts, in every place a claim or an estimate
carries a value: property-based tests (hypothesis) that build a claim from a
generated literal and check what ``derive validate`` and ``derive estimate``
make of it.

- ``derive validate`` accepts the value only when it is a real, finite,
  in-range quantity (a date derive can compute with, text that is not empty,
  an IRI that names what it must), and otherwise rejects it with a line that
  names the claim (exit 1) or, for a form XML Schema does not allow, with the
  file and line (exit 2). Never a traceback.
- ``derive estimate`` never computes with a value validation rejects, and
  what it computes from an accepted one is finite or a one-line error.

The oracle of each test is written here from XML Schema's definitions, not
taken from derive. The run is seeded (derandomized) and bounded: about a
minute in all in CI. For a longer fuzz run set ``DERIVE_FUZZ_EXAMPLES``,
e.g. ``DERIVE_FUZZ_EXAMPLES=2000 python -m pytest tests/test_literals.py``
(add ``DERIVE_FUZZ_SEED=N`` to draw other examples than CI does).
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result
from conftest import KBBuilder
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from derive.cli import cli

EXAMPLES = int(os.environ.get("DERIVE_FUZZ_EXAMPLES", "40"))
SEED = int(os.environ.get("DERIVE_FUZZ_SEED", "0"))


def fuzz(test: Callable[..., None]) -> Callable[..., None]:
    """Seeded, bounded, no example database (CI draws the same examples every run)."""
    return seed(SEED)(settings(
        max_examples=EXAMPLES, deadline=None, database=None, derandomize=not SEED,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )(test))


ESSAY = "Compute doubles every 9-10 months.\nChina holds 15% of AI supercomputer performance.\n"

SOURCES = """\
src:essay a bibo:Document ; dcterms:title "Essay" ; dcterms:issued "2025"^^xsd:gYear ;
    dv:localText "texts/essay.txt" .
ent:x a dv:Country ; rdfs:label "X"@en .
"""

DEFAULTS = {
    "value": "1.9E20", "min": None, "max": None, "unit": "unit:FLOPS", "as_of": '"2025"^^xsd:gYear',
    "quote": '"China holds 15%"', "label": '"x"@en', "about": "ent:x", "metric":
    "metric:ai-compute-capacity", "target": '"2027"^^xsd:gYear', "method": "dv:CompoundGrowth",
    "base": "claim:x", "estimate_unit": "unit:FLOPS",
}


def claims(**values: str | None) -> str:
    v = {**DEFAULTS, **values}
    bounds = "".join(f"schema:{k}Value {v[k]} ; " for k in ("min", "max") if v[k] is not None)
    return f"""
claim:x a dv:QuantitativeClaim ;
    rdfs:label {v["label"]} ;
    dv:about {v["about"]} ;
    dv:metric {v["metric"]} ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value {v["value"]} ; {bounds}
        qudt:hasUnit {v["unit"]} ] ;
    dv:asOf {v["as_of"]} ;
    prov:wasQuotedFrom src:essay ;
    dv:quote [ a oa:SpecificResource ; oa:hasSource src:essay ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact {v["quote"]} ] ] .

claim:rate a dv:QuantitativeClaim ;
    rdfs:label "rate"@en ;
    dv:about ent:x ;
    dv:metric metric:compute-growth-rate ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value 10 ; qudt:hasUnit unit:PERCENT-PER-YR ] ;
    dv:asOf "2025"^^xsd:gYear ;
    prov:wasQuotedFrom src:essay ;
    dv:quote [ a oa:SpecificResource ; oa:hasSource src:essay ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Compute doubles" ] ] .

est:grown a dv:Estimate ;
    rdfs:label "grown"@en ;
    dv:method {v["method"]} ;
    dv:input [ dv:role "base" ; dv:from {v["base"]} ] , [ dv:role "rate" ; dv:from claim:rate ] ;
    dv:targetDate {v["target"]} ;
    dv:unit {v["estimate_unit"]} .
"""


def run(*args: str, **values: str | None) -> tuple[Result, Result]:
    """``derive validate`` and ``derive estimate grown`` on a fresh knowledge base."""
    with tempfile.TemporaryDirectory() as folder:
        kb = KBBuilder(Path(folder) / "kb")
        kb.write("sources.ttl", SOURCES)
        kb.write("claims.ttl", claims(**values))
        kb.write("texts/essay.txt", ESSAY, prologue=False)
        runner = CliRunner()
        base = ["--kb", str(kb.root)]
        validated = runner.invoke(cli, [*base, "validate"], catch_exceptions=False)
        estimated = runner.invoke(cli, [*base, "estimate", "grown", "--format", "json", *args],
                                  catch_exceptions=False)
    return validated, estimated


def assert_verdict(validated: Result, estimated: Result, accepted: bool, *,
                   value: bool = True) -> None:
    """The common property: the right verdict, said properly; an estimate never
    uses a rejected ``value`` (a place that is no value, such as dv:about, is
    reported but does not stop it)."""
    for result in (validated, estimated):
        assert "Traceback" not in result.output and "internal error" not in result.output
    if accepted:
        assert validated.exit_code == 0, validated.output
        assert_finite_or_refused(estimated)
        return
    assert validated.exit_code in (1, 2), validated.output
    if validated.exit_code == 1:
        assert re.search(r"^facts/claims\.ttl: (claim:x|est:grown): violation: ",
                         validated.output, re.M), validated.output
    else:
        assert re.match(r"Error: facts/claims\.ttl:\d+: ", validated.output), validated.output
    if not value and validated.exit_code == 1:
        assert_finite_or_refused(estimated)
        return
    assert estimated.exit_code != 0, f"the estimate used a rejected value:\n{estimated.output}"
    assert estimated.output.startswith("Error: "), estimated.output


def assert_finite_or_refused(estimated: Result) -> None:
    if estimated.exit_code == 0:
        report = json.loads(estimated.output)
        numbers = [report["value"], *(report.get("interval") or {}).values()]
        assert all(isinstance(n, float | int) and math.isfinite(n) for n in numbers
                   if not isinstance(n, str)), report
    else:
        assert estimated.exit_code == 1, estimated.output
        assert estimated.output.startswith("Error: "), estimated.output
        assert "grown" in estimated.output.splitlines()[0], estimated.output


# --- XML Schema, written out from the standard (the oracle) -----------------------------------
XSD_DECIMAL = r"[+-]?(\d+(\.\d*)?|\.\d+)"
XSD_FORMS = {
    "xsd:integer": r"[+-]?\d+",
    "xsd:decimal": XSD_DECIMAL,
    "xsd:double": rf"({XSD_DECIMAL}([eE][+-]?\d+)?|[+-]?INF|NaN)",
}
NUMERIC_TYPES = ("xsd:double", "xsd:decimal", "xsd:integer")


def real_finite(lexical: str, datatype: str | None) -> bool:
    if datatype not in NUMERIC_TYPES:
        return False
    text = lexical.strip(" \t\n")
    if not re.fullmatch(XSD_FORMS[datatype], text, re.ASCII):
        return False
    try:
        return math.isfinite(float(text))
    except (OverflowError, ValueError):
        return False


def literal(lexical: str, datatype: str | None) -> str:
    return f'"{lexical}"^^{datatype}' if datatype else f'"{lexical}"'


NUMBER_TEXT = st.one_of(
    st.from_regex(r"\A[+-]?(\d{1,3}(\.\d{0,3})?|\.\d{1,3})([eE][+-]?\d{1,3})?\Z"),
    st.sampled_from(["NaN", "INF", "-INF", "+INF", "inf", "nan", "Infinity", "1e400", "-1e400",
                     "1e-400", "1_000", "0x10", "١٢", "", " 7 ", "1.", ".5", "--1", "1e", "e1",
                     "1" * 400, "0." + "0" * 350 + "1", "-0", "1E308", "1.7976931348623157E308"]),
    st.text(alphabet="0123456789.eE+-_ INFNa", max_size=8),
)
DATATYPES = st.sampled_from([*NUMERIC_TYPES, "xsd:float", "xsd:string", None])


@fuzz
@given(lexical=NUMBER_TEXT, datatype=DATATYPES)
def test_figure(lexical: str, datatype: str | None) -> None:
    validated, estimated = run(value=literal(lexical, datatype))
    assert_verdict(validated, estimated, real_finite(lexical, datatype))


@fuzz
@given(low=NUMBER_TEXT, high=NUMBER_TEXT, datatype=st.sampled_from(NUMERIC_TYPES))
def test_bounds(low: str, high: str, datatype: str) -> None:
    value = "1.9E20"
    validated, estimated = run(value=value, min=literal(low, datatype),
                               max=literal(high, datatype))
    accepted = (real_finite(low, datatype) and real_finite(high, datatype)
                and float(low) <= float(value) <= float(high))
    assert_verdict(validated, estimated, accepted)


YEAR = r"-?([1-9]\d{3,}|0\d{3})"
TZ = r"(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))?"
DATE_FORMS = {
    "xsd:gYear": rf"{YEAR}{TZ}",
    "xsd:gYearMonth": rf"{YEAR}-(0[1-9]|1[0-2]){TZ}",
    "xsd:date": rf"{YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]){TZ}",
}
DATE_TEXT = st.one_of(
    st.from_regex(r"\A-?\d{1,5}(-\d{1,2}(-\d{1,2})?)?(Z|[+-]\d\d:\d\d)?\Z"),
    st.sampled_from(["2025", "2025Z", "2025-06", "2025-06-30", "2024-02-29", "2023-02-29",
                     "2025-13", "0000", "-0044", "12025", "9999", "10000", "0001", "25",
                     "2025-06-31", "2025-02-30+14:00", "2025+15:00", "", "May 2025"]),
)


def usable_date(lexical: str, datatype: str | None) -> bool:
    """A form XML Schema allows, naming a day of the calendar, in the years 1-9999."""
    if datatype not in DATE_FORMS or not re.fullmatch(DATE_FORMS[datatype], lexical, re.ASCII):
        return False
    parts = re.match(r"(-?\d+)(?:-(\d\d))?(?:-(\d\d))?", lexical)
    assert parts is not None
    year = int(parts.group(1))
    if not 1 <= year <= 9999:
        return False
    if datatype == "xsd:date":
        import datetime as dt

        try:
            dt.date(year, int(parts.group(2)), int(parts.group(3)))
        except ValueError:
            return False
    return True


DATE_TYPES = st.sampled_from([*DATE_FORMS, "xsd:string", "xsd:dateTime", None])


@fuzz
@given(lexical=DATE_TEXT, datatype=DATE_TYPES)
def test_as_of_date(lexical: str, datatype: str | None) -> None:
    validated, estimated = run(as_of=literal(lexical, datatype))
    assert_verdict(validated, estimated, usable_date(lexical, datatype))


@fuzz
@given(lexical=DATE_TEXT, datatype=DATE_TYPES)
def test_estimate_target_date(lexical: str, datatype: str | None) -> None:
    validated, estimated = run(target=literal(lexical, datatype))
    assert_verdict(validated, estimated, usable_date(lexical, datatype))


KNOWN_UNITS = ["unit:FLOPS", "unit:TeraFLOPS", "dvu:FLOP", "unit:MO", "unit:YR", "unit:PERCENT",
               "unit:UNITLESS", "unit:PERCENT-PER-YR", "unit:NUM", "unit:HR", "unit:DAY"]
UNITS = st.one_of(
    st.sampled_from(KNOWN_UNITS),
    st.from_regex(r"\Aunit:[A-Za-z][A-Za-z0-9-]{0,12}\Z"),
    st.sampled_from(['"FLOPS"', '"unit:FLOPS"', "42", "ent:x", "<urn:x:unit>",
                     "<http://qudt.org/vocab/unit/FLOPS>"]),
)


@fuzz
@given(unit=UNITS)
def test_unit(unit: str) -> None:
    validated, estimated = run(unit=unit)
    allowed = unit in ("unit:FLOPS", "unit:TeraFLOPS", "<http://qudt.org/vocab/unit/FLOPS>")
    assert_verdict(validated, estimated, allowed)


def turtle_string(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r"))
    return f'"{escaped}"'


QUOTES = st.one_of(
    st.builds(lambda a, n: ESSAY[a:a + n], st.integers(0, len(ESSAY)), st.integers(0, 40)),
    st.text(max_size=30),
    st.sampled_from(["", " ", "\n\t", "China  holds\n15%", "china holds 15%", "15%\\", '"15%"']),
)


@fuzz
@given(quote=QUOTES)
def test_quote(quote: str) -> None:
    validated, estimated = run(quote=turtle_string(quote))
    words = " ".join(quote.split())
    verbatim = bool(words) and words in " ".join(ESSAY.split())
    # The value is fine whatever the quote: a bad quote is reported, not a reason to refuse
    # the estimate.
    for result in (validated, estimated):
        assert "Traceback" not in result.output and "internal error" not in result.output
    if verbatim:
        assert validated.exit_code == 0, validated.output
    else:
        assert validated.exit_code == 1, validated.output
        assert re.search(r"^facts/claims\.ttl: claim:x: violation: ", validated.output, re.M)
    assert_finite_or_refused(estimated)


LANGUAGES = st.one_of(st.none(), st.from_regex(r"\A[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8}){0,2}\Z"))


@fuzz
@given(label=st.text(max_size=20), language=LANGUAGES)
def test_label(label: str, language: str | None) -> None:
    validated, estimated = run(label=turtle_string(label) + (f"@{language}" if language else ""))
    for result in (validated, estimated):
        assert "Traceback" not in result.output and "internal error" not in result.output
    if label.strip():
        assert validated.exit_code == 0, validated.output
    else:
        assert validated.exit_code == 1, validated.output
        assert "facts/claims.ttl: claim:x: violation: rdfs:label" in validated.output
    assert_finite_or_refused(estimated)


IRIS = st.one_of(
    st.sampled_from(["ent:x", "ent:y", "metric:ai-compute-capacity", "src:essay", '"x"', "42",
                     "<https://w3id.org/derive/kb/entity/x>", "<urn:x>", "<x y>", "<a>",
                     "<http://example.org/{x}>", "[]", "_:b"]),
    st.builds(lambda s: f"<https://w3id.org/derive/kb/entity/{s}>", st.text(max_size=6)),
)


@fuzz
@given(iri=IRIS)
def test_about(iri: str) -> None:
    if '"' in iri or "\\" in iri or "\n" in iri or ">" in iri[1:-1]:
        iri = "<urn:x>"  # the Turtle itself would be broken, which test_load_errors covers
    validated, estimated = run(about=iri)
    accepted = iri in ("ent:x", "<https://w3id.org/derive/kb/entity/x>")
    assert_verdict(validated, estimated, accepted, value=False)


SET_VALUES = st.one_of(
    st.builds(lambda n, u: f"{n} {u}".strip(), NUMBER_TEXT,
              st.sampled_from(["", "percent/year", "%/yr", "meter", "FLOP/s", "1/yr", "year",
                               "percent / year ** 2", "__import__('os')", "percent/year)"])),
    st.text(max_size=12),
)


@fuzz
@given(value=SET_VALUES, name=st.sampled_from(["rate", "x", "grown", "nosuch", ""]))
def test_set(value: str, name: str) -> None:
    _validated, estimated = run("--set", f"{name}={value}")
    assert "Traceback" not in estimated.output and "internal error" not in estimated.output
    if estimated.exit_code == 0:
        assert_finite_or_refused(estimated)
    else:
        assert estimated.output.startswith("Error: "), estimated.output
        assert estimated.exit_code in (1, 2)
        if name == "nosuch":
            assert "named 'nosuch'" in estimated.output, estimated.output


REFERENCES = {
    "method": st.sampled_from(["dv:CompoundGrowth", "dv:Sum", "dv:Ratio", "dv:Formula",
                               "dv:NoSuchMethod", '"CompoundGrowth"', "claim:x", "42"]),
    "base": st.sampled_from(["claim:x", "claim:rate", "claim:nosuch", "est:grown", "ent:x",
                             '"claim:x"', "param:p", "<urn:x>"]),
    "estimate_unit": st.sampled_from(["unit:FLOPS", "unit:TeraFLOPS", "dvu:FLOP", "unit:NUM",
                                      "unit:nosuch", '"FLOP/s"', "claim:x"]),
}


@fuzz
@given(data=st.data(), place=st.sampled_from(sorted(REFERENCES)))
def test_estimate_references(data: st.DataObject, place: str) -> None:
    """An estimate's method, input and unit: whatever they name, derive says
    what is wrong in one line, and computes only from accepted values."""
    reference = data.draw(REFERENCES[place])
    validated, estimated = run(**{place: reference})
    for result in (validated, estimated):
        assert "Traceback" not in result.output and "internal error" not in result.output
    assert validated.exit_code in (0, 1), validated.output
    if reference.startswith('"') or reference == "42":  # a literal where an IRI belongs
        assert validated.exit_code == 1
        prop = {"method": "dv:method", "base": "dv:from", "estimate_unit": "dv:unit"}[place]
        assert f"facts/claims.ttl: est:grown: violation: {prop} " in validated.output
        assert estimated.exit_code == 1
    assert_finite_or_refused(estimated)
