"""Incremental validation gives the same report as a full one, whatever
changed: a claim, a source another file's claims cite, a new or removed file,
the ontology."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from conftest import KBBuilder
from test_estimate import SOURCES, claim

from derive.kb import KnowledgeBase
from derive.validate import validate

GOOD_A = claim("a", 1e23, "dvu:FLOP") + claim("b", 2e23, "dvu:FLOP")
GOOD_C = claim("c", 3e23, "dvu:FLOP")


def _write(kb: KBBuilder, name: str, text: str) -> None:
    path = kb.write(name, text)
    stat = path.stat()  # make sure the change is visible even within one clock tick
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def _remove(kb: KBBuilder, name: str) -> None:
    (kb.root / "facts" / name).unlink()


EDITS: dict[str, Callable[[KBBuilder], None]] = {
    "nothing-changed": lambda kb: None,
    "claim-gets-a-wrong-unit": lambda kb: _write(
        kb, "a.ttl", claim("a", 1e23, "unit:FLOPS", metric="metric:training-compute")
        + claim("b", 2e23, "dvu:FLOP")),
    "cited-source-removed-from-another-file": lambda kb: _remove(kb, "sources.ttl"),
    "new-file-with-a-bad-claim": lambda kb: _write(
        kb, "d.ttl", claim("d", 1.0, "dvu:FLOP", low=5.0, high=6.0)),
    "file-with-a-claim-removed": lambda kb: _remove(kb, "c.ttl"),
    "shapes-changed": lambda kb: (kb.root / "ontology" / "shapes-extra.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix dv: <https://w3id.org/derive/ns#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<urn:x-test:commented> a sh:NodeShape ; sh:targetClass dv:Claim ;\n"
        "  sh:property [ sh:path rdfs:comment ; sh:minCount 1 ; sh:message \"add a comment\" ] .\n"
    ),
}


def _problems(kb: KBBuilder, incremental: bool) -> list[tuple[str, str, str, str]]:
    report = validate(KnowledgeBase(kb.root), incremental=incremental)
    return [(p.file, p.focus, p.severity, p.message, p.path) for p in report.problems]


def _violations(kb: KBBuilder) -> list[str]:
    return [p[1] for p in _problems(kb, incremental=True) if p[2] == "violation"]


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_incremental_report_equals_full_report(make_kb: KBBuilder, edit: str) -> None:
    _write(make_kb, "sources.ttl", SOURCES)
    _write(make_kb, "a.ttl", GOOD_A)
    _write(make_kb, "c.ttl", GOOD_C)
    assert _violations(make_kb) == []  # the first run is full, and kept
    EDITS[edit](make_kb)
    incremental = _problems(make_kb, incremental=True)
    assert incremental == _problems(make_kb, incremental=False)
    if edit not in ("nothing-changed", "file-with-a-claim-removed"):
        assert any(p[2] == "violation" for p in incremental), "the edit should break something"


def test_a_fix_clears_the_kept_problem(make_kb: KBBuilder) -> None:
    _write(make_kb, "sources.ttl", SOURCES)
    _write(make_kb, "a.ttl", claim("a", 1e23, "unit:FLOPS", metric="metric:training-compute"))
    assert _violations(make_kb) == ["claim:a"]
    _write(make_kb, "c.ttl", GOOD_C)  # an unrelated change keeps a's problem
    assert _violations(make_kb) == ["claim:a"]
    _write(make_kb, "a.ttl", claim("a", 1e23, "dvu:FLOP"))
    assert _violations(make_kb) == []


QUOTED_FROM_REF = """
claim:r a dv:QualitativeClaim ;
    rdfs:label "r"@en ;
    dv:statement "Words."@en ;
    dv:about ent:x ;
    dv:asOf "2024"^^xsd:gYear ;
    prov:wasQuotedFrom src:ref ;
    dv:quote [ a oa:SpecificResource ; oa:hasSource src:ref ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Words." ;
                         bibo:locator "abstract" ] ] .
"""

STORED_PART = """
<https://w3id.org/derive/kb/text/ref-abstract> a dv:SourceText ;
    dcterms:isPartOf src:ref ;
    bibo:locator "abstract" ;
    dv:localText "texts/ref.txt" ;
    dv:readFrom "https://example.org/report"^^xsd:anyURI ;
    dv:readOn "2026-11-29"^^xsd:date ;
    dv:readVia dv:LivePage ;
    dcterms:license <http://creativecommons.org/publicdomain/zero/1.0/> .
"""


def test_a_new_stored_part_rechecks_the_quotes_from_its_source(make_kb: KBBuilder) -> None:
    """Neither the claim nor its file changed, but its quote is now checked."""
    _write(make_kb, "sources.ttl", SOURCES)
    _write(make_kb, "r.ttl", QUOTED_FROM_REF)
    make_kb.write("texts/ref.txt", "Other words.", prologue=False)  # saved, not yet described
    assert _violations(make_kb) == []
    _write(make_kb, "texts.ttl", STORED_PART)
    assert _violations(make_kb) == ["claim:r"]
    assert _problems(make_kb, incremental=True) == _problems(make_kb, incremental=False)


@pytest.mark.parametrize("first", ["validate", "validate-full"])
def test_an_edit_after_a_whole_run_revalidates_only_the_edited_claim(
        make_kb: KBBuilder, monkeypatch: pytest.MonkeyPatch, first: str) -> None:
    """Whichever run came first (the first ever, or ``--full``), the claims
    of the edited file that did not change keep their verdict: the shapes see
    the edited claim alone (a digest kept one way and computed another would
    make every claim of the file look changed)."""
    from derive.validate import full

    _write(make_kb, "sources.ttl", SOURCES)
    _write(make_kb, "a.ttl", GOOD_A)
    _write(make_kb, "c.ttl", GOOD_C)
    kb = KnowledgeBase(make_kb.root)
    validate(kb, incremental=first == "validate")
    seen: list[set[str]] = []
    run_shapes = full.shacl_problems

    def spy(data, shapes):  # type: ignore[no-untyped-def]
        claims = {str(s) for s, p, o in data.graph.triples((None, None, None))
                  if str(p).endswith("#type") and str(o).endswith("#QuantitativeClaim")}
        seen.append(claims)
        return run_shapes(data, shapes)

    monkeypatch.setattr(full, "shacl_problems", spy)
    _write(make_kb, "a.ttl", claim("a", 1.5e23, "dvu:FLOP") + claim("b", 2e23, "dvu:FLOP"))
    assert not [p for p in validate(kb).problems if p.severity == "violation"]
    assert [{iri.rsplit("/", 1)[-1] for iri in claims} for claims in seen] == [{"a"}]
