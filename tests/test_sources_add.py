"""derive sources add --bibtex: entries become validated sources in a file of
their own; any bad entry is named and nothing is added."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import bibtexparser
import pytest
from click.testing import Result
from conftest import PROJECT

GOOD = r"""
@article{smith-2024-gpus,
  author = {Smith, Jane and van der Berg, Piet and {World Bank}},
  title = {How Many {GPUs}? A Census \& a Forecast},
  journal = {Journal of Compute Studies},
  year = {2024},
  month = may,
  url = {https://example.org/papers/gpu_census%202024},
  urldate = {2025-11-02},
  doi = {10.1234/jcs.2024.5}
}

@techreport{lee-2023,
  author = {Lee, K.},
  title = {Fab Capacity},
  institution = {Some Institute},
  date = {2023-02-01}
}

@dataset{agency-table,
  title = {Chip Shipments},
  publisher = {Some Agency},
  urldate = {2026-01-05}
}
"""


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A copy of the shipped knowledge base (the real sources, the real shapes),
    less the 1,253 rows imported from the notable-models table and the trends
    fitted to them: every command here starts on its copy from cold, and with
    those rows these tests took 160 s instead of 21 s."""
    root = tmp_path / "kb"
    shutil.copytree(PROJECT / "ontology", root / "ontology")
    shutil.copytree(PROJECT / "facts", root / "facts")
    shutil.copytree(PROJECT / "data", root / "data")  # the tables imported facts quote
    (root / "facts" / "imported" / "epoch_notable_ai_models.ttl").unlink()
    (root / "facts" / "estimates-data.ttl").unlink()
    return root


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def _bib(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    return path


def test_entries_become_sources_in_their_own_file(kb: Path, tmp_path: Path,
                                                  invoke: Callable[..., Result]) -> None:
    facts_before = {p.name: p.read_bytes() for p in (kb / "facts").glob("*.ttl")}
    result = invoke("sources", "add", "--bibtex", str(_bib(tmp_path, GOOD)), kb=kb)
    assert result.exit_code == 0, result.output
    assert result.output == ("added 3 sources to facts/sources-added.ttl: smith-2024-gpus, "
                             "lee-2023, agency-table\n")
    after = {p.name: p.read_bytes() for p in (kb / "facts").glob("*.ttl")}
    assert set(after) == {*facts_before, "sources-added.ttl"}
    assert all(after[name] == data for name, data in facts_before.items())
    assert invoke("validate", kb=kb).exit_code == 0

    exported = invoke("export", "bibtex", "smith-2024-gpus", "lee-2023", "agency-table", kb=kb)
    entries = bibtexparser.parse_string(exported.output,
                                        append_middleware=[bibtexparser.middlewares
                                                           .LatexDecodingMiddleware()]).entries
    by_key = {e.key: {f.key: f.value for f in e.fields} for e in entries}
    smith = by_key["smith-2024-gpus"]
    assert smith["title"] == "How Many GPUs? A Census & a Forecast"
    assert smith["journal"] == "Journal of Compute Studies"
    assert smith["date"] == "2024-05"
    assert smith["urldate"] == "2025-11-02"
    assert "gpu_census%202024" in exported.output  # the URL as written
    assert smith["doi"] == "10.1234/jcs.2024.5"
    assert by_key["lee-2023"]["institution"] == "Some Institute"
    assert by_key["agency-table"]["author"] == "Some Agency"


def test_adding_again_appends_to_the_same_file(kb: Path, tmp_path: Path,
                                               invoke: Callable[..., Result]) -> None:
    assert invoke("sources", "add", "--bibtex", str(_bib(tmp_path, GOOD)), kb=kb).exit_code == 0
    more = tmp_path / "more.bib"
    more.write_text("@book{new-book, title = {A Book}, year = {2020}, publisher = {P}}\n")
    result = invoke("sources", "add", "--bibtex", str(more), kb=kb)
    assert result.exit_code == 0, result.output
    listing = invoke("list", kb=kb).output
    assert "new-book" in listing and "smith-2024-gpus" in listing


@pytest.mark.parametrize("text, message", [
    pytest.param("@article{broken,\n  title = {Unclosed\n@misc{next, title={x}, year={2020}}\n",
                 "@article{broken} (line 1) is not valid BibTeX", id="broken-entry"),
    pytest.param("@misc{twice, title={A}, year={2020}}\n@misc{twice, title={B}, year={2021}}\n",
                 "entry 'twice' (line 2) repeats a key used earlier in the file",
                 id="duplicate-key-in-file"),
    pytest.param("@article{pilz-2025, title={Trends}, year={2025}}\n",
                 "entry @article{pilz-2025} (line 1): a source named pilz-2025 already exists "
                 "(facts/sources.ttl)", id="duplicate-key-in-kb"),
    pytest.param("@misc{fine, title={Fine}, year={2020}}\n@misc{untitled, year={2020}}\n",
                 "entry @misc{untitled} (line 2) has no title", id="missing-title"),
    pytest.param("@misc{undated, title={No Date}}\n",
                 "entry @misc{undated} (line 1): has no date", id="missing-date"),
    pytest.param("@misc{bad key, title={T}, year={2020}}\n", "the key 'bad key' cannot name",
                 id="key-with-space"),
    pytest.param("@misc{k, title={T}, year={circa 2020}}\n", "cannot read the date",
                 id="unreadable-year"),
    pytest.param("% only a comment\n", "no BibTeX entries found", id="no-entries"),
])
def test_bad_input_is_named_and_adds_nothing(kb: Path, tmp_path: Path,
                                             invoke: Callable[..., Result], text: str,
                                             message: str) -> None:
    before = _digest(kb)
    result = invoke("sources", "add", "--bibtex", str(_bib(tmp_path, text)), kb=kb)
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.startswith(f"Error: {tmp_path / 'refs.bib'}")
    assert len(result.output.strip().splitlines()) == 1
    assert _digest(kb) == before


def test_a_missing_file_is_a_usage_error(kb: Path, tmp_path: Path,
                                         invoke: Callable[..., Result]) -> None:
    result = invoke("sources", "add", "--bibtex", str(tmp_path / "nope.bib"), kb=kb)
    assert result.exit_code == 2
    assert "cannot read the file" in result.output


@pytest.mark.parametrize("author, expected", [
    pytest.param("{World Bank}", "{World Bank}", id="organisation"),
    pytest.param("Ruiloba Portilla, Fernando", "Ruiloba Portilla, Fernando",
                 id="two-word-family-name"),
    pytest.param("Jane Smith", "Smith, Jane", id="given-family"),
])
def test_a_single_authors_name_survives_the_round_trip(kb: Path, tmp_path: Path,
                                                       invoke: Callable[..., Result],
                                                       author: str, expected: str) -> None:
    bib = _bib(tmp_path, f"@misc{{one, author = {{{author}}}, title = {{T}}, year = {{2020}}}}\n")
    assert invoke("sources", "add", "--bibtex", str(bib), kb=kb).exit_code == 0
    exported = invoke("export", "bibtex", "one", kb=kb).output
    entry = bibtexparser.parse_string(exported).entries[0]
    assert entry.fields_dict["author"].value == expected
