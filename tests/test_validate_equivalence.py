"""Validation in parallel groups of claims, and after edits only over the
claims whose triples changed, reports exactly what one plain pySHACL run over
the whole graph (plus the quote check) reports, on a knowledge base that
violates every shape."""

from __future__ import annotations

import os

import pytest
from conftest import KBBuilder
from rdflib import URIRef

from derive.kb import KnowledgeBase, store
from derive.kb.namespaces import PREFIXES
from derive.validate import full, one_value, validate
from derive.validate.quotes import quote_problems
from derive.validate.report import Problem, distinct
from derive.validate.shacl import shacl_problems
from derive.validate.values import value_problems

TEXT = "The cluster reached 5 exaFLOP/s in 2025. Growth was fast."

SOURCES = """\
src:told a bibo:Report ; dcterms:title "A report" ; dcterms:issued "2025"^^xsd:gYear ;
    dv:localText "texts/told.txt" .
src:numbered a bibo:Report ; dcterms:title "A numbered report" ;
    dcterms:issued "2024"^^xsd:gYear .
src:citation-1 a cito:Citation ; cito:hasCitingEntity src:numbered ; cito:hasCitedEntity src:told .
src:untitled a bibo:Report ; dcterms:issued "2024"^^xsd:gYear .
src:undated a bibo:Report ; dcterms:title "Undated" .
src:baddate a bibo:Report ; dcterms:title "Bad date" ; dcterms:issued "last spring" .
metric:no-units a dv:Metric ; rdfs:label "a metric without units"@en .
ent:place a dv:Country ; rdfs:label "A place"@en .
src:bare-part a dv:SourceText .
"""


def quoted(source: str = "src:told", exact: str = "The cluster reached 5 exaFLOP/s in 2025.",
           locator: str = "") -> str:
    where = f' ; bibo:locator "{locator}"' if locator else ""
    return (f"dv:quote [ a oa:SpecificResource ; oa:hasSource {source} ; oa:hasSelector "
            f'[ a oa:TextQuoteSelector ; oa:exact "{exact}"{where} ] ]')


def figure(name: str, body: str = "", value: str = "5.0E18", unit: str = "unit:FLOPS",
           metric: str = "metric:ai-supercomputer-performance", extra: str = "") -> str:
    """A quantitative claim; ``body`` replaces its usual source, date and quote."""
    body = body or (f'dv:asOf "2025"^^xsd:gYear ; prov:wasQuotedFrom src:told ; {quoted()}')
    quantity = f"qudt:value {value} ; qudt:hasUnit {unit}" if value else f"qudt:hasUnit {unit}"
    return (f"claim:{name} a dv:QuantitativeClaim ; dv:about ent:place ; dv:metric {metric} ;\n"
            f"    dv:quantity [ a qudt:QuantityValue ; {quantity} {extra} ] ;\n    {body} .\n")


