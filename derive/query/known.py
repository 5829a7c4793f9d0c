"""Query texts that ``derive.query.safety`` has already accepted, remembered in
the cache folder, so that a command running a query it ran before neither
imports rdflib's SPARQL parser nor parses the text again (together a tenth of
a second, a fifth of a warm group-by over 100,000 claims).

Only acceptances are remembered, under a digest of the text and derive's
code (a new version checks every text again), and only the last ``KEPT``; a
refused text is parsed again to say why. The memo sits beside the compiled
knowledge base in the cache folder, which is trusted as much (a pickled model
there runs code when read)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from derive.kb import cache

NAME = "safe-queries"
KEPT = 1000


@dataclass(frozen=True)
class SafeText:
    """A query text ``safety.parse`` accepted."""

    text: str


def safe(text: str) -> SafeText:
    """``text``, once known to pass ``safety.parse`` (which raises ``QueryError``
    for what it refuses)."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    known = cache.read_shared(NAME)
    if not isinstance(known, dict):
        known = {}
    if digest in known:
        return SafeText(text)
    from derive.query.safety import parse  # rdflib's SPARQL parser: only on a miss

    parse(text)
    known[digest] = None
    for old in list(known)[:-KEPT]:
        del known[old]
    cache.write_shared(NAME, known)
    return SafeText(text)
