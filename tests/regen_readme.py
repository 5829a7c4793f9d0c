"""Rewrite the README's "What is rejected" table from the shapes and the
Python checks: run ``python tests/regen_readme.py`` after adding or changing
a constraint (and its example in tests/test_constraints.py), and review the
diff before committing it."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    from test_constraints import README, regenerate_readme

    regenerate_readme()
    print(f"wrote the constraint table of {README.name}")


if __name__ == "__main__":
    main()
