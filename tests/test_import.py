"""derive import: tables (CSV + CSVW mapping) into claims with row-level provenance.

The slices in tests/data/epoch/ are rows of Epoch AI's tables (CC BY 4.0, see
tests/data/README.md); tests/data/clusters/ is a made-up third table.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import PROJECT

DATA = PROJECT / "tests" / "data"
MAPPINGS = PROJECT / "data" / "epoch"
DV = "https://w3id.org/derive/ns#"


def _kb(root: Path, *, facts: tuple[str, ...] = ("entities.ttl",)) -> Path:
    """A knowledge base with the project's ontology, some of its facts and no import."""
    shutil.copytree(PROJECT / "ontology", root / "ontology")
    (root / "facts").mkdir(parents=True)
    for name in facts:
        shutil.copy(PROJECT / "facts" / name, root / "facts" / name)
    return root


def _slices(root: Path) -> Path:
    """The two Epoch AI slices with the shipped mappings, under data/epoch/."""
    target = root / "data" / "epoch"
    target.mkdir(parents=True)
    for name in ("epoch_notable_ai_models", "epoch_ml_hardware"):
        shutil.copy(DATA / "epoch" / f"{name}.csv", target / f"{name}.csv")
        shutil.copy(MAPPINGS / f"{name}.csv-metadata.json", target / f"{name}.csv-metadata.json")
    return target


def _table(root: Path, csv_text: str, columns: list[dict], *, name: str = "t") -> Path:
    """A small inline table with a mapping: rows are ``Chip`` entities, one claim column."""
    folder = root / "data"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.csv").write_bytes(csv_text.encode("utf-8"))
    mapping = {
        "@context": "http://www.w3.org/ns/csvw",
        "@id": f"https://w3id.org/derive/kb/source/{name}",
        "url": f"{name}.csv",
        "dc:title": "Inline test table", "dc:publisher": "derive tests",
        "dc:license": {"@id": "https://creativecommons.org/publicdomain/zero/1.0/"},
        "tableSchema": {"rowTitles": ["name"], "columns": columns},
    }
    path = folder / f"{name}.csv-metadata.json"
    path.write_text(json.dumps(mapping), encoding="utf-8")
    return path


CHIP_COLUMNS = [
    {"titles": "Name", "name": "name", "datatype": "string", DV + "entityClass": "dv:Chip"},
    {"titles": "Released", "name": "released", "datatype": "date"},
    {"titles": "BF16", "name": "bf16", "datatype": "double",
     DV + "metric": "metric:dense-bf16-performance", DV + "unit": "unit:FLOPS",
     DV + "asOfColumn": "released"},
]


def _claims(text: str) -> dict[str, str]:
    return {block.split(" ", 1)[0]: block for block in text.split("\n\n")
            if block.startswith("claim:")}


# --- the shipped tables -------------------------------------------------------------------


def test_committed_import_is_what_derive_import_writes(invoke, tmp_path: Path) -> None:
    """A fresh import of the shipped tables gives the committed files byte for byte,
    and importing again changes nothing."""
    root = tmp_path / "kb"
    for part in ("ontology", "facts", "data"):
        shutil.copytree(PROJECT / part, root / part)
    shutil.rmtree(root / "facts" / "imported")
    first = invoke("import", kb=root)
    assert first.exit_code == 0, first.output
    for name in ("epoch_notable_ai_models.ttl", "epoch_ml_hardware.ttl"):
        written = (root / "facts" / "imported" / name).read_bytes()
        assert written == (PROJECT / "facts" / "imported" / name).read_bytes(), name
    again = invoke("import", kb=root)
    assert again.output.count("unchanged: the file already held exactly this import") == 2


