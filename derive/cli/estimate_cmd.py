"""``derive estimate``, ``derive list`` and ``derive build``."""

from __future__ import annotations

import click

from derive.cli.common import current_kb, guarded

# numpy holds a few arrays of this many draws per node of the estimate.
MAX_SAMPLES = 10_000_000


@click.command()
@click.argument("name")
@click.option("--explain", is_flag=True, help="Show the whole citation trail as a tree.")
@click.option("--scenario", metavar="NAME", help="Scenario to compute under (see derive list).")
@click.option("--set", "overrides", multiple=True, metavar="INPUT=VALUE",
              help="Override a claim, parameter or estimate for this run, in its own unit or "
              "with one: --set china-compute-growth='40 percent/year'. Repeatable.")
@click.option("--samples", type=click.IntRange(min=0, max=MAX_SAMPLES), default=10_000,
              show_default=True,
              help="Monte Carlo draws for inputs with ranges (0: exact value only; at most "
              "10,000,000, which needs about a gigabyte of memory).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Random seed, 0 or more: the same seed gives the same interval.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text",
              show_default=True)
@guarded
def estimate(name: str, explain: bool, scenario: str | None, overrides: tuple[str, ...],
             samples: int, seed: int, fmt: str) -> None:
    """Compute estimate NAME from the claims, with its 90% interval.

    \b
    Example:
      derive estimate china-ai-compute-2027 --scenario lax-cloud-controls --explain
      derive estimate frontier-training-compute-2027 --format json
      derive estimate china-ai-compute-2027 --set china-compute-growth='30 percent/year'
    """
    from derive.api import estimates as api

    report = api.estimate(current_kb(), name, scenario=scenario, samples=samples, seed=seed,
                          overrides=overrides)
    click.echo(api.render(report, fmt, explain=explain), nl=False)


@click.command(name="list")
@click.argument("kind", required=False,
                type=click.Choice(["estimates", "claims", "sources", "scenarios"]))
@guarded
def list_(kind: str | None) -> None:
    """List estimates, claims, sources and scenarios (or only KIND).

    \b
    Example:
      derive list estimates
    """
    from derive.api import estimates as api

    for line in api.listing(current_kb(), kind):
        click.echo(line)


@click.command()
@guarded
def build() -> None:
    """Compute every estimate under every scenario and write derived/estimates.ttl.

    The file holds each result with PROV-O provenance. Nothing under facts/ changes.
    """
    from derive.api.build import build as build_all

    kb = current_kb()
    target, outcomes = build_all(kb)
    done = sum(1 for o in outcomes if o.report is not None)
    click.echo(f"wrote {kb.display(target)}: {done} results")
    for outcome in outcomes:
        if outcome.error:
            click.echo(f"not computed: {outcome.error}", err=True)
