"""Speed report for estimates over data and the audit against the data: run
``nice python benchmarks/trends.py`` from the project folder after ``derive
import`` (the imported tables are what make these sizes realistic). Not a
test: timings depend on the machine. Each figure is set against a naive way of
doing the same in the same run.

- a log-linear trend (OLS and Theil-Sen) over every training-compute claim of the
  knowledge base, against a SPARQL query for the same rows plus numpy's polyfit;
- the frontier (top 10 at release) over every training-compute claim, against
  ranking each claim among all earlier ones one by one;
- the audit's search for the cut-off dates at which a premise held, against
  selecting the rows anew for every cut-off;
- ``derive audit --format json`` and ``derive estimate ... --explain`` on the
  whole knowledge base, cold (no cache) and warm.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import timed_command  # the benchmarks folder is on sys.path when run as a script

PROJECT = Path(__file__).resolve().parent.parent
TRAINING_COMPUTE = "https://w3id.org/derive/kb/metric/training-compute"


def median_time(function: Callable[[], Any], runs: int = 5) -> float:
    function()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, default=PROJECT)
    args = parser.parse_args()

    from derive.engine import aggregate, trends
    from derive.engine.compiled import load
    from derive.engine.selection import Selected, select
    from derive.kb import KnowledgeBase, store
    from derive.kb.model import Estimate, Selection

    kb = KnowledgeBase(args.kb.resolve())
    imported = sorted((args.kb / "facts" / "imported").glob("*.ttl"))
    if not imported:
        print("note: no facts/imported/*.ttl; run `derive import` first for realistic sizes")
    compiled = load(kb)
    model = compiled.model
    everything = Selection("urn:bench:all", "every training-compute claim", TRAINING_COMPUTE)
    frontier = dataclasses.replace(everything, iri="urn:bench:frontier", frontier=10)
    model.selections[everything.iri] = everything
    model.selections[frontier.iri] = frontier
    unit = "http://qudt.org/vocab/unit/MO"
    ols = Estimate("urn:bench:ols", "trend", "LogLinearTrend", (), unit,
                   selection=everything.iri)
    theil = dataclasses.replace(ols, iri="urn:bench:theil", method="TheilSenTrend")
    rows = len(aggregate.compute(model, ols).selected.points)
    rows_all = sum(1 for c in model.claims.values() if c.metric == TRAINING_COMPUTE)
    report: list[tuple[str, float, float | None]] = []

    ours = median_time(lambda: aggregate.compute(model, ols))
    graph = store.load(kb).graph
    query = """SELECT ?value ?date WHERE { ?c dv:metric metric:training-compute ;
        dv:quantity/qudt:value ?value ; dv:asOf ?date }"""

    def naive_trend() -> None:
        import numpy as np

        from derive.kb import dates

        xs, ys = [], []
        for value, date in graph.query(query, initNs=_namespaces()):
            if float(value) > 0:
                xs.append(dates.parse(str(date), str(date.datatype)).decimal_year)
                ys.append(np.log10(float(value)))
        np.polyfit(xs, ys, 1)

    naive = median_time(naive_trend, runs=3)
    report.append((f"OLS trend over {rows} claims (of {rows_all})", ours, naive))
    report.append(("Theil-Sen trend, same rows (no naive baseline)",
                   median_time(lambda: aggregate.compute(model, theil)), None))

    from derive.engine.selection import _frontier

    pool = [(c, c.as_of.decimal_year, c.value) for c in model.claims.values()
            if c.metric == TRAINING_COMPUTE and c.value is not None and c.as_of]
    ours = median_time(lambda: _frontier(pool, 10))

    def naive_frontier() -> None:
        [c for c, x, v in pool if sum(1 for _, x2, v2 in pool if x2 <= x and v2 > v) < 10]

    report.append((f"frontier (top 10 at release) of {len(pool)} claims", ours,
                   median_time(naive_frontier, runs=1)))
    from derive.audit import evidence
    from derive.audit.context import build

    context = build(compiled, graph)
    report.append(("the audit's evidence check alone (3 premises)",
                   median_time(lambda: evidence.check(context), runs=3), None))

    largest = Estimate("urn:bench:largest", "largest", "LargestValue", (),
                       "https://w3id.org/derive/unit/FLOP", selection=everything.iri)
    prepared = aggregate.Prepared(model, largest)
    all_rows = prepared.select(None)
    months = [2010 + m / 12 for m in range(16 * 12)]

    def sliced() -> None:
        index = 0
        for cut in months:
            while index < len(all_rows.points) and all_rows.points[index].x < cut:
                index += 1
            prepared.on(Selected(all_rows.selection, all_rows.points[:index]))

    def reselected() -> None:
        from derive.kb.model import DatedValue

        for cut in months:
            date = DatedValue("x", "month", cut - 1 / 24)
            prepared.on(select(model, everything, prepared.factor_of, date))

    report.append((f"cut-off search, {len(months)} month ends", median_time(sliced, runs=3),
                   median_time(reselected, runs=1)))
    del trends

    env = dict(os.environ)
    derive = [sys.executable, "-m", "derive", "--kb", str(kb.root)]
    cold = dict(env, DERIVE_NO_CACHE="1")
    audit_cmd = [*derive, "audit", "--format", "json"]
    subprocess.run(audit_cmd, cwd=PROJECT, env=env, capture_output=True, check=False)
    # check=False: the audit exits 1 when it finds errors
    report.append(("derive audit --format json (warm cache)",
                   timed_command(audit_cmd, 3, env, check=False),
                   timed_command(audit_cmd, 1, cold, check=False)))
    explain = [*derive, "estimate", "frontier-training-compute-2027", "--scenario",
               "epoch-data", "--explain"]
    report.append(("derive estimate ... --scenario epoch-data --explain (warm)",
                   timed_command(explain, 3, env, check=False),
                   timed_command(explain, 1, cold, check=False)))

    print(f"knowledge base: {kb.root} ({len(model.claims)} claims, "
          f"{len(imported)} imported files)")
    print(f"{'what':62} {'time':>9} {'naive':>9} {'ratio':>7}")
    for name, seconds, baseline in report:
        ratio = f"{baseline / seconds:6.1f}x" if baseline else ""
        base = f"{baseline:8.3f}s" if baseline else ""
        print(f"{name:62} {seconds:8.3f}s {base:>9} {ratio:>7}")
    print("naive: SPARQL + numpy.polyfit for the trend; pairwise ranking for the frontier; "
          "reselecting rows per cut-off; no cache (DERIVE_NO_CACHE=1) for the commands")


def _namespaces() -> dict[str, Any]:
    from rdflib import Namespace

    from derive.kb.namespaces import PREFIXES

    return {prefix: Namespace(iri) for prefix, iri in PREFIXES.items()}


if __name__ == "__main__":
    main()
