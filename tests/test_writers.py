"""One module writes each table, and the two faces (window, command line) hold no SQL at all.

Read from the source: every INSERT, UPDATE and DELETE statement names its table; a table written
from two modules is two places to keep in step (the bundle import once carried its own copy of the
rubric INSERT). The migrations in ``store/db.py`` are not writers of rows and are left out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRITE = re.compile(r"\b(?:INSERT(?:\s+OR\s+(?:IGNORE|REPLACE))?\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_]+)\b")
SQL = re.compile(r"\.execute(?:many)?\(|\b(?:SELECT|INSERT|UPDATE|DELETE)\s+[\w*]")
MIGRATIONS = ROOT / "inspector" / "store" / "db.py"


def writers() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for path in (ROOT / "inspector").rglob("*.py"):
        if path == MIGRATIONS or "cli" in path.relative_to(ROOT).parts:
            continue
        for table in WRITE.findall(path.read_text(encoding="utf-8")):
            if table not in ("or", "set"):
                found[table].add(str(path.relative_to(ROOT)))
    return found


def test_each_table_has_one_writer() -> None:
    shared = {t: sorted(m) for t, m in writers().items() if len(m) > 1}
    assert shared == {}


def test_the_faces_hold_no_sql() -> None:
    faces = [*(ROOT / "ui").rglob("*.py"), *(ROOT / "inspector" / "cli").rglob("*.py")]
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in faces
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SQL.search(line) and not line.lstrip().startswith("#")
    ]
    assert found == []


def test_the_checks_see_a_second_writer() -> None:
    """The checker itself: the INSERT a bundle import once repeated is seen as a write of rubrics."""
    text = 'conn.execute("INSERT INTO rubrics (id, version) VALUES (?, ?)", (a, b))'
    assert WRITE.findall(text) == ["rubrics"]
    assert SQL.search(text)
    assert "rubrics" in writers() and len(writers()["rubrics"]) == 1
