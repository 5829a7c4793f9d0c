"""Shared fixtures: a throwaway knowledge base built from the project's own
ontology plus inline Turtle, and a CLI runner bound to it."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from derive.cli import cli

PROJECT = Path(__file__).resolve().parent.parent

# Prefixes every inline fixture may use without declaring them.
PROLOGUE = """\
@prefix dv:      <https://w3id.org/derive/ns#> .
@prefix dvu:     <https://w3id.org/derive/unit/> .
@prefix claim:   <https://w3id.org/derive/kb/claim/> .
@prefix ent:     <https://w3id.org/derive/kb/entity/> .
@prefix metric:  <https://w3id.org/derive/kb/metric/> .
@prefix src:     <https://w3id.org/derive/kb/source/> .
@prefix est:     <https://w3id.org/derive/kb/estimate/> .
@prefix scen:    <https://w3id.org/derive/kb/scenario/> .
@prefix sel:     <https://w3id.org/derive/kb/selection/> .
@prefix param:   <https://w3id.org/derive/kb/parameter/> .
@prefix assume:  <https://w3id.org/derive/kb/assumption/> .
@prefix unit:    <http://qudt.org/vocab/unit/> .
@prefix qudt:    <http://qudt.org/schema/qudt/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix cito:    <http://purl.org/spar/cito/> .
@prefix oa:      <http://www.w3.org/ns/oa#> .
@prefix schema:  <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix bibo:    <http://purl.org/ontology/bibo/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
"""


class KBBuilder:
    """A knowledge base in a temporary folder: the project's ontology, and
    facts written from inline Turtle (the prologue above is prepended)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(PROJECT / "ontology", root / "ontology")
        (root / "facts").mkdir()

    def write(self, name: str, turtle: str, *, prologue: bool = True) -> Path:
        path = self.root / "facts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        body = textwrap.dedent(turtle)
        path.write_text((PROLOGUE + body) if prologue else body, encoding="utf-8")
        return path

    def write_bytes(self, name: str, data: bytes) -> Path:
        path = self.root / "facts" / name
        path.write_bytes(data)
        return path


@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _private_cache(_session_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the tests' caches out of the user's cache folder, in one folder
    for the session: entries are keyed by the knowledge base's location and
    its files' stamps, so tests on the shipped knowledge base share its
    compiled model and validation (a cold start there validates every
    imported row), and a test's own knowledge base never meets another's."""
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(_session_cache))


@pytest.fixture
def make_kb(tmp_path: Path) -> KBBuilder:
    return KBBuilder(tmp_path / "kb")


@pytest.fixture
def invoke() -> Callable[..., Result]:
    """Run ``derive ARGS`` in-process; ``kb`` adds ``--kb``."""

    def run(*args: str, kb: KBBuilder | Path | None = None, input: str | None = None) -> Result:
        argv: list[str] = []
        if kb is not None:
            argv += ["--kb", str(kb.root if isinstance(kb, KBBuilder) else kb)]
        return CliRunner().invoke(cli, [*argv, *args], input=input, catch_exceptions=False)

    return run
