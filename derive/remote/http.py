"""The HTTP client (httpx) publish and remote queries share: headers given by
the user, a netrc entry for the host, timeouts, and errors that name the URL
and the status."""

from __future__ import annotations

import netrc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from derive import __version__
from derive.errors import RemoteError, UsageError

USER_AGENT = f"derive/{__version__}"


def parse_headers(lines: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``Name: value`` lines (as curl's -H takes them) as a dict."""
    headers = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or any(c.isspace() for c in name.strip()):
            raise UsageError(f"--header {line!r}: write 'Name: value', e.g. "
                             "'Authorization: Bearer TOKEN'")
        headers[name.strip()] = value.strip()
    return headers


def netrc_auth(url: str, path: Path | None) -> httpx.BasicAuth | None:
    """Basic authentication from the netrc entry for ``url``'s host, if any
    (``path``, else $NETRC, else ~/.netrc when it exists)."""
    explicit = path is not None
    if path is None:
        path = Path(os.environ.get("NETRC") or Path.home() / ".netrc")
        if not path.is_file():
            return None
    host = urlsplit(url).hostname or ""
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except FileNotFoundError:
        if explicit:
            raise UsageError(f"--netrc-file {path}: no such file") from None
        return None
    except (netrc.NetrcParseError, OSError) as exc:
        raise UsageError(f"{path}: cannot read netrc file: {exc}") from None
    if entry is None:
        return None
    login, _, password = entry
    return httpx.BasicAuth(login or "", password or "")


@contextmanager
def client(url: str, headers: dict[str, str], netrc_file: Path | None,
           timeout: float | None) -> Iterator[httpx.Client]:
    """An httpx client for ``url`` with the user's headers or netrc credentials."""
    scheme = urlsplit(url).scheme
    if scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise UsageError(f"{url}: give an http:// or https:// URL")
    has_auth = any(name.lower() == "authorization" for name in headers)
    auth = None if has_auth else netrc_auth(url, netrc_file)
    with httpx.Client(headers={"User-Agent": USER_AGENT, **headers}, auth=auth,
                      timeout=httpx.Timeout(timeout, connect=min(timeout or 10.0, 10.0)),
                      follow_redirects=True) as http:
        yield http


def failed(method: str, url: str, response: httpx.Response, body: str | None = None
           ) -> RemoteError:
    """The error for a refused request: method, URL, status and the body's
    first line (``body``, when the caller streamed the response and read it)."""
    reason = response.reason_phrase or ""
    if body is None:
        body = first_line_of(response.text)
    detail = f": {body}" if body else ""
    return RemoteError(f"{method} {url}: HTTP {response.status_code} {reason}".rstrip()
                       + detail)


def unreachable(method: str, url: str, exc: httpx.HTTPError) -> RemoteError:
    text = str(exc) or type(exc).__name__
    return RemoteError(f"{method} {url}: cannot reach the server ({text})")


def first_line_of(body: str) -> str:
    """The first line of a response body, at most 300 characters, to quote in an error."""
    text = body.strip()
    return text.splitlines()[0][:300] if text else ""
