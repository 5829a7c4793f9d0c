"""What the commands share: settings, error handling and output helpers."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import click

from derive.errors import DeriveError

if TYPE_CHECKING:
    from derive.api.locate import KnowledgeBase

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Settings:
    kb_path: str | None
    _kb: KnowledgeBase | None = field(default=None, repr=False)

    @property
    def kb(self) -> KnowledgeBase:
        if self._kb is None:
            from derive.api.locate import locate

            self._kb = locate(self.kb_path)
        return self._kb


def current_kb() -> KnowledgeBase:
    """The knowledge base selected by the global ``--kb`` option."""
    obj: Settings = click.get_current_context().find_root().obj
    return obj.kb


class DeriveClickError(click.ClickException):
    """A derive error shown as ``Error: message`` with the error's exit code."""

    def __init__(self, exc: DeriveError) -> None:
        super().__init__(str(exc))
        self.exit_code = exc.exit_code


def guarded(func: F) -> F:
    """Decorator for command bodies: a DeriveError becomes one line on stderr
    and its exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DeriveError as exc:
            raise DeriveClickError(exc) from None

    return wrapper  # type: ignore[return-value]


def run_guarded(command: click.Command) -> int:
    """Run the command line as a program: no traceback reaches the user."""
    try:
        code = command.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except DeriveError as exc:
        click.echo(f"Error: {exc}", err=True)
        return exc.exit_code
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: say so briefly unless debugging
        if os.environ.get("DERIVE_DEBUG"):
            raise
        click.echo(
            f"Error: internal error ({type(exc).__name__}: {exc}). "
            "Set DERIVE_DEBUG=1 to see the traceback, and please report it.",
            err=True,
        )
        return 1
    return code if isinstance(code, int) else 0
