"""``derive serve``: the click command, registered in the command line's table
(``derive.cli.COMMANDS``) by name, since the command line may not import a
sibling front end. It opens the knowledge base first, so that a broken one is
an error and exit code 2 before anything listens, then binds the socket
itself (``--port 0`` picks a free port, printed) and runs uvicorn on it."""

from __future__ import annotations

import copy
import ipaddress
import socket
import sys
from typing import TYPE_CHECKING, Any

import click

from derive.errors import DeriveError, UsageError

if TYPE_CHECKING:
    from derive.api.locate import KnowledgeBase

DEFAULT_PORT = 8000


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only this machine can connect unless you "
                   "give another address (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT,
              show_default=True, help="Port to listen on (0: any free port, printed).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=10.0,
              show_default=True, metavar="SECONDS",
              help="Stop a query after this many seconds (HTTP 504).")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              metavar="N", help="Refuse a result of more than N rows or triples (HTTP 503).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              metavar="N", help="Query worker processes (each holds the graph).")
@click.option("--max-request-bytes", type=click.IntRange(min=1024), default=1_048_576,
              show_default=True, metavar="BYTES",
              help="Largest query string or request body accepted (HTTP 414/413).")
@click.option("--no-reload", is_flag=True, help="Do not watch the knowledge base's files.")
@click.option("--quiet", is_flag=True, help="No access log on standard error.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, timeout: float, max_rows: int,
          workers: int, max_request_bytes: int, no_reload: bool, quiet: bool) -> None:
    """Serve the knowledge base over HTTP until interrupted.

    \b
    /sparql                  SPARQL 1.1 Protocol (GET, POST), read-only
    /                        the fact sheets (index, estimates, entities, sources)
    /estimates/NAME.json     an estimate (?scenario=S&set=PARAM=VALUE&samples=N&seed=N)
    /estimates.json          the estimates and scenarios
    /status                  what is loaded, and the limits

    The server reloads when files under facts/, ontology/ or templates/
    change; requests in flight finish on the state they started with.
    """
    try:
        _serve(ctx.find_root().obj.kb, host, port, timeout, max_rows, workers,
               max_request_bytes, no_reload, quiet)
    except DeriveError as exc:
        error = click.ClickException(str(exc))
        error.exit_code = exc.exit_code
        raise error from None


def _logging() -> dict[str, Any]:
    """uvicorn's logging with the access log on standard error, as ``--quiet``
    promises: standard output carries only the banner, so a caller reading the
    port from a pipe it then stops reading can never block the server."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    return config


def _serve(kb: KnowledgeBase, host: str, port: int, timeout: float, max_rows: int,
           workers: int, max_request_bytes: int, no_reload: bool, quiet: bool) -> None:
    import uvicorn

    from derive.api.queries import Limits
    from derive.serve.app import create_app
    from derive.serve.state import Live, Settings

    settings = Settings(kb, workers, Limits(seconds=timeout, rows=max_rows), max_request_bytes,
                        reload=not no_reload)
    sock = _bind(host, port)
    state = Live(settings)
    try:
        state.open()
    except BaseException:
        sock.close()
        raise
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    click.echo(f"derive serve: http://{shown}:{bound_port}/ (SPARQL endpoint "
               f"http://{shown}:{bound_port}/sparql), knowledge base {kb.root}; "
               "Ctrl-C stops")
    if not _is_loopback(host):
        click.echo(f"warning: listening on {host}: other machines can read the knowledge "
                   "base and run (bounded, read-only) queries", err=True)
    sys.stdout.flush()
    config = uvicorn.Config(create_app(state), log_level="warning" if quiet else "info",
                            log_config=_logging(), access_log=not quiet,
                            timeout_graceful_shutdown=30,
                            h11_max_incomplete_event_size=max_request_bytes + 16_384)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        state.close()
        sock.close()


def _bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"--host {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    # With its protocol given (IPPROTO_TCP), asyncio turns Nagle's algorithm off on
    # accepted connections; without it every response waits ~40 ms for an ACK.
    sock = socket.socket(family, kind, proto or socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}; choose another "
                         "--port (0 picks a free one)") from None
    sock.set_inheritable(True)
    return sock


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