def test_done_when_queries_on_the_shipped_knowledge_base(invoke) -> None:
    count = invoke("query", "--format", "json",
                   "SELECT (COUNT(?c) AS ?n) WHERE { ?c dv:metric metric:training-compute ; "
                   "prov:wasQuotedFrom src:epoch-notable-ai-models }", kb=PROJECT)
    assert int(json.loads(count.output)["results"]["bindings"][0]["n"]["value"]) >= 500

    largest = json.loads(invoke("query", "--name", "largest-training-compute", "--format",
                                "json", kb=PROJECT).output)["results"]["bindings"]
    assert len(largest) == 1
    row = {k: v["value"] for k, v in largest[0].items()}
    assert row["model"] == "Grok 4"
    assert float(row["value"]) == 5.0000000000001e26
    assert row["published"] == "2025-07-09"
    assert row["row"] == "row=122"
    assert row["reference"] == "Grok 4 Heavy - the most powerful version of Grok 4"

    h100 = invoke("query", "--format", "json", """
        SELECT ?value ?unit ?datasheet WHERE {
          ?c prov:wasQuotedFrom src:epoch-ml-hardware ; dv:about ent:nvidia-h100 ;
             dv:metric metric:dense-bf16-performance ;
             dv:quantity [ qudt:value ?value ; qudt:hasUnit ?unit ] ;
             cito:citesAsEvidence/bibo:uri ?datasheet .
          FILTER(STRSTARTS(STR(?c), STR(claim:epoch-ml-hardware--)))
        }""", kb=PROJECT)
    found = {(float(b["value"]["value"]), b["unit"]["value"], b["datasheet"]["value"])
             for b in json.loads(h100.output)["results"]["bindings"]}
    flops = "http://qudt.org/vocab/unit/FLOPS"
    assert (9.894e14, flops,
            "https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet"
            ) in found


def test_explain_shows_an_imported_claims_provenance(invoke) -> None:
    out = invoke("estimate", "huawei-dies-compute", "--explain", kb=PROJECT).output
    assert "“989400000000000.0”" in out
    assert "row 56 (NVIDIA H100 SXM5 80GB), column Tensor-FP16/BF16 performance (FLOP/s)" in out
    assert "stated in [Epoch AI, Machine Learning Hardware]" in out
    assert "attributed to [resources.nvidia.com]" in out
    assert ("Epoch AI, “Machine Learning Hardware”, dataset, CC BY 4.0. "
            "https://epoch.ai/data/machine-learning-hardware") in out
    assert "data/epoch/epoch_ml_hardware.csv, SHA-256 e90bfa9e" in out


def test_sheet_shows_an_imported_claims_provenance(invoke, tmp_path: Path) -> None:
    result = invoke("sheet", "grok-4", "--out", str(tmp_path), "--format", "md", kb=PROJECT)
    assert result.exit_code == 0, result.output
    text = (tmp_path / "entity-grok-4.md").read_text(encoding="utf-8")
    assert "> “5.0000000000001e+26”" in text
    assert "row 122, column Training compute (FLOP)" in text
    assert "Epoch AI, “Notable AI Models”, dataset, CC BY 4.0." in text
    assert "<https://x.ai/news/grok-4>" in text


# --- one mapping per shipped table, on slices ---------------------------------------------


def test_models_slice(invoke, tmp_path: Path) -> None:
    root = _kb(tmp_path / "kb")
    _slices(root)
    out = invoke("import", f"{root}/data/epoch/epoch_notable_ai_models.csv", kb=root)
    assert out.exit_code == 0, out.output
    assert "4 rows read, 7 claims written" in out.output
    text = (root / "facts" / "imported" / "epoch_notable_ai_models.ttl").read_text("utf-8")
    claims = _claims(text)
    grok = claims["claim:epoch-notable-ai-models--grok-4--training-compute"]
    assert "qudt:value 5.0000000000001E26 ; qudt:hasUnit dvu:FLOP" in grok
    assert 'rdf:value "row=2"' in grok and 'oa:exact "5.0000000000001e+26"' in grok
    assert 'dv:asOf "2025-07-09"^^xsd:date' in grok
    assert "cito:citesAsEvidence src:ref-x-ai-news-grok-4" in grok
    # NVILA 15B has no training compute: an empty cell is no claim (but it has parameters)
    assert "claim:epoch-notable-ai-models--nvila-15b--training-compute" not in claims
    # a US-China row is about both countries, the essay's own entities
    medbert = text.split("ent:medbert a dv:AIModel")[1].split("\n\n")[0]
    assert "schema:countryOfOrigin ent:china" in medbert
    assert "schema:countryOfOrigin ent:united-states" in medbert
    assert 'ent:united-states schema:alternateName "United States of America"' in text
    assert "ent:united-states-of-america" not in text
    # organisations meet the essay's by name
    assert "ent:deepseek-v3 a dv:AIModel" in text and "schema:creator ent:deepseek" in text


