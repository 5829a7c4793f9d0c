"""One claim, many files: what derive allows when a claim's (or an estimate's,
a scenario's) triples come from several files, and the violation, naming
every file, for two values where one is expected."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from click.testing import Result
from conftest import KBBuilder
from test_literals import ESSAY, SOURCES, claims

ALLOWED = {
    "same-value-repeated": 'claim:x dv:asOf "2025"^^xsd:gYear ; dv:metric '
                           "metric:ai-compute-capacity .\n",
    "a-second-subject": "claim:x dv:about ent:y .\nent:y a dv:Country ; rdfs:label \"Y\"@en .\n",
    "a-comment": 'claim:x rdfs:comment "Checked against the essay, 2025-11-12."@en .\n',
    "a-label-in-another-language": 'claim:x rdfs:label "x"@fr .\n',
    "a-citation": "claim:x cito:citesAsEvidence src:essay .\n",
    "a-verification-status": "claim:x dv:verification dv:VerifiedVerbatim .\n",
}


def kb_with(make_kb: KBBuilder, second: str, name: str = "correction.ttl") -> KBBuilder:
    make_kb.write("sources.ttl", SOURCES)
    make_kb.write("claims.ttl", claims())
    make_kb.write("texts/essay.txt", ESSAY, prologue=False)
    make_kb.write(name, second)
    return make_kb


@pytest.mark.parametrize("second", list(ALLOWED.values()), ids=list(ALLOWED))
def test_another_file_may_add_what_holds_many_values_or_repeat_one(
        make_kb: KBBuilder, invoke: Callable[..., Result], second: str) -> None:
    kb = kb_with(make_kb, second)
    result = invoke("validate", kb=kb)
    assert result.exit_code == 0, result.stdout
    assert invoke("estimate", "grown", kb=kb).exit_code == 0


CONFLICTS = {
    "as-of": (
        'claim:x dv:asOf "2026"^^xsd:gYear .\n',
        'facts/claims.ttl: claim:x: violation: dv:asOf has 2 values where one is expected: '
        '"2025"^^xsd:gYear (facts/claims.ttl) and "2026"^^xsd:gYear (facts/correction.ttl); '
        "keep the one that holds and delete the other"),
    "metric": (
        "claim:x dv:metric metric:ai-supercomputer-performance .\n",
        "facts/claims.ttl: claim:x: violation: dv:metric has 2 values where one is expected: "
        "metric:ai-compute-capacity (facts/claims.ttl) and metric:ai-supercomputer-performance "
        "(facts/correction.ttl); keep the one that holds and delete the other"),
    "estimate-method": (
        "est:grown dv:method dv:Sum .\n",
        "facts/claims.ttl: est:grown: violation: dv:method has 2 values where one is expected: "
        "dv:CompoundGrowth (facts/claims.ttl) and dv:Sum (facts/correction.ttl); keep the one "
        "that holds and delete the other"),
    "estimate-target-date": (
        'est:grown dv:targetDate "2030"^^xsd:gYear .\n',
        "facts/claims.ttl: est:grown: violation: dv:targetDate has 2 values where one is "
        'expected: "2027"^^xsd:gYear (facts/claims.ttl) and "2030"^^xsd:gYear '
        "(facts/correction.ttl); keep the one that holds and delete the other"),
    "estimate-input-role": (
        'est:grown dv:input [ dv:role "rate" ; dv:from claim:x ] .\n',
        'facts/claims.ttl: est:grown: violation: 2 dv:input with dv:role "rate" where one is '
        'expected: [ dv:from claim:rate ; dv:role "rate" ] (facts/claims.ttl) and [ dv:from '
        'claim:x ; dv:role "rate" ] (facts/correction.ttl); keep one'),
}


@pytest.mark.parametrize(("second", "line"), list(CONFLICTS.values()), ids=list(CONFLICTS))
def test_two_values_where_one_is_expected_name_both_files(
        make_kb: KBBuilder, invoke: Callable[..., Result], second: str, line: str) -> None:
    kb = kb_with(make_kb, second)
    result = invoke("validate", kb=kb)
    assert result.exit_code == 1
    assert line in result.stdout.splitlines(), result.stdout
    estimated = invoke("estimate", "grown", kb=kb)  # never on a value chosen silently
    assert estimated.exit_code == 1
    assert estimated.output.startswith("Error: estimate grown")


def test_a_conflict_from_a_file_added_later_is_found_incrementally(
        make_kb: KBBuilder, invoke: Callable[..., Result]) -> None:
    kb = kb_with(make_kb, ALLOWED["a-comment"])
    assert invoke("validate", kb=kb).exit_code == 0  # kept for the next, incremental run
    path = kb.write("later.ttl", 'claim:x dv:asOf "2024"^^xsd:gYear .\n')
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    result = invoke("validate", kb=kb)
    assert result.exit_code == 1
    assert ('facts/claims.ttl: claim:x: violation: dv:asOf has 2 values where one is expected: '
            '"2024"^^xsd:gYear (facts/later.ttl) and "2025"^^xsd:gYear (facts/claims.ttl); '
            "keep the one that holds and delete the other") in result.stdout


def test_two_values_in_one_file_keep_the_shape_line(make_kb: KBBuilder,
                                                    invoke: Callable[..., Result]) -> None:
    make_kb.write("sources.ttl", SOURCES)
    make_kb.write("claims.ttl", claims(as_of='"2025"^^xsd:gYear , "2026"^^xsd:gYear'))
    make_kb.write("texts/essay.txt", ESSAY, prologue=False)
    result = invoke("validate", kb=make_kb)
    assert result.stdout.splitlines()[0] == (
        "facts/claims.ttl: claim:x: violation: claim has more than one dv:asOf; keep the one "
        "date the claim holds for")
    assert result.stdout.splitlines()[-1] == "1 violation, 0 warnings in 1 file"
