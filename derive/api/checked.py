"""The compiled knowledge base as every front end computes with it: plans
that use a value ``derive validate`` rejects are withheld, each with the
line that says why, so no estimate, fact sheet, query or audit ever runs on
a value validation would refuse (a NaN, a second value from another file,
a share of 175%...). Problems that leave the values alone (a missing quote,
an unknown source) do not stop a computation: the validation reports them.
Validation is incremental and kept, so this costs a run only on the first
command after a change, and that run goes on in a forked child while this
process compiles (``derive.kb.forked``), unless it must validate a large
parse in full (``SHARED_PARSE``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from derive.engine.compiled import Compiled, is_cached, load, load_for_estimates
from derive.kb import forked
from derive.kb.locate import KnowledgeBase
from derive.validate import current_report, has_run, validate

if TYPE_CHECKING:
    from derive.kb.fragments import Sliced
    from derive.kb.store import LoadedGraph

# A violation concerns a value an estimate computes with when its path starts
# with one of these, or when it has no path (the shapes on a claim as a whole:
# a share out of range, a duration that is not positive, a unit the metric
# does not allow).
VALUE_PROPERTIES = frozenset({
    "dv:quantity", "dv:asOf", "dv:metric", "dv:targetDate", "dv:method", "dv:unit",
    "dv:input", "dv:binding", "dv:expression", "dv:isDefault", "dv:from", "dv:role",
    "dv:parameter", "qudt:value", "qudt:hasUnit", "schema:minValue", "schema:maxValue",
})


# The most triples a parse may hold for a full validation to run in a child
# beside the compiling. The child copies every page of the parse it touches,
# and a full validation touches them all: at 100,000 synthetic claims (1.7
# million triples) the first command peaked at 2.2 GB over both processes and
# took 92-113 s, against 1.6 GB and 102 s validating after compiling in one
# process. At 20,000 claims the child saves 2 s of 22, at 1,389 0.5 s of 3.
SHARED_PARSE = 1_000_000


def load_checked(kb: KnowledgeBase, *, light: bool = False,
                 parse: Callable[[], LoadedGraph] | None = None,
                 slices: Callable[[], Sliced | None] | None = None) -> Compiled:
    """``load(kb)`` with every plan that uses a rejected node withheld; with
    ``light``, the model trimmed to what an estimate's report reads (see
    ``Compiled.for_estimates``). ``parse`` gives the files' triple index, and
    ``slices`` their fragments (``kept_slices``), when the caller has them."""
    # After a change both compiling and validating read every file: one parse
    # serves both (it happens only if one of them misses its cache).
    parse = parse or functools.cache(lambda: parse_keeping(kb))
    # After a first run, each file's fragment is kept: only the changed
    # files are parsed (None: read whole, see derive.kb.fragments).
    slices = slices or functools.cache(lambda: kept_slices(kb))
    report, pending = current_report(kb), None
    # Both must read the files: read them once (a whole parse unless fragments
    # are kept), then validate in a forked child while this process compiles
    # (on two cores, side by side), unless the parse is large (SHARED_PARSE).
    if report is None and not is_cached(kb, light=light) and (
            slices() is not None or len(parse().graph) <= SHARED_PARSE):
        pending = forked.start(lambda: validate(kb, parse=parse, slices=slices))
    compiled = (load_for_estimates(kb, parse, slices) if light
                else load(kb, parse=parse, slices=slices))
    if pending is not None:
        report = pending.result()[1]
    if report is None:  # no child (or it failed): validate here
        report = validate(kb, parse=parse, slices=slices)
    rejected: dict[str, str] = {}
    for problem in report.problems:
        if problem.severity == "violation" and (
            not problem.path or problem.path.split("/")[0] in VALUE_PROPERTIES
        ):
            rejected.setdefault(problem.focus, problem.line())
    if rejected:
        compiled.withhold(rejected)
    return compiled


def parse_keeping(kb: KnowledgeBase) -> LoadedGraph:
    """Every file parsed, each file's fragment kept on the way (the next
    command after a change parses only the changed files)."""
    # the cache boundary: rdflib and pyoxigraph on a miss only
    from derive.kb import fragments, store

    keeper = fragments.Keeper(kb)
    data = store.load_index(kb, each=keeper.add)
    keeper.done()
    return data


def kept_slices(kb: KnowledgeBase) -> Sliced | None:
    """The files' fragments once a validation has run (the first run reads the
    files whole and keeps their fragments on the way)."""
    if not has_run(kb):
        return None
    from derive.kb import fragments  # the cache boundary, as above

    return fragments.load(kb)