TOLD = 'prov:wasQuotedFrom src:told ; ' + quoted()
# One or more claims per shape of ontology/shapes.ttl, and one for the quote check.
BAD = {
    "no-source": figure("no-source", f'dv:asOf "2025"^^xsd:gYear ; {quoted()}'),
    "no-quote": figure("no-quote", 'dv:asOf "2025"^^xsd:gYear ; prov:wasQuotedFrom src:told'),
    "no-date": figure("no-date", TOLD),
    "two-dates": figure("two-dates", f'dv:asOf "2025"^^xsd:gYear , "2024"^^xsd:gYear ; {TOLD}'),
    "text-date": figure("text-date", f'dv:asOf "2025" ; {TOLD}'),
    "other-source": figure("other-source", 'dv:asOf "2025"^^xsd:gYear ; '
                           'prov:wasQuotedFrom src:numbered ; ' + quoted()),
    "no-label": figure("no-label", 'dv:asOf "2025"^^xsd:gYear ; prov:wasQuotedFrom '
                       'src:numbered ; cito:citesAsEvidence src:told ; '
                       + quoted("src:numbered", "words", "p. 1")),
    "qualitative": ('claim:qualitative a dv:QualitativeClaim ; dv:asOf "2025"^^xsd:gYear ; '
                    f"{TOLD} .\n"),
    "quote-sourceless": figure("quote-sourceless", 'dv:asOf "2025"^^xsd:gYear ; prov:'
                               'wasQuotedFrom src:told ; dv:quote [ a oa:SpecificResource ; '
                               'oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "x" ] ]'),
    "no-locator": figure("no-locator", 'dv:asOf "2025"^^xsd:gYear ; prov:wasQuotedFrom '
                         'src:numbered ; ' + quoted("src:numbered", "words")),
    "no-metric": figure("no-metric").replace(
        "dv:metric metric:ai-supercomputer-performance ;", ""),
    "no-quantity": ('claim:no-quantity a dv:QuantitativeClaim ; dv:about ent:place ; '
                    f'dv:metric metric:ai-supercomputer-performance ; dv:asOf "2025"^^xsd:gYear ;'
                    f" {TOLD} .\n"),
    "wrong-unit": figure("wrong-unit", unit="unit:MO"),
    "two-values": figure("two-values", value="1.0E18 , 2.0E18").replace(
        "dv:QuantitativeClaim ;", 'dv:QuantitativeClaim ; rdfs:label "two values"@en ;'),
    "text-value": figure("text-value", value='"many"'),
    "no-unit": figure("no-unit").replace("; qudt:hasUnit unit:FLOPS", ""),
    "min-above": figure("min-above", extra="; schema:minValue 9.0E18"),
    "max-below": figure("max-below", extra="; schema:maxValue 1.0E18"),
    "big-share": figure("big-share", value="1.5E2", unit="unit:PERCENT",
                        metric="metric:share-of-ai-supercomputer-performance"),
    "negative-duration": figure("negative-duration", value="-3.0E0", unit="unit:MO",
                                metric="metric:training-compute-doubling-time"),
    "about-nothing": figure("about-nothing").replace("ent:place", "src:told"),
    "metric-nothing": figure("metric-nothing", metric="ent:place"),
    # pyoxigraph refuses the language tag (rdflib accepts it): the file is read by rdflib
    "odd-language": figure("odd-language").replace(
        "dv:QuantitativeClaim ;", 'dv:QuantitativeClaim ; rdfs:label "odd"@A ;'),
    "missing-source": figure("missing-source", 'dv:asOf "2025"^^xsd:gYear ; prov:wasQuotedFrom '
                             'src:nowhere ; ' + quoted("src:nowhere", "x", "p. 2")),
    # The selection shape: selections are not claims, and are checked all the same.
    "selection-metricless": ('sel:metricless a dv:Selection ; rdfs:label "no metric"@en ; '
                             'dv:frontierTop 10 .\n'),
    "selection-top-zero": ('sel:top-zero a dv:Selection ; rdfs:label "top 0"@en ; '
                           'dv:ofMetric metric:ai-supercomputer-performance ; '
                           'dv:frontierTop 0 .\n'),
    "not-verbatim": figure("not-verbatim", 'dv:asOf "2025"^^xsd:gYear ; prov:wasQuotedFrom '
                           'src:told ; ' + quoted(exact="The cluster reached 6 exaFLOP/s")),
}
GOOD = "".join(figure(f"good-{i}", value=f"{i + 1}.0E18") for i in range(6))


def build(kb: KBBuilder) -> KBBuilder:
    (kb.root / "facts" / "texts").mkdir()
    (kb.root / "facts" / "texts" / "told.txt").write_text(TEXT, encoding="utf-8")
    kb.write("sources.ttl", SOURCES)
    names = sorted(BAD)
    half = len(names) // 2
    # A claim may cite a claim (in another group, in another file): the cited
    # claim must be seen whole, or it would look like a source that does not exist.
    cites = ("claim:good-0 cito:citesAsEvidence claim:good-5 .\n"
             'claim:good-5 rdfs:label "good 5"@en ; cito:citesAsEvidence claim:two-values .\n')
    kb.write("claims-1.ttl", GOOD + cites + "".join(BAD[n] for n in names[:half]))
    kb.write("claims-2.ttl", "".join(BAD[n] for n in names[half:]))
    return kb


def reference(kb: KnowledgeBase) -> list[Problem]:
    """One plain pySHACL run over the whole rdflib graph, and the other checks
    validation runs (quotes, values, one value per property)."""
    data = store.load(kb)
    shapes = store.load(kb, kb.shapes_files()).graph
    return distinct([*one_value.merged(shacl_problems(data, shapes), data),
                     *quote_problems(data), *value_problems(data)])