def test_hardware_slice_meets_the_essays_h100(invoke, tmp_path: Path) -> None:
    root = _kb(tmp_path / "kb")
    _slices(root)
    out = invoke("import", f"{root}/data/epoch/epoch_ml_hardware.csv", kb=root)
    assert out.exit_code == 0, out.output
    text = (root / "facts" / "imported" / "epoch_ml_hardware.ttl").read_text("utf-8")
    h100 = _claims(text)["claim:epoch-ml-hardware--nvidia-h100-sxm5-80gb--bf16"]
    assert "dv:about ent:nvidia-h100 ;" in h100
    assert "qudt:value 9.894E14 ; qudt:hasUnit unit:FLOPS" in h100
    # row 3 although the record before it spans several lines of the file
    assert 'rdf:value "row=3"' in h100 and 'oa:exact "989400000000000.0"' in h100
    assert ("src:ref-resources-nvidia-com-en-us-tensor-core-nvidia-tensor-core-gpu-datasheet"
            in h100)
    assert "ent:nvidia-h100 schema:alternateName" in text
    assert "ent:nvidia-h100 a " not in text  # the essay describes it
    assert "ent:nvidia-h100-pcie a dv:Chip" in text
    assert ("row 5, column 'FP8 performance (FLOP/s)'" in out.output
            and "'Release date' is empty, so the claim cannot be dated" in out.output)
    result = invoke("validate", kb=root)
    assert result.exit_code == 0, result.output


