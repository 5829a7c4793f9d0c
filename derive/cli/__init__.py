"""The ``derive`` command line: click commands only, each calling one library
function and rendering what it returns. Heavy modules (rdflib, pyshacl,
numpy, networkx) are imported inside the commands, so ``derive --help``
starts in a blink.

Exit codes: 0 fine; 1 the knowledge base or query has problems; 2 usage or
load errors.
"""

from __future__ import annotations

import gc
import os
import sys

import click

from derive import __version__
from derive.cli.common import Settings, run_guarded

COMMANDS = {
    "validate": "derive.cli.validate_cmd:validate",
    "query": "derive.cli.query_cmd:query",
    "list": "derive.cli.estimate_cmd:list_",
    "estimate": "derive.cli.estimate_cmd:estimate",
    "build": "derive.cli.estimate_cmd:build",
    "audit": "derive.cli.audit_cmd:audit",
    "sheet": "derive.cli.sheet_cmd:sheet",
    "export": "derive.cli.export_cmd:export",
    "sources": "derive.cli.sources_cmd:sources",
    "publish": "derive.cli.publish_cmd:publish",
    # The server is a front end of its own, beside this one: its command lives there.
    "serve": "derive.serve.command:serve",
    "import": "derive.cli.import_cmd:import_",
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._find(name) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._find(cmd_name)

    def _find(self, name: str) -> click.Command | None:
        import importlib

        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # command not built yet
                return None
            raise
        command: click.Command = getattr(module, attr)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--kb",
    "kb_path",
    type=click.Path(file_okay=False),
    default=None,
    help="Knowledge base folder (with facts/ and ontology/). Default: the current folder "
    "if it has facts/, else the knowledge base shipped with derive.",
)
@click.version_option(__version__, prog_name="derive")
@click.pass_context
def cli(ctx: click.Context, kb_path: str | None) -> None:
    """A sourced knowledge graph for compute-policy estimates.

    Every figure carries its source, every estimate its derivation.

    \b
    Exit codes: 0 fine, 1 the knowledge base or query has problems,
    2 usage or load errors.
    """
    ctx.obj = Settings(kb_path)


def main() -> None:
    # numpy's OpenBLAS would start a thread per core on import; derive's arrays
    # are vectors, not matrices, and a process with one thread may fork safely
    # (a query's bounded child, validating beside compiling after a change).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # A command holds millions of long-lived objects (parsed triples, the
    # fragments of a large knowledge base); at the default thresholds the
    # collector scans them all again and again: a one-claim revalidation at
    # 100,000 claims spent 0.35 s of its 2.3 s in it. Cycles are still
    # collected, a hundred times less often.
    gc.set_threshold(100_000, 50, 100)
    sys.exit(run_guarded(cli))