@pytest.fixture(params=["screened", "unscreened"])
def kb(request: pytest.FixtureRequest, make_kb: KBBuilder, tmp_path,
       monkeypatch: pytest.MonkeyPatch) -> KBBuilder:
    """The planted knowledge base, its SPARQL constraints screened in
    Oxigraph first, or not."""
    monkeypatch.delenv("DERIVE_NO_CACHE", raising=False)
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(full, "PART", 3)  # several groups, so several processes
    monkeypatch.setattr(full, "SCREEN", request.param == "screened")
    return build(make_kb)


def test_every_shape_is_violated(kb) -> None:
    """The fixture is what the other tests need: a violation of every shape."""
    expected = reference(KnowledgeBase(kb.root))
    shapes = store.load(KnowledgeBase(kb.root), KnowledgeBase(kb.root).shapes_files()).graph
    messages = {str(m) for m in shapes.objects(None, URIRef(PREFIXES["sh"] + "message"))}
    assert len(messages) >= 20
    found = {p.message for p in expected}
    for message in messages:
        words = message.split("{")[0][:30]
        assert any(f.startswith(words) for f in found), message
    assert any("not verbatim" in p.message for p in expected)


def test_parallel_groups_report_what_one_run_reports(kb) -> None:
    root = KnowledgeBase(kb.root)
    assert validate(root, incremental=False).problems == reference(root)


def test_pyshacl_reports_alike_with_its_own_parameter_list(
        make_kb: KBBuilder, monkeypatch: pytest.MonkeyPatch) -> None:
    """derive hands pySHACL its list of constraint parameters with a set's
    membership test (``derive.validate.shacl``); pySHACL's own list reports
    every planted problem alike."""
    from pyshacl import constraints, shape

    root = KnowledgeBase(build(make_kb).root)
    fast = reference(root)
    monkeypatch.setattr(shape, "CONSTRAINT_PARAMS", (
        list(constraints.ALL_CONSTRAINT_PARAMETERS), constraints.CONSTRAINT_PARAMETERS_MAP))
    assert type(shape.CONSTRAINT_PARAMS[0]) is list
    assert reference(root) == fast


def test_a_literal_where_a_source_belongs(kb) -> None:
    """A literal may fail a screened constraint; the screen cannot tell which
    literal of the graph it is, so every claim runs with every shape."""
    kb.write("literal.ttl", figure("literal-source", 'dv:asOf "2025"^^xsd:gYear ; '
                                   'prov:wasQuotedFrom "A report" ; '
                                   + quoted('"A report"', "x", "p. 3")))
    root = KnowledgeBase(kb.root)
    found = validate(root, incremental=False).problems
    assert found == reference(root)
    assert any(p.focus == "claim:literal-source" and "does not exist" in p.message for p in found)


def touch(path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


EDITS = {
    "fix one claim": lambda kb: kb.write("claims-2.ttl", (kb.root / "facts" / "claims-2.ttl")
                                         .read_text().replace("1.5E2", "1.5E1")),
    "break a good claim": lambda kb: kb.write(
        "claims-1.ttl", (kb.root / "facts" / "claims-1.ttl").read_text().replace(
            "qudt:value 2.0E18", "qudt:value 2.0E18 , 3.0E18", 1)),
    "retitle a source": lambda kb: kb.write("sources.ttl", SOURCES.replace(
        'dcterms:title "A numbered report" ;', "")),
    "delete a file": lambda kb: (kb.root / "facts" / "claims-2.ttl").unlink(),
    "rename a file": lambda kb: (kb.root / "facts" / "claims-2.ttl").rename(
        kb.root / "facts" / "renamed.ttl"),
    "add a file": lambda kb: kb.write("more.ttl", figure("added", value="-1.0E0", unit="unit:MO",
                                      metric="metric:training-compute-doubling-time")),
    "move a claim": lambda kb: (kb.write("claims-2.ttl", (kb.root / "facts" / "claims-2.ttl")
                                         .read_text() + BAD["about-nothing"]),
                                kb.write("claims-1.ttl", (kb.root / "facts" / "claims-1.ttl")
                                         .read_text().replace(BAD["about-nothing"], ""))),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_after_an_edit_the_report_is_that_of_a_full_run(kb, edit: str) -> None:
    root = KnowledgeBase(kb.root)
    validate(root)
    EDITS[edit](kb)
    for path in (kb.root / "facts").rglob("*.ttl"):
        touch(path)
    after = validate(root)
    assert after.problems == reference(root)
    whole = validate(root, incremental=False)
    assert (after.claims, after.sources) == (whole.claims, whole.sources)
