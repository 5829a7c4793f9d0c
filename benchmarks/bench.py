"""Speed report for derive: run ``python benchmarks/bench.py`` from the project
folder (with derive installed) and read the printed table. Not a test: timings
depend on the machine. Targets on a 2-core machine: --help < 0.15 s, a warm
``estimate --explain`` < 0.5 s, 100,000 draws through the whole DAG < 0.2 s.

``--scale N`` also builds a synthetic knowledge base of N claims and times
loading and compiling it (the cold path that the cache then skips).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def timed_command(args: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, cwd=PROJECT, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def derive_cmd() -> list[str]:
    beside = Path(sys.executable).with_name("derive")
    if beside.exists():
        return [str(beside)]
    exe = shutil.which("derive")
    return [exe] if exe else [sys.executable, "-m", "derive"]


def sampling_time(draws: int) -> tuple[float, int]:
    from derive.engine import compiled as api
    from derive.engine import evaluate as engine
    from derive.kb import KnowledgeBase

    compiled = api.load(KnowledgeBase(PROJECT))
    model = compiled.model
    deepest = max(
        (p for p in compiled.plans.values() if not isinstance(p, tuple)),
        key=lambda p: len(p.steps) + len(p.leaves),
    )
    engine.evaluate(deepest, samples=1000)  # warm numpy
    times = []
    for seed in range(5):
        start = time.perf_counter()
        engine.evaluate(deepest, samples=draws, seed=seed)
        times.append(time.perf_counter() - start)
    del model
    return statistics.median(times), len(deepest.steps) + len(deepest.leaves)


SYNTHETIC = """
claim:c{i} a dv:QuantitativeClaim ; rdfs:label "synthetic {i}"@en ; dv:about ent:china ;
    dv:metric metric:ai-supercomputer-performance ;
    dv:quantity [ a qudt:QuantityValue ; qudt:value {v}E18 ; qudt:hasUnit unit:FLOPS ] ;
    dv:asOf "2025"^^xsd:gYear ; prov:wasQuotedFrom src:ruiloba-portilla-2025 ;
    dv:quote [ a oa:SpecificResource ; oa:hasSource src:ruiloba-portilla-2025 ;
      oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "synthetic {i}" ] ] .
"""


def export_rendering() -> list[tuple[str, float, str]]:
    """Our JSON-LD and TriG against rdflib's own serializers of the same data
    (flat JSON-LD without a context; one TriG dataset): the cost of compacting,
    embedding and writing each nanopublication together."""
    from derive.api.graph_exports import full_graph, kb_version
    from derive.engine.compiled import load
    from derive.export import jsonld, nanopubs, rows
    from derive.kb import KnowledgeBase

    kb = KnowledgeBase(PROJECT)
    graph = full_graph(kb)
    model = load(kb).model

    def best(func: object) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            func()  # type: ignore[operator]
            times.append(time.perf_counter() - start)
        return min(times)

    table = rows.rows(graph)
    ours = best(lambda: jsonld.render(table))
    naive = best(lambda: graph.serialize(format="json-ld"))
    version = kb_version(kb)

    def make() -> list[nanopubs.Nanopub]:
        from rdflib import URIRef

        made = [nanopubs.claim_nanopub(graph, URIRef(c), version) for c in sorted(model.claims)]
        return made + [nanopubs.result_nanopub(graph, r, version)
                       for r in nanopubs.results_of(graph, model.estimates)]

    built = make()
    trig = best(lambda: nanopubs.render(make()))
    plain = best(lambda: nanopubs.dataset(built).serialize(format="trig"))
    return [
        (f"JSON-LD of {len(graph)} triples (rdflib's flat JSON-LD {naive:.3f} s)", ours,
         f"{ours / naive:.1f}x rdflib"),
        (f"{len(built)} nanopublications as TriG (rdflib's TriG {plain:.3f} s)", trig,
         f"{trig / plain:.1f}x rdflib"),
    ]


def scale(n: int) -> list[tuple[str, float]]:
    from derive.engine import compiled as api
    from derive.kb import KnowledgeBase, store

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        shutil.copytree(PROJECT / "ontology", root / "ontology")
        shutil.copytree(PROJECT / "facts", root / "facts")
        prologue = (PROJECT / "tests" / "conftest.py").read_text().split('PROLOGUE = """\\\n')[1]
        prologue = prologue.split('"""')[0]
        body = "".join(SYNTHETIC.format(i=i, v=i % 97 + 1) for i in range(n))
        (root / "facts" / "synthetic.ttl").write_text(prologue + body, encoding="utf-8")
        kb = KnowledgeBase(root)
        start = time.perf_counter()
        loaded = store.load(kb)
        rows.append((f"parse {n:,} synthetic claims ({len(loaded.graph):,} triples)",
                     time.perf_counter() - start))
        start = time.perf_counter()
        api.compile_kb(kb)
        rows.append(("parse + extract + plan (cold compile)", time.perf_counter() - start))
    return rows


