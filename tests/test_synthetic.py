"""The benchmark's synthetic knowledge base is one derive accepts: it
validates without a problem, and its estimates compute."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "benchmarks"))
from synthetic import generate


def test_a_synthetic_knowledge_base_validates_and_computes(invoke, tmp_path: Path) -> None:
    root = tmp_path / "kb"
    files = generate(root, 23, per_file=10)
    assert len(files) == 3
    result = invoke("validate", "--full", kb=root)
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output and "claims" in result.output
    result = invoke("estimate", "synthetic-sum-0", kb=root)
    assert result.exit_code == 0, result.output
    assert "FLOP/s" in result.output
