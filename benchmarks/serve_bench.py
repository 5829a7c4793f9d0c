"""Concurrency report for ``derive serve``: run ``python benchmarks/serve_bench.py``
from the project folder (with derive installed) and read the printed tables.
Not a test: timings depend on the machine.

It starts ``derive serve`` on a free loopback port (127.0.0.1 only), then:

1. one client, one request at a time (the latency floor);
2. 16 concurrent clients (threads, each with its own keep-alive connection),
   each sending a bounded number of requests: a mix of SPARQL queries (the
   shipped ones, in JSON, CSV and XML), fact-sheet pages and estimate JSON;
3. the same 16 clients while a runaway query (a three-way cartesian product)
   is being stopped at the time limit;
4. the naive baseline in the same run: each shipped query as its own
   ``derive query`` process, as a script would do without a server.

Latency percentiles are per request kind; every loop is bounded in count.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx
from bench import derive_cmd  # the benchmarks folder is on sys.path when run as a script

PROJECT = Path(__file__).resolve().parent.parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PAGES = ["/", "/estimate-frontier-training-compute-2027.html", "/entity-china.html",
         "/source-pilz-2025.html", "/estimate-china-ai-compute-2027.html"]
ESTIMATES = ["/estimates/frontier-training-compute-2027.json",
             "/estimates/china-ai-compute-2027.json?scenario=lax-cloud-controls",
             "/estimates/china-ai-compute-2027.json?set=china-compute-growth=30%20percent/year"]


def shipped_queries() -> dict[str, str]:
    files = sorted((PROJECT / "queries").glob("*.rq"))
    return {p.stem: p.read_text(encoding="utf-8") for p in files}


def requests_mix(count: int, seed: int) -> list[tuple[str, str, dict[str, str]]]:
    """``count`` requests (kind, path, params): 50% queries (half of them made
    unique by a comment, so the server cannot answer them from memory), 30%
    pages, 20% estimates."""
    rng = random.Random(seed)
    queries = list(shipped_queries().values())
    out = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.5:
            fmt = rng.choice(["json", "csv", "xml"])
            text = rng.choice(queries)
            if rng.random() < 0.5:
                out.append(("query-new", "/sparql",
                            {"query": f"{text}\n# {rng.random()}", "format": fmt}))
            else:
                out.append(("query", "/sparql", {"query": text, "format": fmt}))
        elif roll < 0.8:
            out.append(("page", rng.choice(PAGES), {}))
        else:
            out.append(("estimate", rng.choice(ESTIMATES), {}))
    return out


def run_clients(url: str, clients: int, per_client: int, seed: int
                ) -> tuple[dict[str, list[float]], int, float]:
    """Latencies by kind, the number of failed requests, and the wall time."""
    latencies: dict[str, list[float]] = {}
    failures = 0
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        nonlocal failures
        mix = requests_mix(per_client, seed * 1000 + index)
        with httpx.Client(base_url=url, timeout=60) as http:
            barrier.wait()
            for kind, path, params in mix:
                start = time.perf_counter()
                response = http.get(path, params=params or None)
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.setdefault(kind, []).append(elapsed)
                    if response.status_code != 200:
                        failures += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return latencies, failures, time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def report(title: str, latencies: dict[str, list[float]], failures: int, wall: float) -> None:
    total = sum(len(v) for v in latencies.values())
    print(f"\n{title}: {total} requests in {wall:.2f} s = {total / wall:.0f} requests/s, "
          f"{failures} not 200")
    print(f"  {'kind':<10}{'n':>6}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    everything = [x for values in latencies.values() for x in values]
    for kind, values in [*sorted(latencies.items()), ("all", everything)]:
        print(f"  {kind:<10}{len(values):>6}"
              + "".join(f"{percentile(values, q) * 1000:>10.1f}" for q in (50, 90, 99))
              + f"{max(values) * 1000:>10.1f}")


def start_server(cache: Path, timeout: float) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "DERIVE_CACHE_DIR": str(cache)}
    command = [*derive_cmd(), "--kb", str(PROJECT), "serve", "--host", "127.0.0.1",
               "--port", "0", "--quiet", "--timeout", str(timeout)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env)
    assert process.stdout is not None
    banner = process.stdout.readline()
    if not banner.startswith("derive serve: http://127.0.0.1:"):
        process.kill()
        raise SystemExit(f"derive serve did not start: {banner!r}")
    return process, banner.split()[2].rstrip("/")


def naive_baseline(cache: Path, runs: int) -> list[float]:
    """Each shipped query as its own ``derive query`` process (warm cache)."""
    env = {**os.environ, "DERIVE_CACHE_DIR": str(cache)}
    times = []
    names = list(shipped_queries())
    for i in range(runs):
        start = time.perf_counter()
        subprocess.run([*derive_cmd(), "--kb", str(PROJECT), "query", "--name",
                        names[i % len(names)], "--format", "json"],
                       env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=40, help="per client")
    parser.add_argument("--timeout", type=float, default=3.0, help="the server's time limit")
    args = parser.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="derive-serve-bench-"))
    process, url = start_server(cache, args.timeout)
    try:
        print(f"derive serve at {url} (2 query workers, time limit {args.timeout:g} s); "
              f"{args.clients} clients x {args.requests} requests; "
              "mix: 25% SPARQL repeated (query), 25% SPARQL never seen (query-new), "
              "30% pages, 20% estimate JSON")
        run_clients(url, 2, 10, seed=99)  # warm every page and worker
        single = run_clients(url, 1, args.requests, seed=1)
        report("1 client, sequential", *single)
        many = run_clients(url, args.clients, args.requests, seed=2)
        report(f"{args.clients} concurrent clients", *many)

        runaway_status: list[int] = []

        def runaway() -> None:
            with httpx.Client(timeout=60) as http:
                runaway_status.append(
                    http.post(f"{url}/sparql", data={"query": RUNAWAY}).status_code)

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.2)
        during = run_clients(url, args.clients, args.requests, seed=3)
        thread.join()
        report(f"{args.clients} concurrent clients while a runaway query runs "
               f"(it got HTTP {runaway_status[0] if runaway_status else '?'})", *during)

        naive = naive_baseline(cache, 10)
        served = many[0]["query"] + many[0]["query-new"]
        print(f"\nnaive baseline: one `derive query` process per query: "
              f"median {statistics.median(naive) * 1000:.0f} ms")
        print(f"served, under {args.clients} concurrent clients: median query "
              f"{statistics.median(served) * 1000:.1f} ms "
              f"({statistics.median(naive) / statistics.median(served):.0f}x faster); "
              f"throughput {len(served) / many[2]:.0f} queries/s vs "
              f"{1 / statistics.median(naive):.1f}/s")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