def attribution_time(runs: int = 10) -> tuple[float, float]:
    """The attribution check over the shipped essay: each text's sentences read
    once (as shipped) against a naive baseline that re-reads them for every claim."""
    from derive.audit import attribution, attribution_search, passages
    from derive.audit.context import build
    from derive.engine import compiled as api
    from derive.kb import KnowledgeBase, store

    kb = KnowledgeBase(PROJECT)
    context = build(api.load(kb), store.load(kb).graph)

    def median(check: object) -> float:
        times = []
        for _ in range(runs):
            passages.sentences.cache_clear()
            start = time.perf_counter()
            attribution.check(context)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    shipped = median(attribution.check)
    attribution_search.sentences = passages.sentences.__wrapped__  # type: ignore[assignment]
    try:
        naive = median(attribution.check)
    finally:
        attribution_search.sentences = passages.sentences  # type: ignore[assignment]
    return shipped, naive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", type=int, default=0, help="synthetic claims to add")
    options = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="derive-bench-cache-")
    env = dict(os.environ, DERIVE_CACHE_DIR=cache)
    cmd = derive_cmd()
    explain = [*cmd, "estimate", "frontier-training-compute-2027", "--explain"]
    rows: list[tuple[str, float, str]] = []
    rows.append(("derive --help", timed_command([*cmd, "--help"], options.runs, env), "< 0.15 s"))
    shutil.rmtree(cache)
    rows.append(("estimate --explain, cold (no cache)", timed_command(explain, 1, env), ""))
    rows.append(("estimate --explain, warm", timed_command(explain, options.runs, env),
                 "< 0.5 s"))
    lax = [*cmd, "estimate", "china-ai-compute-2027", "--scenario", "lax-cloud-controls",
           "--explain"]
    rows.append(("estimate china-ai-compute-2027 --explain, warm",
                 timed_command(lax, options.runs, env), "< 0.5 s"))
    rows.append(("derive validate --full", timed_command([*cmd, "validate", "--full"], 1, env),
                 ""))
    rows.append(("derive validate, nothing changed", timed_command([*cmd, "validate"],
                                                                   options.runs, env), "< 1 s"))
    query = [*cmd, "query", "--name", "claims-about-china"]
    rows.append(("derive query --name claims-about-china, cold", timed_command(query, 1, env),
                 ""))
    rows.append(("derive query --name claims-about-china, warm",
                 timed_command(query, options.runs, env), "< 1 s"))
    audit = [*cmd, "audit", "--kind", "attribution"]
    rows.append(("derive audit --kind attribution, warm", timed_command(audit, options.runs, env),
                 "< 1 s"))
    for fmt in ("jsonld", "nanopub", "bibtex", "csl-json", "csv"):
        rows.append((f"derive export {fmt}, warm",
                     timed_command([*cmd, "export", fmt], options.runs, env), "< 1 s"))
    os.environ["DERIVE_CACHE_DIR"] = cache
    shipped, naive = attribution_time()
    rows.append(("attribution check, sentences read once per text", shipped, ""))
    rows.append((f"  naive: re-read per claim ({naive / shipped:.1f}x slower)", naive, ""))
    rows += export_rendering()
    seconds, nodes = sampling_time(100_000)
    rows.append((f"100,000 draws through the DAG ({nodes} nodes)", seconds, "< 0.2 s"))
    if options.scale:
        rows += [(name, secs, "") for name, secs in scale(options.scale)]
    shutil.rmtree(cache, ignore_errors=True)
    width = max(len(name) for name, _, _ in rows)
    print(f"{'step':<{width}}  {'seconds':>8}  target")
    for name, secs, target in rows:
        print(f"{name:<{width}}  {secs:8.3f}  {target}")


if __name__ == "__main__":
    main()
