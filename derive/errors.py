"""Exceptions. Every failure a user can cause is a DeriveError with a message
that names the file, the claim or the input concerned and says what to fix.

The command line maps ``exit_code`` onto the process exit status: 1 for a
problem in the knowledge base or query, 2 for usage and load errors.
"""

from __future__ import annotations


class DeriveError(Exception):
    """Base class of every error derive reports to a user."""

    exit_code = 1


class LoadError(DeriveError):
    """A file of the knowledge base could not be read or parsed."""

    exit_code = 2

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.detail = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class KnowledgeBaseNotFound(DeriveError):
    """No knowledge base at the given or default location."""

    exit_code = 2


class OutputError(DeriveError):
    """A file the user asked for cannot be written (a folder that is a file,
    or that cannot be created or written)."""

    exit_code = 2


class UsageError(DeriveError):
    """The command was given arguments that cannot work."""

    exit_code = 2


class QueryError(DeriveError):
    """A SPARQL query is malformed or not allowed."""

    exit_code = 1


class UnknownName(DeriveError):
    """An estimate, claim, source or scenario name that does not exist."""

    exit_code = 1

    def __init__(self, kind: str, name: str, suggestions: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no {kind} named {name!r}.{hint}")


class ModelError(DeriveError):
    """An estimate cannot be computed: missing input, cycle, bad date."""

    exit_code = 1


class UnitMismatch(ModelError):
    """Two quantities whose dimensions do not fit."""


class QueryLimitError(QueryError):
    """A query stopped at a limit of time, rows or memory: not wrong, but too big
    to answer here. The server answers these with 503 or 504."""


class QueryTimeout(QueryLimitError):
    """A query ran past its time limit and was stopped."""


class QueryTooLarge(QueryLimitError):
    """A result larger than the row cap, or a query that needed more memory than allowed."""


class QueryBusy(QueryLimitError):
    """Every query worker stayed busy for longer than the time limit."""


class RemoteError(DeriveError):
    """A store or SPARQL endpoint could not be reached or refused a request;
    the message names the URL and the HTTP status."""

    exit_code = 2


def first_line(exc: BaseException) -> str:
    """The first line of ``exc``'s message (its class name if it has none), for
    an error said in one line."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