def test_third_table_with_the_mapping_from_the_readme(invoke, tmp_path: Path) -> None:
    """The clusters mapping is taken from the README's worked example as printed there."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Adding a table", 1)[1]
    mapping = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    root = _kb(tmp_path / "kb")
    folder = root / "data" / "clusters"
    folder.mkdir(parents=True)
    shutil.copy(DATA / "clusters" / "made_up_gpu_clusters.csv", folder / "clusters.csv")
    (folder / "clusters.csv-metadata.json").write_text(json.dumps(mapping), encoding="utf-8")
    out = invoke("import", f"{root}/data/clusters/clusters.csv", kb=root)
    assert out.exit_code == 0, out.output
    assert "4 rows read, 2 claims written to facts/imported/clusters.ttl" in out.output
    assert ("row 5, column '16-bit OP/s': 'about 2e19': does not parse as double"
            in out.output)
    assert "row 5, column 'First Operational Date': '2024-02-30'" in out.output
    text = (root / "facts" / "imported" / "clusters.ttl").read_text("utf-8")
    assert set(_claims(text)) == {"claim:epoch-gpu-clusters--example-cluster-alpha--op16",
                                  "claim:epoch-gpu-clusters--example-cluster-beta--op16"}
    assert "schema:location ent:china ;\n    schema:location ent:united-states ." in text
    result = invoke("validate", kb=root)
    assert result.exit_code == 0, result.output
    listed = invoke("query", "SELECT ?c WHERE { ?c dv:about/schema:location ent:china ; "
                    "prov:wasQuotedFrom src:epoch-gpu-clusters }", kb=root).output
    assert "example-cluster-beta--op16" in listed


def test_shipped_mapping_file_for_the_third_table_is_the_readmes(tmp_path: Path) -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Adding a table", 1)[1]
    printed = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    shipped = json.loads((DATA / "clusters" / "made_up_gpu_clusters.csv-metadata.json")
                         .read_text(encoding="utf-8"))
    differing = {k for k in printed.keys() | shipped.keys() if printed.get(k) != shipped.get(k)}
    assert differing == {"url", "@id", "dc:title", "dc:publisher"}


# --- bad cells, bad tables, bad mappings ----------------------------------------------------


@pytest.mark.parametrize(("cell", "reason"), [
    ("3e14 FLOP/s", "does not parse as double"),
    ("about 3e14", "does not parse as double"),
    ("1,000", "does not parse as double"),
    ("NaN", "is not a finite number"),
    ("INF", "is not a finite number"),
], ids=["unit-in-cell", "text-in-number", "thousands-separator", "nan", "infinity"])
def test_a_bad_number_is_reported_not_imported(invoke, tmp_path: Path, cell: str,
                                                reason: str) -> None:
    root = _kb(tmp_path / "kb")
    quoted = f'"{cell}"' if "," in cell else cell
    _table(root, f"Name,Released,BF16\nGood,2024-01-02,1e14\nBad,2024-01-02,{quoted}\n",
           CHIP_COLUMNS)
    out = invoke("import", f"{root}/data/t.csv", kb=root)
    assert out.exit_code == 0, out.output
    assert f"skipped: data/t.csv: row 3, column 'BF16': {cell!r}: {reason}" in out.output
    assert "1 claims written" in out.output
    text = (root / "facts" / "imported" / "t.ttl").read_text("utf-8")
    assert list(_claims(text)) == ["claim:t--good--bf16"]


@pytest.mark.parametrize(("date", "reason"), [
    ("2024-02-30", "day is out of range for month"),
    ("2024-13-01", "month must be in 1..12"),
    ("soon", "does not parse as date"),
    ("", "'Released' is empty, so the claim cannot be dated"),
], ids=["impossible-day", "impossible-month", "not-a-date", "no-date"])
def test_a_row_that_cannot_be_dated_is_reported(invoke, tmp_path: Path, date: str,
                                                reason: str) -> None:
    root = _kb(tmp_path / "kb")
    _table(root, f"Name,Released,BF16\nX,{date},1e14\n", CHIP_COLUMNS)
    out = invoke("import", f"{root}/data/t.csv", kb=root)
    assert out.exit_code == 0, out.output
    assert "0 claims written" in out.output
    assert reason in out.output and "row 2" in out.output


def test_an_empty_cell_is_no_claim_not_zero(invoke, tmp_path: Path) -> None:
    root = _kb(tmp_path / "kb")
    _table(root, "Name,Released,BF16\nX,2024-01-02,\nY,2024-01-02,   \n", CHIP_COLUMNS)
    out = invoke("import", f"{root}/data/t.csv", kb=root)
    assert "2 rows read, 0 claims written" in out.output and "0 cells skipped" in out.output
    assert "qudt:value" not in (root / "facts" / "imported" / "t.ttl").read_text("utf-8")


def test_strict_fails_on_a_skipped_cell_and_writes_nothing(invoke, tmp_path: Path) -> None:
    root = _kb(tmp_path / "kb")
    _table(root, "Name,Released,BF16\nX,2024-01-02,lots\n", CHIP_COLUMNS)
    out = invoke("import", f"{root}/data/t.csv", "--strict", kb=root)
    assert out.exit_code == 1
    assert ("--strict: 1 cell(s) not imported; first: data/t.csv: row 2, column 'BF16': "
            "'lots'") in out.output
    assert not (root / "facts" / "imported").exists()


def test_a_mapping_naming_a_missing_column_is_a_load_error(invoke, tmp_path: Path) -> None:
    root = _kb(tmp_path / "kb")
    columns = [*CHIP_COLUMNS, {"titles": "FP8", "name": "fp8", "datatype": "double"}]
    _table(root, "Name,Released,BF16\nX,2024-01-02,1e14\n", columns)
    out = invoke("import", f"{root}/data/t.csv", kb=root)
    assert out.exit_code == 2
    assert out.output.startswith("Error: data/t.csv-metadata.json: column 'FP8' (name 'fp8') "
                                 "is not in data/t.csv")


@pytest.mark.parametrize(("data", "message"), [
    (b"Name,Released,BF16\nX,2024-01-02,1e14\nY,2024-01-02\n",
     "data/t.csv:3: row 3 has 2 cells but the header has 3"),
    (b'Name,Released,BF16\nX,2024-01-02,1e14\n"Y,2024-01-02,1e14\n',
     "data/t.csv:3: malformed CSV"),
    (b"Name,Released,BF16\nX,2024-01-02,1e14\nZ\xfcrich,2024-01-02,1e14\n",
     "data/t.csv:3: is not utf-8 text"),
], ids=["ragged-row", "unclosed-quote", "wrong-encoding"])
def test_a_malformed_table_is_a_load_error_with_its_line(invoke, tmp_path: Path, data: bytes,
                                                         message: str) -> None:
    root = _kb(tmp_path / "kb")
    _table(root, "", CHIP_COLUMNS)
    (root / "data" / "t.csv").write_bytes(data)
    out = invoke("import", f"{root}/data/t.csv", kb=root)
    assert out.exit_code == 2
    assert out.output.startswith(f"Error: {message}"), out.output


def test_a_mapping_that_is_not_json_is_a_load_error(invoke, tmp_path: Path) -> None:
    root = _kb(tmp_path / "kb")
    path = _table(root, "Name,Released,BF16\n", CHIP_COLUMNS)
    path.write_text('{"tableSchema": ', encoding="utf-8")
    out = invoke("import", f"{root}/data/t.csv", kb=root)
    assert out.exit_code == 2 and "t.csv-metadata.json:1: is not valid JSON" in out.output


# --- re-import ----------------------------------------------------------------------------


def test_reimport_is_byte_identical_and_reports_changes(invoke, tmp_path: Path) -> None:
    root = _kb(tmp_path / "kb")
    _table(root, "Name,Released,BF16\nA,2024-01-02,1e14\nB,2024-01-02,2e14\n"
           "C,2024-01-02,3e14\n", CHIP_COLUMNS)
    output = root / "facts" / "imported" / "t.ttl"
    assert "first import: 3 claims added" in invoke("import", f"{root}/data/t.csv", kb=root).output
    before = output.read_bytes()
    again = invoke("import", f"{root}/data/t.csv", kb=root).output
    assert "unchanged" in again and output.read_bytes() == before

    (root / "data" / "t.csv").write_text(
        "Name,Released,BF16\nNew,2025-01-02,9e14\nA,2024-01-02,1e14\nB,2024-01-02,2.5e14\n",
        encoding="utf-8")
    out = invoke("import", f"{root}/data/t.csv", kb=root).output
    assert "since the last import: 1 added, 1 changed, 1 removed, 1 moved to another row" in out
    assert "added: claim:t--new--bf16" in out
    assert "changed: claim:t--b--bf16" in out
    assert "removed: claim:t--c--bf16" in out


def test_import_writes_only_under_facts_imported(invoke, tmp_path: Path) -> None:
    root = _kb(tmp_path / "kb", facts=("entities.ttl", "claims-hardware.ttl"))
    _slices(root)

    def snapshot() -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}

    before = snapshot()
    assert invoke("import", kb=root).exit_code == 0
    after = snapshot()
    changed = {k for k in after.keys() | before.keys() if before.get(k) != after.get(k)}
    assert changed == {"facts/imported/epoch_ml_hardware.ttl",
                       "facts/imported/epoch_notable_ai_models.ttl"}


# --- validate checks imported cells against the shipped table --------------------------------


def test_validate_rejects_a_quote_that_is_not_the_cell(invoke, tmp_path: Path) -> None:
    root = _kb(tmp_path / "kb")
    _table(root, "Name,Released,BF16\nA,2024-01-02,1e14\n", CHIP_COLUMNS)
    invoke("import", f"{root}/data/t.csv", kb=root)
    output = root / "facts" / "imported" / "t.ttl"
    output.write_text(output.read_text("utf-8").replace('oa:exact "1e14"', 'oa:exact "2e14"'),
                      encoding="utf-8")
    out = invoke("validate", kb=root)
    assert out.exit_code == 1
    assert ("facts/imported/t.ttl: claim:t--a--bf16: violation: cell at row 2, column 'BF16' "
            "of data/t.csv is '1e14', not '2e14'") in out.output


def test_validate_notices_a_table_changed_since_import(invoke, tmp_path: Path) -> None:
    root = _kb(tmp_path / "kb")
    _table(root, "Name,Released,BF16\nA,2024-01-02,1e14\n", CHIP_COLUMNS)
    invoke("import", f"{root}/data/t.csv", kb=root)
    assert invoke("validate", kb=root).exit_code == 0
    (root / "data" / "t.csv").write_text("Name,Released,BF16\nA,2024-01-02,5e14\n", "utf-8")
    out = invoke("validate", kb=root)
    assert out.exit_code == 1
    assert "data/t.csv changed since it was imported" in out.output
    assert "is '5e14', not '1e14'" in out.output


def test_essay_claim_is_checked_against_the_imported_row(invoke, tmp_path: Path) -> None:
    """claim:h100-dense-bf16 quotes the shipped hardware table's row 56: editing its
    quote away from the cell is a violation."""
    root = _kb(tmp_path / "kb", facts=("entities.ttl", "claims-hardware.ttl"))
    (root / "data" / "epoch").mkdir(parents=True)
    for suffix in (".csv", ".csv-metadata.json"):
        shutil.copy(MAPPINGS / f"epoch_ml_hardware{suffix}",
                    root / "data" / "epoch" / f"epoch_ml_hardware{suffix}")
    assert invoke("import", kb=root).exit_code == 0
    assert invoke("validate", kb=root).exit_code == 0
    claims = root / "facts" / "claims-hardware.ttl"
    claims.write_text(claims.read_text("utf-8").replace('rdf:value "row=56"',
                                                        'rdf:value "row=54"'), "utf-8")
    out = invoke("validate", kb=root)
    assert out.exit_code == 1
    assert "claim:h100-dense-bf16: violation: cell at row 54" in out.output
