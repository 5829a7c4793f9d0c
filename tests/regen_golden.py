"""Rewrite the golden Markdown sheets in tests/golden from the shipped
knowledge base: run ``python tests/regen_golden.py`` after an intended change
to the sheets, and review the diff before committing it."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    os.environ["DERIVE_NO_CACHE"] = "1"
    from test_sheets import GOLDEN, render_golden

    GOLDEN.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for name, text in render_golden(Path(folder)).items():
            (GOLDEN / f"{name}.md").write_text(text, encoding="utf-8")
            print(f"wrote tests/golden/{name}.md")


if __name__ == "__main__":
    main()
