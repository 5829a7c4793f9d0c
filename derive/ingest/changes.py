"""What a re-import changes: the claims added, changed and removed against
the file it replaces, read from the blocks ``turtle`` writes (one per subject,
separated by a blank line). A claim whose only change is its row number (rows
inserted above it) counts as moved, not changed."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ROW = re.compile(r'rdf:value "row=\d+"|bibo:locator "row \d+, ')


@dataclass(frozen=True)
class Changes:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    moved: int = 0
    first_import: bool = True


def claim_blocks(text: str) -> dict[str, str]:
    blocks: dict[str, str] = {}
    for block in text.split("\n\n"):
        head, _, _ = block.partition(" ")
        if head.startswith("claim:") and " a dv:QuantitativeClaim" in block.split("\n", 1)[0]:
            blocks[head] = block
    return blocks


def compare(old: str | None, new: str) -> Changes:
    if old is None:
        return Changes(added=tuple(sorted(claim_blocks(new))), first_import=True)
    before, after = claim_blocks(old), claim_blocks(new)
    changed, moved = [], 0
    for key in sorted(before.keys() & after.keys()):
        if before[key] == after[key]:
            continue
        if _ROW.sub("", before[key]) == _ROW.sub("", after[key]):
            moved += 1
        else:
            changed.append(key)
    return Changes(
        added=tuple(sorted(after.keys() - before.keys())), changed=tuple(changed),
        removed=tuple(sorted(before.keys() - after.keys())), moved=moved, first_import=False,
    )
