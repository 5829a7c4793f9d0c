"""A file that cannot be loaded stops `derive validate` with exit code 2 and
one line on stderr naming the file and the line; validating never writes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import Result

from tests.conftest import KBBuilder

HEADER = """\
@prefix ex:  <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:fine ex:is ex:fine .
"""  # a malformed line 4 follows


class Malformed(NamedTuple):
    data: bytes
    says: str  # part of the message after "file:line: "
    line: int = 4


MALFORMED: dict[str, Malformed] = {
    "turtle-syntax-error": Malformed(b"ex:a ex:b .\n", "expected"),
    "undefined-prefix": Malformed(
        b"nope:a ex:b ex:c .\n", "prefix 'nope:' is not declared; add an @prefix line"
    ),
    "iri-with-space": Malformed(b"ex:a ex:b <http://example.org/a b> .\n", "invalid IRI"),
    "iri-with-braces": Malformed(b"ex:a ex:b <http://example.org/{x}> .\n", "invalid IRI"),
    "non-utf8-bytes": Malformed(b'ex:a ex:b "caf\xe9" .\n', "byte 0xe9 is not valid UTF-8"),
    "ill-typed-literal": Malformed(
        b'ex:a ex:b "abc"^^xsd:double .\n', '"abc" is not a valid xsd:double value'
    ),
    "unterminated-string": Malformed(b'ex:a ex:b "abc .\nex:d ex:e ex:f .\n', "string"),
}


@pytest.mark.parametrize("case", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_fact_file_exits_2_naming_file_and_line(
    make_kb: KBBuilder, invoke: Callable[..., Result], case: Malformed
) -> None:
    make_kb.write_bytes("bad.ttl", HEADER.encode() + case.data)
    result = invoke("validate", kb=make_kb)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: facts/bad.ttl:{case.line}: "), result.stderr
    assert case.says in result.stderr


def test_malformed_shapes_file_exits_2(make_kb: KBBuilder, invoke: Callable[..., Result]) -> None:
    (make_kb.root / "ontology" / "shapes-extra.ttl").write_bytes(HEADER.encode() + b"ex:a ex:b .\n")
    result = invoke("validate", kb=make_kb)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ontology/shapes-extra.ttl:4: ")


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


VALID = """\
src:essay a bibo:Document ; dcterms:title "Essay" ; dcterms:issued "2025"^^xsd:gYear ;
    dv:localText "texts/essay.txt" .
ent:world a dv:Aggregate ; rdfs:label "world"@en .
claim:world-compute a dv:QuantitativeClaim ;
    dv:about ent:world ;
    dv:metric metric:ai-compute-capacity ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value 1.0E21 ; qudt:hasUnit unit:FLOPS ] ;
    dv:asOf "2025"^^xsd:gYear ;
    prov:wasQuotedFrom src:essay ;
    dv:quote [ a oa:SpecificResource ; oa:hasSource src:essay ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "The world has 1e21 FLOP/s." ] ] .
"""


@pytest.mark.parametrize(
    ("name", "facts", "exit_code"),
    [
        ("valid", VALID, 0),
        ("with-violations", VALID.replace("unit:FLOPS", "unit:MO"), 1),
        ("unloadable", VALID + "ex:broken .\n", 2),
    ],
    ids=["valid", "with-violations", "unloadable"],
)
def test_validate_writes_nothing(
    make_kb: KBBuilder, invoke: Callable[..., Result], name: str, facts: str, exit_code: int
) -> None:
    make_kb.write("claims.ttl", facts)
    make_kb.write("texts/essay.txt", "The world has 1e21 FLOP/s.\n", prologue=False)
    before = snapshot(make_kb.root)
    result = invoke("validate", kb=make_kb)
    assert result.exit_code == exit_code, result.output
    assert snapshot(make_kb.root) == before


def test_a_shape_that_cannot_run_is_a_load_error(make_kb, invoke) -> None:
    (make_kb.root / "ontology" / "shapes-broken.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix dv: <https://w3id.org/derive/ns#> .\n"
        "<urn:x-test:s> a sh:NodeShape ; sh:targetClass dv:Claim ;\n"
        "  sh:sparql [ a sh:SPARQLConstraint ;\n"
        "    sh:select \"SELECT $this WHERE { $this nope:p ?o }\" ] .\n",
        encoding="utf-8",
    )
    make_kb.write("claims.ttl", 'claim:c a dv:QualitativeClaim ; dv:statement "s" .\n')
    result = invoke("validate", kb=make_kb)
    assert result.exit_code == 2
    assert "shapes-broken.ttl" in result.output and "cannot be run" in result.output
    assert "internal error" not in result.output
