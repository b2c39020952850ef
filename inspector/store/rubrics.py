"""Rubrics in the database: the shipped forms installed on first use, imports, look-ups.

A rubric is stored as its canonical TOML text under (id, version) with its content hash. The same
content imported again changes nothing; different content under an existing (id, version) is
refused: an edited rubric must be a new version, because evaluations pin the version they used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from inspector import __version__
from inspector.errors import NotFoundError, RubricError, StoreError
from inspector.i18n import _
from inspector.paths import rubrics_dir
from inspector.rubric.model import Rubric
from inspector.rubric.points import fmt
from inspector.rubric.toml_form import dump_rubric_toml, load_rubric_file, parse_rubric_text
from inspector.store.db import transaction
from inspector.store.meta import read_meta, write_meta

if TYPE_CHECKING:
    import sqlite_utils

_BUILTIN_KEY = "builtin_rubrics_installed_by"


@dataclass(frozen=True)
class ImportResult:
    rubric: Rubric
    added: bool


def builtin_rubric_files() -> list[Path]:
    return sorted(rubrics_dir().glob("*.toml"))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def store_rubric(db: sqlite_utils.Database, rubric: Rubric, origin: str) -> ImportResult:
    """Store one rubric; idempotent for identical content, refused for a changed one."""
    with transaction(db) as conn:
        row = conn.execute(
            "SELECT hash FROM rubrics WHERE id = ? AND version = ?", (rubric.id, rubric.version)
        ).fetchone()
        if row is not None:
            if row[0] == rubric.content_hash:
                return ImportResult(rubric, added=False)
            raise RubricError(
                _("评估表 {id} 第 {v} 版已存在且内容不同：修改过的评估表须提高版本号（version）").format(
                    id=rubric.id, v=rubric.version
                ),
                origin,
            )
        insert_rubric(conn, rubric, origin)
    return ImportResult(rubric, added=True)


def insert_rubric(conn: sqlite3.Connection, rubric: Rubric, origin: str) -> None:
    """The one INSERT into ``rubrics``, inside the caller's transaction (a bundle's import stores the
    rubrics it carries in the same transaction as the changes that need them)."""
    conn.execute(
        "INSERT INTO rubrics (id, version, hash, title, max_points, bonus_points, items, toml,"
        " origin, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            rubric.id,
            rubric.version,
            rubric.content_hash,
            rubric.title,
            fmt(rubric.max_points),
            fmt(rubric.bonus_points),
            sum(1 for _i in rubric.items()),
            dump_rubric_toml(rubric),
            origin,
            _now(),
        ),
    )


def install_builtin_rubrics(db: sqlite_utils.Database, *, force: bool = False) -> int:
    """Install the shipped rubric files once per product version; returns how many were added."""
    conn = db.conn
    # The product version and the shipped files' content: a form version added to rubrics/ (the
    # Chongqing fixes ship as version 2) is installed into folders made by the same product version.
    files = builtin_rubric_files()
    digest = hashlib.sha256(b"".join(hashlib.sha256(p.read_bytes()).digest() for p in files)).hexdigest()
    stamp = f"{__version__} {digest[:16]}"
    if read_meta(conn, _BUILTIN_KEY) == stamp and not force:
        return 0
    added = 0
    for path in files:
        added += store_rubric(db, load_rubric_file(path), f"builtin:{path.name}").added
    with transaction(db) as c:
        write_meta(c, _BUILTIN_KEY, stamp)
    return added


@lru_cache(maxsize=64)
def _parse_stored(toml: str, name: str) -> Rubric:
    return parse_rubric_text(toml, name)


# Published: shipped with the program, imported in this folder, or brought by the centre's assignment
# bundle. A version that came with a results bundle (before rule 4 refused them) is never current.
_PUBLISHED = (
    "(origin NOT LIKE 'bundle:%' OR substr(origin, 8) IN"
    " (SELECT id FROM bundles WHERE direction = 'import' AND kind = 'assignment'))"
)


def get_rubric(db: sqlite_utils.Database, rubric_id: str, version: int | None = None) -> Rubric:
    """A stored rubric: the given version, or the current one: the highest *published* version
    (never merely the highest number seen: docs/bundle-format.md, who may change what, rule 4)."""
    if version is None:
        row = db.conn.execute(
            f"SELECT toml, version FROM rubrics WHERE id = ? AND {_PUBLISHED} ORDER BY version DESC LIMIT 1",
            (rubric_id,),
        ).fetchone()
    else:
        row = db.conn.execute(
            "SELECT toml, version FROM rubrics WHERE id = ? AND version = ?", (rubric_id, version)
        ).fetchone()
    if row is None:
        known = ", ".join(r[0] for r in db.conn.execute("SELECT DISTINCT id FROM rubrics ORDER BY id"))
        what = rubric_id if version is None else f"{rubric_id} v{version}"
        raise NotFoundError(_("没有这个评估表；已有：{known}").format(known=known or "—"), what)
    return _parse_stored(row[0], f"{rubric_id} v{row[1]}")


class PinnedRubrics:
    """Rubric versions as evaluations pin them, looked up once per (id, version) and hash-checked.

    A stored version never changes (``store_rubric`` refuses a changed one), so the memo never goes
    stale. Reads only: building one writes nothing (a refused bundle must not give the folder a
    device id)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._memo: dict[tuple[str, int], Rubric] = {}

    def __call__(self, rubric_id: str, version: int, digest: str | None = None) -> Rubric:
        key = (rubric_id, int(version))
        rubric = self._memo.get(key)
        if rubric is None:
            rubric = self._memo[key] = get_rubric(self.db, rubric_id, int(version))
        if digest is not None and rubric.content_hash != digest:
            raise StoreError(
                _("评估表 {id} 第{v}版的内容与评估所用版本不一致").format(id=rubric_id, v=version), rubric_id
            )
        return rubric


def list_rubrics(db: sqlite_utils.Database) -> list[Rubric]:
    rows = db.conn.execute("SELECT toml, id, version FROM rubrics ORDER BY id, version").fetchall()
    return [_parse_stored(t, f"{i} v{v}") for t, i, v in rows]
