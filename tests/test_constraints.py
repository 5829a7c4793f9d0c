"""A test for every constraint derive enforces.

The table of constraints is built from ontology/shapes.ttl and the plain-Python
checks (``derive.validate.constraints``). Every row has here a minimal example
that breaks it, starting from the valid knowledge base of test_validate, and
the exact line ``derive validate`` must print for it. A constraint without an
example fails the suite, and so does a README whose "What is rejected" table
differs from the constraints (``python tests/regen_readme.py`` rewrites it).
Only the command's output is compared, so the checks may move between shapes
and Python without these tests changing.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import Result
from conftest import PROJECT, KBBuilder
from test_validate import CLAIMS, SOURCES, US_SHARE_QUOTE, broken, build

from derive.validate.constraints import MODULES, constraints, markdown

README = PROJECT / "README.md"
BEGIN, END = "<!-- constraints: begin -->\n", "<!-- constraints: end -->\n"

# An estimate and a scenario next to the claims, for the checks on estimates.
ESTIMATES = """\
param:growth a dv:Parameter ; rdfs:label "growth"@en .
est:e a dv:Estimate ;
    rdfs:label "e"@en ;
    dv:method dv:DoublingProjection ;
    dv:input [ dv:role "base" ; dv:from claim:us-share ] ,
             [ dv:role "doublingTime" ; dv:from claim:doubling ] ;
    dv:targetDate "2027"^^xsd:gYear ;
    dv:unit unit:PERCENT .
scen:base a dv:Scenario ; rdfs:label "base"@en ; dv:isDefault true ;
    dv:binding [ dv:parameter param:growth ; dv:from claim:doubling ] .
"""


# A stored part of the report's text, for the checks on dv:SourceText.
PART = """\
src:report-abstract a dv:SourceText ;
    dcterms:isPartOf src:report ;
    bibo:locator "abstract" ;
    dv:localText "texts/essay.txt" ;
    dv:readFrom "https://example.org/report"^^xsd:anyURI ;
    dv:readOn "2025-11-12"^^xsd:date ;
    dv:readVia dv:StoredCopy ;
    dcterms:license <http://creativecommons.org/publicdomain/zero/1.0/> .
