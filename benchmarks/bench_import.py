"""Speed report for imported tables: run ``python benchmarks/bench_import.py``
from the project folder (with derive installed) and read the printed table.
Not a test: timings depend on the machine.

It copies the knowledge base to a temporary folder, removes the committed
import, and times, each against a baseline measured in the same run:

- ``derive import`` of both shipped tables (baseline: reading the two CSV
  files with the csv module, the least any import must do), and a re-import
  of the same bytes;
- ``derive validate`` in full, after editing one file, and unchanged, on the
  imported knowledge base (baseline: the essay alone, without the import);
- ``derive query`` (a shipped query over the imported claims) cold and warm;
- ``derive estimate --explain`` of an estimate whose input is the H100 row,
  cold and warm (baseline: the same on the essay alone).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench import (  # the benchmarks folder is on sys.path when run as a script
    derive_cmd,
    print_table,
)

PROJECT = Path(__file__).resolve().parent.parent




def run(args: list[str], root: Path, env: dict[str, str], runs: int = 1,
        before: object = None, ok: tuple[int, ...] = (0,)) -> float:
    times = []
    for _ in range(runs):
        if callable(before):
            before()
        start = time.perf_counter()
        done = subprocess.run([*derive_cmd(), "--kb", str(root), *args], env=env,
                              check=False, capture_output=True, text=True)
        if done.returncode not in ok:
            raise SystemExit(f"derive {' '.join(args)} failed ({done.returncode}): "
                             f"{done.stderr or done.stdout}")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def copy_kb(target: Path, *, imported: bool) -> Path:
    for part in ("ontology", "facts", "data", "queries", "templates"):
        shutil.copytree(PROJECT / part, target / part)
    if not imported:
        shutil.rmtree(target / "facts" / "imported")
    return target


def read_csvs() -> float:
    start = time.perf_counter()
    for path in sorted((PROJECT / "data").rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            sum(1 for _ in csv.reader(handle))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each fast command")
    args = parser.parse_args()
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        env = {**os.environ, "DERIVE_CACHE_DIR": str(base / "cache")}
        kb = copy_kb(base / "kb", imported=False)
        essay = copy_kb(base / "essay", imported=False)

        baseline = read_csvs()
        t = run(["import"], kb, env)
        rows.append(("import both tables (first)", t, f"{t / baseline:.0f}x reading the CSVs "
                     f"({baseline:.3f} s)"))
        t = run(["import"], kb, env, args.runs)
        rows.append(("import again (same bytes)", t, "file unchanged"))

        # without the import, the essay's H100 claim cites an undescribed dataset: exit 1
        essay_full = run(["validate", "--full"], essay, env, ok=(0, 1))
        rows.append(("validate --full, essay only", essay_full, "baseline"))
        full = run(["validate", "--full"], kb, env)
        rows.append(("validate --full, with import", full,
                     f"{full / essay_full:.1f}x the essay alone"))
        edited = kb / "facts" / "claims-hardware.ttl"

        def edit() -> None:
            with edited.open("a", encoding="utf-8") as handle:
                handle.write("# edited\n")

        one = run(["validate"], kb, env, 1, before=edit)
        rows.append(("validate after editing one file", one, f"{one / full:.2f}x full"))
        same = run(["validate"], kb, env, args.runs)
        rows.append(("validate, nothing changed", same, f"{same / full:.3f}x full"))

        query = ["query", "--name", "largest-training-compute"]
        cold_env = {**env, "DERIVE_NO_CACHE": "1"}
        cold = run(query, kb, cold_env)
        rows.append(("query, cold (no cache)", cold, "baseline"))
        run(query, kb, env)
        warm = run(query, kb, env, args.runs)
        rows.append(("query, warm", warm, f"{warm / cold:.2f}x cold"))

        explain = ["estimate", "huawei-dies-compute", "--explain"]
        essay_cold = run(explain, essay, cold_env)
        rows.append(("estimate --explain, essay only, cold", essay_cold, "baseline"))
        cold = run(explain, kb, cold_env)
        rows.append(("estimate --explain, with import, cold", cold,
                     f"{cold / essay_cold:.1f}x the essay alone"))
        run(explain, kb, env)
        warm = run(explain, kb, env, args.runs)
        rows.append(("estimate --explain, with import, warm", warm, f"{warm / cold:.2f}x cold"))

    print_table(rows, "step", "seconds", "compared with")


if __name__ == "__main__":
    main()
