"""Every command, hostile input: unknown names, malformed options, paths that
are files, folders that cannot be written, empty and enormous knowledge
bases, and interrupted writes. Each case must end in its exit code with one
``Error:`` line (or a usage message), never a traceback, and must leave the
facts as they were."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner, Result
from conftest import KBBuilder
from test_literals import ESSAY, SOURCES, claims

from derive.cli import COMMANDS, cli


class Hostile(NamedTuple):
    args: tuple[str, ...]  # {kb}: the knowledge base, {tmp}: a scratch folder, {file}: a file
    exit_code: int
    says: str  # what the output must contain


CASES: dict[str, Hostile] = {
    # unknown names
    "estimate-unknown-name": Hostile(("estimate", "grwon"), 1,
                                     "Error: no estimate named 'grwon'. Did you mean: grown?"),
    "estimate-unknown-scenario": Hostile(("estimate", "grown", "--scenario", "nosuch"), 1,
                                         "Error: no scenario named 'nosuch'."),
    "estimate-unknown-set-name-first": Hostile(
        ("estimate", "nosuch", "--scenario", "nosuch", "--set", "rat=1"), 1,
        "Error: no claim, parameter, assumption or estimate (for --set) named 'rat'."),
    "query-unknown-shipped-query": Hostile(("query", "--name", "nosuch"), 1,
                                           "Error: no shipped query named 'nosuch'."),
    "sheet-unknown-name": Hostile(("sheet", "nosuch", "--out", "{tmp}/sheets"), 1,
                                  "Error: no estimate, entity or source named 'nosuch'."),
    "list-unknown-kind": Hostile(("list", "nosuch"), 2, "'nosuch' is not one of 'estimates'"),
    "unknown-command": Hostile(("frobnicate",), 2, "No such command 'frobnicate'"),
    "import-nothing-shipped": Hostile(("import",), 2, "Error: no mapping under data"),
    "import-no-mapping-beside-table": Hostile(("import", "{file}"), 2, "Error: no mapping for"),
    "import-table-is-a-folder": Hostile(("import", "{tmp}"), 2, "is a directory"),
    "import-mapping-not-json": Hostile(("import", "{file}", "--mapping", "{file}"), 2,
                                       "is not valid JSON"),
    # malformed options
    "validate-unknown-format": Hostile(("validate", "--format", "xml"), 2,
                                       "Invalid value for '--format'"),
    "query-unknown-format": Hostile(("query", "--format", "xml", "ASK {}"), 2,
                                    "Invalid value for '--format'"),
    "query-malformed": Hostile(("query", "SELECT WHERE {"), 1, "Error: "),
    "query-no-query": Hostile(("query",), 2, "Error: give exactly one query"),
    "estimate-negative-samples": Hostile(("estimate", "grown", "--samples", "-1"), 2,
                                         "Invalid value for '--samples'"),
    "estimate-samples-not-a-number": Hostile(("estimate", "grown", "--samples", "many"), 2,
                                             "Invalid value for '--samples'"),
    "estimate-negative-seed": Hostile(("estimate", "grown", "--seed", "-1"), 2,
                                      "Invalid value for '--seed'"),
    "estimate-too-many-samples": Hostile(("estimate", "grown", "--samples", "10000000000"), 2,
                                         "Invalid value for '--samples'"),
    "estimate-seed-not-a-number": Hostile(("estimate", "grown", "--seed", "x"), 2,
                                          "Invalid value for '--seed'"),
    "estimate-set-without-value": Hostile(("estimate", "grown", "--set", "rate"), 2,
                                          "Error: --set 'rate': write NAME=VALUE"),
    "estimate-set-nan": Hostile(("estimate", "grown", "--set", "rate=nan"), 2,
                                "Error: --set 'rate=nan': 'nan' is not a number"),
    "audit-unknown-format": Hostile(("audit", "--format", "pdf"), 2,
                                    "Invalid value for '--format'"),
    "sheet-without-out": Hostile(("sheet", "--all"), 2, "Missing option '--out'"),
    "sheet-names-and-all": Hostile(("sheet", "grown", "--all", "--out", "{tmp}/s"), 2,
                                   "Error: give NAME... or --all, not both"),
    "sheet-unknown-format": Hostile(("sheet", "--all", "--out", "{tmp}/s", "--format", "pdf"),
                                    2, "Invalid value for '--format'"),
    # paths that are files, folders that cannot be written
    "kb-is-a-file": Hostile(("--kb", "{file}", "validate"), 2, "Invalid value for '--kb'"),
    "kb-does-not-exist": Hostile(("--kb", "{tmp}/nowhere", "list"), 2,
                                 "is not a knowledge base"),
    "query-file-is-a-folder": Hostile(("query", "-f", "{tmp}"), 2, "Invalid value"),
    "query-file-missing": Hostile(("query", "-f", "{tmp}/none.rq"), 2, "Error: cannot read"),
    "sheet-out-is-a-file": Hostile(("sheet", "--all", "--out", "{file}"), 2,
                                   "Invalid value for '--out'"),
    "sheet-out-inside-a-file": Hostile(("sheet", "--all", "--out", "{file}/sheets"), 2,
                                       "is a file; choose a folder you can write to"),
    "sheet-out-cannot-be-created": Hostile(("sheet", "--all", "--out", "/proc/derive-sheets"),
                                           2, "Error: cannot create the folder /proc/"),
    "sheet-templates-is-a-file": Hostile(
        ("sheet", "--all", "--out", "{tmp}/s", "--templates", "{file}"), 2,
        "Invalid value for '--templates'"),
    "audit-rdf-is-a-folder": Hostile(("audit", "--rdf", "{tmp}"), 2, "Invalid value for '--rdf'"),
    "audit-rdf-inside-a-file": Hostile(("audit", "--rdf", "{file}/findings.ttl"), 2,
                                       "is a file; choose a folder you can write to"),
    "audit-rdf-cannot-be-written": Hostile(("audit", "--rdf", "/proc/findings.ttl"), 2,
                                           "Error: cannot write /proc/findings.ttl"),
    "build-derived-is-a-file": Hostile(("build",), 2,
                                       "derived is a file; choose a folder you can write to"),
    # derive export and derive sources add
    "export-unknown-format": Hostile(("export", "xml"), 2, "Invalid value for 'FORMAT'"),
    "export-unknown-name": Hostile(("export", "csv", "nosuch"), 1,
                                   "Error: no claim, estimate or source named 'nosuch'."),
    "export-out-is-a-folder": Hostile(("export", "csv", "--out", "{tmp}"), 2,
                                      "Invalid value for '--out'"),
    "export-out-inside-a-file": Hostile(("export", "csv", "--out", "{file}/claims.csv"), 2,
                                        "is a file; choose a folder you can write to"),
    "export-out-cannot-be-written": Hostile(("export", "csv", "--out", "/proc/claims.csv"), 2,
                                            "Error: cannot write /proc/claims.csv"),
    "export-sign-key-missing": Hostile(("export", "nanopub", "--sign", "{tmp}/none.pem"), 2,
                                       "Invalid value for '--sign'"),
    "export-sign-key-not-a-key": Hostile(("export", "nanopub", "--sign", "{file}"), 2,
                                         "not an RSA private key"),
    "sources-unknown-subcommand": Hostile(("sources", "remove"), 2,
                                          "No such command 'remove'"),
    "sources-add-without-bibtex": Hostile(("sources", "add"), 2, "Missing option '--bibtex'"),
    "sources-add-missing-file": Hostile(("sources", "add", "--bibtex", "{tmp}/none.bib"), 2,
                                        "cannot read the file"),
    "sources-add-folder": Hostile(("sources", "add", "--bibtex", "{tmp}"), 2,
                                  "Invalid value for '--bibtex'"),
    "sources-add-not-bibtex": Hostile(("sources", "add", "--bibtex", "{file}"), 2,
                                      "no BibTeX entries found"),
    # derive serve and derive publish: refused before any socket is opened
    "serve-port-out-of-range": Hostile(("serve", "--port", "70000"), 2,
                                       "Invalid value for '--port'"),
    "serve-no-workers": Hostile(("serve", "--workers", "0"), 2, "Invalid value for '--workers'"),
    "serve-timeout-zero": Hostile(("serve", "--timeout", "0"), 2,
                                  "Invalid value for '--timeout'"),
    "publish-without-url": Hostile(("publish",), 2, "Missing argument 'URL'"),
    "publish-timeout-negative": Hostile(("publish", "http://127.0.0.1:9/", "--timeout", "-1"), 2,
                                        "Invalid value for '--timeout'"),
}


# A malformed query's error line is followed by the query's line and a caret.
SHOWS_THE_QUERY = {"query-malformed"}


@pytest.fixture
def small_kb(make_kb: KBBuilder) -> KBBuilder:
    make_kb.write("sources.ttl", SOURCES)
    make_kb.write("claims.ttl", claims())
    make_kb.write("texts/essay.txt", ESSAY, prologue=False)
    return make_kb


def facts_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted((root / "facts").rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def run(kb: KBBuilder, args: tuple[str, ...], tmp: Path) -> Result:
    (tmp / "a-file").write_text("not a folder\n", encoding="utf-8")
    places = {"{kb}": str(kb.root), "{tmp}": str(tmp), "{file}": str(tmp / "a-file")}
    argv = []
    for arg in args:
        for place, value in places.items():
            arg = arg.replace(place, value)
        argv.append(arg)
    if argv[0] != "--kb":
        argv = ["--kb", str(kb.root), *argv]
    return CliRunner().invoke(cli, argv, catch_exceptions=False)


def test_every_command_has_hostile_cases() -> None:
    """A new command fails this until it has cases above."""
    covered = {next(a for a in case.args if not a.startswith("-") and "{" not in a)
               for case in CASES.values()}
    assert set(COMMANDS) <= covered, set(COMMANDS) - covered


@pytest.mark.parametrize("case_id", list(CASES), ids=list(CASES))
def test_hostile_input(small_kb: KBBuilder, tmp_path: Path, case_id: str) -> None:
    case = CASES[case_id]
    if case_id == "build-derived-is-a-file":
        (small_kb.root / "derived").write_text("in the way\n", encoding="utf-8")
    before = facts_digest(small_kb.root)
    result = run(small_kb, case.args, tmp_path)
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert case.says in result.output, result.output
    assert result.exit_code == case.exit_code, result.output
    if result.output.startswith("Error: ") and case_id not in SHOWS_THE_QUERY:
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert facts_digest(small_kb.root) == before, "a command changed the facts"


# --- empty and enormous knowledge bases ---------------------------------------------------
RUNS = {
    "validate": (("validate",), 0),
    "list": (("list",), 0),
    "estimate": (("estimate", "grown"), 1),  # no such estimate in either
    "build": (("build",), 0),
    "audit": (("audit",), 0),
    "sheet": (("sheet", "--all", "--out", "{tmp}/sheets"), 0),
    "query": (("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), 0),
    "export": (("export", "csv"), 0),
}


def empty_facts(kb: KBBuilder) -> None:
    kb.write("empty.ttl", "", prologue=False)
    kb.write("only-comments.ttl", "# nothing yet\n\n   \n", prologue=False)


def enormous_facts(kb: KBBuilder) -> None:
    entities = "".join(f'ent:e{i} a dv:Country ; rdfs:label "E {i}"@en .\n' for i in range(3000))
    kb.write("entities.ttl", entities + 'ent:big rdfs:comment "' + "x" * 2_000_000 + '" .\n')


@pytest.mark.parametrize("kind", ["empty", "enormous"])
@pytest.mark.parametrize("command", list(RUNS))
def test_empty_and_enormous_knowledge_bases(make_kb: KBBuilder, tmp_path: Path, kind: str,
                                            command: str) -> None:
    (empty_facts if kind == "empty" else enormous_facts)(make_kb)
    args, code = RUNS[command]
    before = facts_digest(make_kb.root)
    result = run(make_kb, args, tmp_path)
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.exit_code == code, result.output
    assert facts_digest(make_kb.root) == before


# --- interrupted writes ------------------------------------------------------------------------
def derive(kb: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DERIVE_NO_CACHE": "1"}
    return subprocess.Popen([sys.executable, "-m", "derive", "--kb", str(kb), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(".")}


@pytest.mark.parametrize(("command", "folder"), [
    (("build",), "derived"),
    (("sheet", "--all", "--format", "md", "--out", "{kb}/site"), "site"),
], ids=["build", "sheet"])
def test_a_killed_write_leaves_the_previous_output_whole(small_kb: KBBuilder,
                                                         command: tuple[str, ...],
                                                         folder: str) -> None:
    """derive build and derive sheet killed at any moment: every file they
    write is the previous version or the next complete one, never cut short."""
    root = small_kb.root
    args = [a.replace("{kb}", str(root)) for a in command]
    assert derive(root, *args).wait() == 0
    previous = outputs(root / folder)
    small_kb.write("claims.ttl", claims(value="2.5E20"))  # the next output differs
    seen: list[dict[str, bytes]] = []
    for delay in (0.2, 0.5, 0.8, 1.1, 1.4):
        process = derive(root, *args)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        seen.append(outputs(root / folder))
    assert derive(root, *args).wait() == 0
    final = outputs(root / folder)
    assert final != previous
    for state in seen:
        assert set(state) == set(previous)
        for name, data in state.items():
            assert data in (previous[name], final[name]), f"{name} is neither version whole"