"""


def _part(line: str, message: str, severity: str = "violation", new: str = "") -> Case:
    """The stored part with ``line`` left out (or replaced by ``new``)."""
    assert PART.count(line) == 1
    return Case(f"facts/part.ttl: src:report-abstract: {severity}: {message}",
                files={"part.ttl": PART.replace(line, new)},
                exit_code=1 if severity == "violation" else 0)


class Case(NamedTuple):
    line: str  # the exact line derive validate must print
    claims: tuple[str, str] | None = None  # (old, new) in the claims template
    sources: tuple[str, str] | None = None  # (old, new) in the sources template
    estimates: tuple[str, str] | None = None  # (old, new) in ESTIMATES
    files: dict[str, str] | None = None  # further facts files
    exit_code: int = 1


def _one_value(prop: str, first: str, second: str, shown: tuple[str, str]) -> Case:
    """``claim:x`` gets ``prop`` from two files, one value each."""
    return Case(
        f"facts/one.ttl: claim:x: violation: {prop} has 2 values where one is expected: "
        f"{shown[0]} (facts/one.ttl) and {shown[1]} (facts/two.ttl); keep the one that holds "
        "and delete the other",
        files={"one.ttl": f"claim:x {prop} {first} .\n", "two.ttl": f"claim:x {prop} {second} .\n"},
    )


def _value_rule(prop: str, value: str, message: str) -> Case:
    """``claim:x`` carries ``value`` in ``prop`` (in a file of its own)."""
    return Case(f"facts/one.ttl: claim:x: violation: {message}",
                files={"one.ttl": f"claim:x {prop} {value} .\n"})


# A shipped table and a quote from it, for the checks on imported cells.
TABLE_CSV = "a,b\n1,2\n"
RV = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#value>"  # rdf:value (the prologue has no rdf:)


def _table(local: str = "facts/t.csv", selector: str = "", checksum: str = "",
           csv_text: str = TABLE_CSV) -> dict[str, str]:
    """facts/table.ttl describes a dataset whose file is ``local`` and quotes a cell of it."""
    selector = selector or (f'a oa:FragmentSelector ; {RV} "row=2" ; '
                            'oa:refinedBy [ oa:exact "2" ; dv:column "b" ]')
    recorded = (f' ; <http://spdx.org/rdf/terms#checksum> [ '
                f'<http://spdx.org/rdf/terms#checksumValue> "{checksum}" ]') if checksum else ""
    return {
        "t.csv": csv_text,
        "table.ttl": (
            'src:table a <http://www.w3.org/ns/dcat#Dataset> ; dcterms:title "T"@en ;\n'
            "    <http://www.w3.org/ns/dcat#distribution> src:table-csv .\n"
            f'src:table-csv dv:localFile "{local}"{recorded} .\n'
            f"claim:cell dv:quote [ oa:hasSource src:table ; oa:hasSelector [ {selector} ] ] .\n"
        ),
    }


def _cell(message: str, **kwargs: str) -> Case:
    return Case(f"facts/table.ttl: claim:cell: violation: {message}", files=_table(**kwargs))


def _table_file(message: str, **kwargs: str) -> Case:
    return Case(f"facts/table.ttl: src:table-csv: violation: {message}", files=_table(**kwargs))


LITERAL_PAIRS = {
    "qudt:value": ("1", "2", ("1", "2")),
    "schema:minValue": ("1", "2", ("1", "2")),
    "schema:maxValue": ("1", "2", ("1", "2")),
    "dv:asOf": ('"2024"^^xsd:gYear', '"2025"^^xsd:gYear',
                ('"2024"^^xsd:gYear', '"2025"^^xsd:gYear')),
    "dv:targetDate": ('"2026"^^xsd:gYear', '"2027"^^xsd:gYear',
                      ('"2026"^^xsd:gYear', '"2027"^^xsd:gYear')),
    "dcterms:issued": ('"2024"^^xsd:gYear', '"2025"^^xsd:gYear',
                       ('"2024"^^xsd:gYear', '"2025"^^xsd:gYear')),
    "dv:approximate": ("false", "true", ('"false"^^xsd:boolean', '"true"^^xsd:boolean')),
    "dv:isDefault": ("false", "true", ('"false"^^xsd:boolean', '"true"^^xsd:boolean')),
    "dv:isShare": ("false", "true", ('"false"^^xsd:boolean', '"true"^^xsd:boolean')),
    "dv:isDuration": ("false", "true", ('"false"^^xsd:boolean', '"true"^^xsd:boolean')),
}
IRI_VALUED = {"prov:wasQuotedFrom", "dv:metric", "qudt:hasUnit", "oa:hasSource", "dv:method",
              "dv:unit", "dv:from", "dv:parameter", "dv:statedAs", "dv:verification",
              "dv:reproduces", "dv:inScenario", "cito:hasCitedEntity", "cito:hasCitingEntity",
              "dv:statedUnit"}
NODE_VALUED = {"dv:quote", "dv:quantity", "oa:hasSelector"}


def one_value_case(prop: str) -> Case:
    if prop in LITERAL_PAIRS:
        first, second, shown = LITERAL_PAIRS[prop]
        return _one_value(prop, first, second, shown)
    if prop in IRI_VALUED:
        return _one_value(prop, "ent:a", "ent:b", ("ent:a", "ent:b"))
    if prop in NODE_VALUED:
        return _one_value(prop, '[ rdfs:comment "a" ]', '[ rdfs:comment "b" ]',
                          ('[ rdfs:comment "a" ]', '[ rdfs:comment "b" ]'))
    return _one_value(prop, '"a"', '"b"', ('"a"', '"b"'))


CASES: dict[str, Case] = {
    # --- shapes: claims ---------------------------------------------------------------
    "claim-quoted-from": Case(
        "facts/claims.ttl: claim:doubling: violation: claim has no prov:wasQuotedFrom; add the "
        "source that states it, e.g. prov:wasQuotedFrom src:ruiloba-portilla-2025",
        claims=("    prov:wasQuotedFrom src:essay ;\n    cito:citesAsEvidence",
                "    cito:citesAsEvidence")),
    "claim-quote-exact": Case(
        "facts/claims.ttl: claim:us-share: violation: claim has no verbatim quote; add dv:quote "
        "[ oa:hasSource src:… ; oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact \"the "
        "source's own words\" ] ]",
        claims=(US_SHARE_QUOTE, "    prov:wasQuotedFrom src:essay .")),
    "claim-as-of": Case(
        "facts/claims.ttl: claim:us-share: violation: claim has no dv:asOf; add the date the "
        'claim holds for, e.g. dv:asOf "2025"^^xsd:gYear',
        claims=('    dv:asOf "2025-05"^^xsd:gYearMonth ;\n', "")),
    "claim-one-as-of": Case(
        "facts/claims.ttl: claim:controls: violation: claim has more than one dv:asOf; keep the "
        "one date the claim holds for",
        claims=('"2022-10-07"^^xsd:date', '"2022-10-07"^^xsd:date , "2023"^^xsd:gYear')),
    "claim-as-of-datatype sparql": Case(
        'facts/claims.ttl: claim:us-share: violation: dv:asOf "May 2025" is not a date; type it '
        'xsd:gYear ("2025"), xsd:gYearMonth ("2025-06") or xsd:date ("2025-06-30")',
        claims=('"2025-05"^^xsd:gYearMonth', '"May 2025"')),
    "claim-quote-source": Case(
        "facts/claims.ttl: claim:us-share: violation: the quote's oa:hasSource differs from the "
        "claim's prov:wasQuotedFrom; make both name the source the quote is taken from",
        claims=(US_SHARE_QUOTE,
                US_SHARE_QUOTE.replace("oa:hasSource src:essay", "oa:hasSource src:report"))),
    "CitationLabelShape sparql": Case(
        "facts/claims.ttl: claim:doubling: warning: claim cites a reference "
        "(cito:citesAsEvidence) but has no dv:citationLabel, although its stating source "
        'numbers its references; add the marker it prints, e.g. dv:citationLabel "[5]"',
        claims=('    dv:citationLabel "[1]" ;\n', ""), exit_code=0),
    "QualitativeClaimShape dv:statement minCount": Case(
        "facts/claims.ttl: claim:controls: violation: qualitative claim has no dv:statement; add "
        "a short paraphrase of what the quote says",
        claims=('    dv:statement "Export controls were tightened in 2022." ;\n', "")),
    # --- shapes: quotes -------------------------------------------------------------------
    "QuoteShape oa:hasSource minCount": Case(
        "facts/claims.ttl: claim:us-share: violation: the quote has no oa:hasSource; add the "
        "source it is taken from (the claim's prov:wasQuotedFrom)",
        claims=(US_SHARE_QUOTE, US_SHARE_QUOTE.replace("        oa:hasSource src:essay ;\n", ""))),
    "QuoteLocatorShape sparql": Case(
        "facts/claims.ttl: claim:us-share: warning: the quote's selector has no bibo:locator; "
        'add the page or section where the quote is found, e.g. bibo:locator "p. 12"',
        claims=(US_SHARE_QUOTE, US_SHARE_QUOTE.replace("src:essay", "src:report")), exit_code=0),
    # --- shapes: quantities ---------------------------------------------------------------
    "QuantitativeClaimShape dv:metric minCount": Case(
        "facts/claims.ttl: claim:doubling: violation: quantitative claim has no dv:metric; add "
        "what it measures, e.g. dv:metric metric:training-compute (see ontology/metrics.ttl)",
        claims=("    dv:metric metric:training-compute-doubling-time ;\n", "")),
    "QuantitativeClaimShape dv:quantity minCount": Case(
        "facts/claims.ttl: claim:us-share: violation: quantitative claim has no dv:quantity; add "
        "dv:quantity [ a qudt:QuantityValue ; qudt:value … ; qudt:hasUnit … ]",
        claims=("    dv:quantity [ a qudt:QuantityValue ; qudt:value 75 ; "
                "qudt:hasUnit unit:PERCENT ] ;\n", "")),
    "unit-allowed-for-metric": Case(
        "facts/claims.ttl: claim:doubling: violation: unit dvu:FLOP is not allowed for "
        "metric:training-compute-doubling-time; use one of its dv:allowedUnit values "
        "(unit:MO, unit:YR) and convert the figure",
        claims=("qudt:hasUnit unit:MO", "qudt:hasUnit dvu:FLOP")),
    "QuantityShape qudt:value minCount+maxCount": Case(
        "facts/claims.ttl: claim:us-share: violation: the quantity needs exactly one "
        "qudt:value; give the figure once, e.g. qudt:value 6.0E23",
        claims=("qudt:value 75 ; ", "")),
    "QuantityShape qudt:value sparql": Case(
        'facts/claims.ttl: claim:us-share: violation: qudt:value "75" is not a number; write it '
        "as an xsd:double, xsd:decimal or xsd:integer, e.g. qudt:value 6.0E23",
        claims=("qudt:value 75 ;", 'qudt:value "75" ;')),
    "QuantityShape qudt:hasUnit minCount+maxCount": Case(
        "facts/claims.ttl: claim:us-share: violation: the quantity needs exactly one "
        "qudt:hasUnit; add the unit the figure is in, e.g. qudt:hasUnit unit:MO",
        claims=(" ; qudt:hasUnit unit:PERCENT ]", " ]")),
    "QuantityShape schema:minValue lessThanOrEquals": Case(
        "facts/claims.ttl: claim:doubling: violation: schema:minValue 9.9 is above qudt:value; "
        "the range must enclose the value, so fix the bound or the value",
        claims=("schema:minValue 9.0E0", "schema:minValue 9.9E0")),
    "QuantityShape qudt:value lessThanOrEquals": Case(
        "facts/claims.ttl: claim:doubling: violation: schema:maxValue is below qudt:value 9.5; "
        "the range must enclose the value, so fix the bound or the value",
        claims=("schema:maxValue 1.0E1", "schema:maxValue 9.0E0")),
    "ShareShape sparql": Case(
        "facts/claims.ttl: claim:us-share: violation: 175 unit:PERCENT is not a share: a share "
        "lies between 0 and 100 in unit:PERCENT or between 0 and 1 in unit:UNITLESS; fix "
        "qudt:value or its unit",
        claims=("qudt:value 75 ;", "qudt:value 175 ;")),
    "DurationShape sparql": Case(
        "facts/claims.ttl: claim:doubling: violation: a duration (doubling time) must be "
        "positive; fix qudt:value or schema:minValue",
        claims=("qudt:value 9.5E0 ; schema:minValue 9.0E0",
                "qudt:value 0.0E0 ; schema:minValue 0.0E0")),
    "MetricUnitsShape dv:allowedUnit minCount": Case(
        "facts/one.ttl: metric:bare: violation: metric has no dv:allowedUnit; add the units a "
        "claim about it may use, e.g. dv:allowedUnit unit:MO",
        files={"one.ttl": 'metric:bare a dv:Metric ; rdfs:label "bare"@en .\n'}),
    # --- shapes: what claims point at ------------------------------------------------------
    "AboutShape dv:about class": Case(
        "facts/claims.ttl: claim:us-share: violation: dv:about metric:training-compute is not a "
        "dv:Entity; point it at an entity of facts/entities.ttl or declare the entity there",
        claims=("dv:about ent:united-states", "dv:about metric:training-compute")),
    "MetricShape dv:metric class": Case(
        "facts/claims.ttl: claim:doubling: violation: dv:metric ent:frontier-runs is not a "
        "dv:Metric; use a metric of ontology/metrics.ttl or declare it there",
        claims=("dv:metric metric:training-compute-doubling-time", "dv:metric ent:frontier-runs")),
    # --- cells: quotes from a shipped table (derive/validate/cells.py) ----------------------
    "table-file-missing": _table_file(
        "dv:localFile facts/none.csv does not exist; ship the table there or import it again",
        local="facts/none.csv"),
    "table-file-outside": _table_file(
        "dv:localFile '../t.csv' points outside the knowledge base; give a path relative to it, "
        "e.g. data/epoch/table.csv", local="../t.csv"),
    "table-file-unreadable": _table_file(
        "dv:localFile facts/texts/latin1.txt is not UTF-8 text; ship the table as it was "
        "imported", local="facts/texts/latin1.txt"),
    "table-file-changed": _table_file(
        "facts/t.csv changed since it was imported (its SHA-256 differs from the recorded one); "
        "run derive import again", checksum="0" * 64),
    "table-file-not-csv": _table_file(
        "facts/t.csv is not well-formed CSV (field larger than field limit (131072)); ship the "
        "table as it was imported", csv_text="a,b\n1," + "2" * 140_000 + "\n"),
    "table-cell-verbatim": _cell(
        "cell at row 2, column 'b' of facts/t.csv is '2', not '7'; copy the cell exactly or "
        "import the table again",
        selector=f'a oa:FragmentSelector ; {RV} "row=2" ; '
                 'oa:refinedBy [ oa:exact "7" ; dv:column "b" ]'),
    "table-cell-column": _cell(
        "facts/t.csv has no column 'c'; fix dv:column or import the table again",
        selector=f'a oa:FragmentSelector ; {RV} "row=2" ; '
                 'oa:refinedBy [ oa:exact "2" ; dv:column "c" ]'),
    "table-cell-row": _cell(
        "facts/t.csv has no data row 9 (rows 2 to 2); import the table again",
        selector=f'a oa:FragmentSelector ; {RV} "row=9" ; '
                 'oa:refinedBy [ oa:exact "2" ; dv:column "b" ]'),
    "table-cell-selector": _cell(
        'a quote from a table needs rdf:value "row=N" (RFC 7111) refined by a selector with '
        "oa:exact and dv:column",
        selector='a oa:FragmentSelector ; oa:refinedBy [ oa:exact "2" ; dv:column "b" ]'),
    "table-fragment-selector": _cell(
        "a quote from a table needs an oa:FragmentSelector (RFC 7111 row=N) refined by the "
        "cell's text", selector='a oa:TextQuoteSelector ; oa:exact "2"'),
    # --- shapes: selections of claims (estimates over data) ---------------------------------
    "SelectionShape dv:ofMetric minCount+maxCount+class": Case(
        "facts/one.ttl: est:pick: violation: a dv:Selection needs exactly one dv:ofMetric, a "
        "dv:Metric of ontology/metrics.ttl",
        files={"one.ttl": "est:pick a dv:Selection ; dv:ofMetric ent:united-states .\n"}),
    "SelectionShape dv:frontierTop maxCount+datatype+minInclusive": Case(
        "facts/one.ttl: est:pick: violation: dv:frontierTop must be one positive xsd:integer "
        '(the N of "top N at release")',
        files={"one.ttl": "est:pick a dv:Selection ; dv:ofMetric metric:training-compute ;\n"
                          "    dv:frontierTop 0 .\n"}),
    # --- shapes: sources --------------------------------------------------------------------
    "SourceExistsShape sparql": Case(
        "facts/claims.ttl: claim:doubling: violation: reference to a source that does not "
        "exist: src:reprot has no dcterms:title or rdfs:label; fix the name or describe the "
        "source in facts/sources.ttl",
        claims=("cito:citesAsEvidence src:report", "cito:citesAsEvidence src:reprot")),
    "DescribedSourceShape dcterms:title minCount": Case(
        "facts/sources.ttl: src:report: violation: source has no dcterms:title; add its title as "
        "the reference list prints it",
        sources=('    dcterms:title "Trends in Compute" ;\n', "")),
    "DescribedSourceShape dcterms:issued minCount": Case(
        "facts/sources.ttl: src:report: violation: source has no dcterms:issued; add the year it "
        'was published, e.g. dcterms:issued "2024"^^xsd:gYear',
        sources=('    dcterms:issued "2024-03"^^xsd:gYearMonth .', '    rdfs:label "Trends" .')),
    "DescribedSourceShape dcterms:issued sparql": Case(
        'facts/sources.ttl: src:report: violation: dcterms:issued "March 2024" is not a date; '
        "type it xsd:gYear, xsd:gYearMonth or xsd:date",
        sources=('"2024-03"^^xsd:gYearMonth', '"March 2024"')),
    # --- shapes: stored parts of a source's text ---------------------------------------------
    "SourceTextShape dcterms:isPartOf minCount+maxCount+nodeKind": _part(
        "    dcterms:isPartOf src:report ;\n",
        "stored text without exactly one dcterms:isPartOf; name the source it is part of"),
    "SourceTextShape bibo:locator minCount+maxCount+datatype": _part(
        '    bibo:locator "abstract" ;\n',
        'stored text without bibo:locator; say which part it is ("abstract", "section 3", '
        '"p. 12")'),
    "SourceTextShape dv:localText minCount+maxCount": _part(
        '    dv:localText "texts/essay.txt" ;\n',
        "stored text without dv:localText; give the file under facts/ that holds it"),
    "SourceTextShape dv:readFrom minCount": _part(
        '    dv:readFrom "https://example.org/report"^^xsd:anyURI ;\n',
        "stored text without dv:readFrom; record the address it was read from"),
    "SourceTextShape dv:readOn minCount+maxCount+datatype": _part(
        '    dv:readOn "2025-11-12"^^xsd:date ;\n',
        "stored text without one dv:readOn date (xsd:date); record when it was read"),
    "SourceTextShape dv:readVia minCount+maxCount+in": _part(
        "    dv:readVia dv:StoredCopy ;\n",
        "stored text without dv:readVia dv:LivePage or dv:StoredCopy; say how it was read"),
    "SourceTextShape dcterms:license minCount": _part(
        "    dv:readVia dv:StoredCopy ;\n    dcterms:license <http://creativecommons.org/"
        "publicdomain/zero/1.0/> .\n",
        "stored text without dcterms:license; record the licence that allows keeping it",
        "warning", "    dv:readVia dv:StoredCopy .\n"),
    # --- Python: values ---------------------------------------------------------------------
    "finite-number qudt:value": Case(
        "facts/claims.ttl: claim:us-share: violation: qudt:value NaN is not a finite number; "
        "give the figure the source states, e.g. qudt:value 6.0E23",
        claims=("qudt:value 75 ;", 'qudt:value "NaN"^^xsd:double ;')),
    "finite-number schema:minValue": Case(
        "facts/claims.ttl: claim:doubling: violation: schema:minValue -INF is not a finite "
        "number; give the figure the source states, e.g. schema:minValue 6.0E23",
        claims=("schema:minValue 9.0E0", 'schema:minValue "-INF"^^xsd:double')),
    "finite-number schema:maxValue": Case(
        "facts/claims.ttl: claim:doubling: violation: schema:maxValue INF is not a finite "
        "number; give the figure the source states, e.g. schema:maxValue 6.0E23",
        claims=("schema:maxValue 1.0E1", "schema:maxValue 1e400")),
    "bound-is-number schema:minValue": Case(
        'facts/claims.ttl: claim:doubling: violation: schema:minValue "9" is not a number; write '
        "the bound as an xsd:double, xsd:decimal or xsd:integer, e.g. schema:minValue 9.0E0",
        claims=("schema:minValue 9.0E0", 'schema:minValue "9"')),
    "bound-is-number schema:maxValue": Case(
        "facts/claims.ttl: claim:doubling: violation: schema:maxValue unit:MO is not a number; "
        "write the bound as an xsd:double, xsd:decimal or xsd:integer, e.g. schema:maxValue 9.0E0",
        claims=("schema:maxValue 1.0E1", "schema:maxValue unit:MO")),
    "year-in-range dv:asOf": Case(
        'facts/claims.ttl: claim:doubling: violation: dv:asOf "12025"^^xsd:gYear is outside the '
        "years 1-9999 derive computes with; give a year in that range, e.g. "
        'dv:asOf "2025"^^xsd:gYear',
        claims=('"2025"^^xsd:gYear', '"12025"^^xsd:gYear')),
    "year-in-range dv:targetDate": Case(
        'facts/extra.ttl: est:e: violation: dv:targetDate "-0044"^^xsd:gYear is outside the '
        "years 1-9999 derive computes with; give a year in that range, e.g. "
        'dv:targetDate "2025"^^xsd:gYear',
        estimates=('"2027"^^xsd:gYear', '"-0044"^^xsd:gYear')),
    "year-in-range dcterms:issued": Case(
        'facts/sources.ttl: src:report: violation: dcterms:issued "0000-03"^^xsd:gYearMonth is '
        "outside the years 1-9999 derive computes with; give a year in that range, e.g. "
        'dcterms:issued "2025"^^xsd:gYear',
        sources=('"2024-03"^^xsd:gYearMonth', '"0000-03"^^xsd:gYearMonth')),
    "target-date-typed dv:targetDate": Case(
        'facts/extra.ttl: est:e: violation: dv:targetDate "2027" is not a date; type it '
        'xsd:gYear ("2027"), xsd:gYearMonth ("2027-06") or xsd:date ("2027-06-30")',
        estimates=('"2027"^^xsd:gYear', '"2027"')),
    "text-not-empty oa:exact": Case(
        'facts/claims.ttl: claim:controls: violation: oa:exact "" is empty or not text; write the '
        'words themselves as a string, e.g. oa:exact "..."',
        claims=('oa:exact "Export controls were tightened in 2022."', 'oa:exact ""')),
    "text-not-empty dv:statement": Case(
        'facts/claims.ttl: claim:controls: violation: dv:statement " " is empty or not text; '
        'write the words themselves as a string, e.g. dv:statement "..."',
        claims=('dv:statement "Export controls were tightened in 2022."', 'dv:statement " "')),
    "text-not-empty rdfs:label": _value_rule(
        "rdfs:label", '""@en',
        'rdfs:label "" is empty or not text; write the words themselves as a string, '
        'e.g. rdfs:label "..."'),
    "text-not-empty dcterms:title": Case(
        "facts/sources.ttl: src:report: violation: dcterms:title 42 is empty or not text; write "
        'the words themselves as a string, e.g. dcterms:title "..."',
        sources=('dcterms:title "Trends in Compute"', "dcterms:title 42")),
    "text-not-empty dv:citationLabel": Case(
        "facts/claims.ttl: claim:doubling: violation: dv:citationLabel src:report is empty or "
        'not text; write the words themselves as a string, e.g. dv:citationLabel "..."',
        claims=('dv:citationLabel "[1]"', "dv:citationLabel src:report")),
    "text-not-empty bibo:locator": Case(
        'facts/claims.ttl: claim:controls: violation: bibo:locator "\t" is empty or not text; '
        'write the words themselves as a string, e.g. bibo:locator "..."',
        claims=('oa:exact "Export controls were tightened in 2022." ',
                'oa:exact "Export controls were tightened in 2022." ; bibo:locator "\\t" ')),
    "text-not-empty dv:role": Case(
        'facts/extra.ttl: est:e: violation: dv:role "" is empty or not text; write the words '
        'themselves as a string, e.g. dv:role "..."',
        estimates=('dv:role "base"', 'dv:role ""')),
    "text-not-empty dv:expression": Case(
        'facts/extra.ttl: est:e: violation: dv:expression "  " is empty or not text; write the '
        'words themselves as a string, e.g. dv:expression "..."',
        estimates=("dv:unit unit:PERCENT .", 'dv:unit unit:PERCENT ; dv:expression "  " .')),
    "reference-is-iri dv:method": Case(
        'facts/extra.ttl: est:e: violation: dv:method "DoublingProjection" is not an IRI; name '
        "it, e.g. dv:method dv:CompoundGrowth or unit:FLOPS or claim:…",
        estimates=("dv:method dv:DoublingProjection", 'dv:method "DoublingProjection"')),
    "reference-is-iri dv:unit": Case(
        'facts/extra.ttl: est:e: violation: dv:unit "%" is not an IRI; name it, e.g. dv:unit '
        "dv:CompoundGrowth or unit:FLOPS or claim:…",
        estimates=("dv:unit unit:PERCENT .", 'dv:unit "%" .')),
    "reference-is-iri dv:from": Case(
        'facts/extra.ttl: est:e: violation: dv:from "us-share" is not an IRI; name it, e.g. '
        "dv:from dv:CompoundGrowth or unit:FLOPS or claim:…",
        estimates=("dv:from claim:us-share", 'dv:from "us-share"')),
    "reference-is-iri dv:parameter": Case(
        'facts/extra.ttl: scen:base: violation: dv:parameter "growth" is not an IRI; name it, '
        "e.g. dv:parameter dv:CompoundGrowth or unit:FLOPS or claim:…",
        estimates=("dv:parameter param:growth", 'dv:parameter "growth"')),
    "reference-is-iri dv:inScenario": Case(
        'facts/extra.ttl: est:e: violation: dv:inScenario "base" is not an IRI; name it, e.g. '
        "dv:inScenario dv:CompoundGrowth or unit:FLOPS or claim:…",
        estimates=("dv:unit unit:PERCENT .", 'dv:unit unit:PERCENT ; dv:inScenario "base" .')),
    "reference-is-iri dv:reproduces": Case(
        "facts/extra.ttl: est:e: violation: dv:reproduces 3 is not an IRI; name it, e.g. "
        "dv:reproduces dv:CompoundGrowth or unit:FLOPS or claim:…",
        estimates=("dv:unit unit:PERCENT .", "dv:unit unit:PERCENT ; dv:reproduces 3 .")),
    # --- Python: one value where one is expected ----------------------------------------------
    "one-per-key dv:input": Case(
        'facts/extra.ttl: est:e: violation: 2 dv:input with dv:role "base" where one is '
        'expected: [ dv:from claim:doubling ; dv:role "base" ] (facts/two.ttl) and [ dv:from '
        'claim:us-share ; dv:role "base" ] (facts/extra.ttl); keep one',
        files={"two.ttl": 'est:e dv:input [ dv:role "base" ; dv:from claim:doubling ] .\n'}),
    "one-per-key dv:binding": Case(
        "facts/extra.ttl: scen:base: violation: 2 dv:binding with dv:parameter param:growth "
        "where one is expected: [ dv:from claim:doubling ; dv:parameter param:growth ] "
        "(facts/extra.ttl) and [ dv:from claim:us-share ; dv:parameter param:growth ] "
        "(facts/two.ttl); keep one",
        files={"two.ttl": "scen:base dv:binding [ dv:parameter param:growth ; "
                          "dv:from claim:us-share ] .\n"}),
    "one-default-scenario": Case(
        "facts/extra.ttl: scen:base: violation: 2 scenarios are the default: scen:base "
        "(facts/extra.ttl) and scen:other (facts/two.ttl); keep dv:isDefault true on one",
        files={"two.ttl": 'scen:other a dv:Scenario ; rdfs:label "other"@en ; '
                          "dv:isDefault true .\n"}),
    # --- Python: quotes against the stored text -------------------------------------------------
    "quote-verbatim": Case(
        "facts/claims.ttl: claim:controls: violation: quote is not verbatim in "
        "facts/texts/essay.txt: 'Export controls were tightened in 2023.'; copy the words "
        "exactly as the text has them (only whitespace may differ)",
        claims=('oa:exact "Export controls were tightened in 2022."',
                'oa:exact "Export controls were tightened in 2023."')),
    "local-text-missing": Case(
        "facts/sources.ttl: src:essay: violation: dv:localText file facts/texts/essai.txt does "
        "not exist; store the source's text there or fix the path (it is relative to facts/)",
        sources=('dv:localText "texts/essay.txt"', 'dv:localText "texts/essai.txt"')),
    "local-text-outside": Case(
        "facts/sources.ttl: src:essay: violation: dv:localText '../../outside.txt' points "
        "outside facts/; give a path relative to facts/",
        sources=('dv:localText "texts/essay.txt"', 'dv:localText "../../outside.txt"')),
    "local-text-unreadable": Case(
        "facts/sources.ttl: src:essay: violation: dv:localText file facts/texts/latin1.txt "
        "cannot be read ('utf-8' codec can't decode byte 0xe9 in position 1: unexpected end "
        "of data); save it as UTF-8 text",
        sources=('dv:localText "texts/essay.txt"', 'dv:localText "texts/latin1.txt"')),
}  # fmt: skip

# One value where one is expected: every property of the rule, from two files.
ONE_VALUE_PROPERTIES = [
    prop for row in constraints(sorted((PROJECT / "ontology").glob("shapes*.ttl")))
    if row.id == "one-value" for prop in row.properties
]
for _prop in ONE_VALUE_PROPERTIES:
    CASES[f"one-value {_prop}"] = one_value_case(_prop)


def table() -> list[str]:
    rows = constraints(sorted((PROJECT / "ontology").glob("shapes*.ttl")))
    return [case_id for row in rows for case_id in row.case_ids]


def run(make_kb: KBBuilder, invoke: Callable[..., Result], case: Case) -> Result:
    claims = broken(CLAIMS, *case.claims) if case.claims else CLAIMS
    sources = broken(SOURCES, *case.sources) if case.sources else SOURCES
    estimates = broken(ESTIMATES, *case.estimates) if case.estimates else ESTIMATES
    kb = build(make_kb, claims=claims, sources=sources, extra=estimates)
    for name, text in (case.files or {}).items():
        make_kb.write(name, text, prologue=name.endswith(".ttl"))
    make_kb.write_bytes("texts/latin1.txt", "Ré".encode("latin-1"))
    return invoke("validate", kb=kb)


def test_the_base_knowledge_base_is_valid(make_kb: KBBuilder,
                                           invoke: Callable[..., Result]) -> None:
    result = run(make_kb, invoke, Case(""))
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "valid: 3 claims, 2 sources, no problems\n"


def test_every_constraint_has_a_case() -> None:
    missing = [case_id for case_id in table() if case_id not in CASES]
    assert not missing, f"constraints without a violating example in CASES: {missing}"
    stale = [case_id for case_id in CASES if case_id not in table()]
    assert not stale, f"examples for constraints that no longer exist: {stale}"


@pytest.mark.parametrize("case_id", list(CASES), ids=list(CASES))
def test_constraint_prints_its_line(make_kb: KBBuilder, invoke: Callable[..., Result],
                                    case_id: str) -> None:
    case = CASES[case_id]
    result = run(make_kb, invoke, case)
    assert case.line in result.stdout.splitlines(), result.stdout
    assert result.exit_code == case.exit_code, result.stdout


def test_every_checking_module_is_in_the_table() -> None:
    """A module of derive/validate that reports problems has rows in the table."""
    reporting = set()
    for path in sorted((PROJECT / "derive" / "validate").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "Problem"):
                reporting.add(path.stem)
    assert reporting <= set(MODULES), (
        f"modules that report problems but have no rows in the constraint table: "
        f"{sorted(reporting - set(MODULES))}; add their constraints to "
        "derive/validate/constraints.py and an example to tests/test_constraints.py")


def readme_table() -> str:
    return markdown(constraints(sorted((PROJECT / "ontology").glob("shapes*.ttl"))))


def test_readme_table_is_the_constraint_table() -> None:
    text = README.read_text(encoding="utf-8")
    found = re.search(re.escape(BEGIN) + r"(.*?)" + re.escape(END), text, re.S)
    assert found, f"README.md has no {BEGIN.strip()} ... {END.strip()} section"
    assert found.group(1) == readme_table(), (
        "README.md's 'What is rejected' table differs from the constraints; "
        "run python tests/regen_readme.py and review the diff")


def regenerate_readme(path: Path = README) -> None:
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    path.write_text(text[:start] + readme_table() + text[end:], encoding="utf-8")
