"""The shipped rulebooks, a centre's own, and the one a plan names.

Shipped rulebooks are read from ``rulebooks/`` (inspector.paths.rulebooks_dir; the frozen build
carries the folder). A centre adds its own file (``inspector rulebook add``): it may be
``based_on`` shipped ones and add or replace rules; it is stored resolved. Every rulebook a plan
names is stored in the ``rulebooks`` table by the hash of its resolved content, so a draw record's
hash always finds the rules it was drawn under, even after a program update changes a shipped file.
"""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from inspector.centre.dispatch import DrawRules
from inspector.centre.rulebook import Rulebook, rulebook_from_json
from inspector.centre.rulebook_toml import RulebookError, load_rulebook_file, parse_rulebook_text, read_text
from inspector.clock import now
from inspector.errors import NotFoundError, UsageError
from inspector.i18n import _
from inspector.paths import rulebooks_dir
from inspector.store.changes import loads
from inspector.store.db import transaction
from inspector.store.evaluations import default_author

if TYPE_CHECKING:
    import sqlite_utils


@functools.cache
def _shipped(folder: Path) -> dict[str, Rulebook]:
    files = {p.stem: p for p in sorted(folder.glob("*.toml"))}
    done: dict[str, Rulebook] = {}

    def resolve(rid: str, seen: tuple[str, ...] = ()) -> Rulebook:
        if rid in done:
            return done[rid]
        if rid in seen or rid not in files:
            raise RulebookError(_("based_on 指向不存在或循环引用的规则册：{id}").format(id=rid), rid)
        rb = load_rulebook_file(files[rid], lambda other: resolve(other, (*seen, rid)))
        if rb.id != rid:
            raise RulebookError(_("规则册 id {id} 与文件名不符").format(id=rb.id), str(files[rid]))
        done[rid] = rb
        return rb

    for rid in files:
        resolve(rid)
    return done


def shipped_rulebooks() -> dict[str, Rulebook]:
    """Every rulebook the program ships, by id (read once per process)."""
    return _shipped(rulebooks_dir())


def _stored(conn: sqlite3.Connection, where: str, args: tuple[str, ...]) -> list[tuple[str, str, Rulebook]]:
    rows = conn.execute(
        "SELECT hash, origin, content FROM rulebooks WHERE " + where + " ORDER BY added_at, rowid", args
    )
    return [(r[0], r[1], rulebook_from_json(loads(r[2]))) for r in rows]


def _resolver(db: sqlite_utils.Database | None) -> dict[str, Rulebook]:
    known = dict(shipped_rulebooks())
    if db is not None:
        for _hash, _origin, rb in _stored(db.conn, "origin = 'centre'", ()):
            known[rb.id] = rb  # the latest added of an id wins
    return known


def validate_file(path: Path, db: sqlite_utils.Database | None = None) -> Rulebook:
    """A rulebook file checked (file and line on any problem), ``based_on`` resolved."""
    known = _resolver(db)

    def resolve(rid: str) -> Rulebook:
        if rid not in known:
            raise RulebookError(_("based_on 指向不存在的规则册：{id}").format(id=rid), str(path))
        return known[rid]

    return parse_rulebook_text(read_text(path), str(path), resolve)


def _store(conn: sqlite3.Connection, rb: Rulebook, origin: str, source: str | None, by: str) -> str:
    h = rb.content_hash
    conn.execute(
        "INSERT OR IGNORE INTO rulebooks (hash, id, title, origin, content, source, added_at, added_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (h, rb.id, rb.title, origin, rb.content(), source, now(), by),
    )
    return h


def add_rulebook(db: sqlite_utils.Database, path: Path, by: str | None = None) -> Rulebook:
    """Store a centre's own rulebook (composed from shipped ones plus local rules)."""
    return add_rulebook_text(db, read_text(path), str(path), by)


def add_rulebook_text(db: sqlite_utils.Database, text: str, name: str, by: str | None = None) -> Rulebook:
    known = _resolver(db)

    def resolve(rid: str) -> Rulebook:
        if rid not in known:
            raise RulebookError(_("based_on 指向不存在的规则册：{id}").format(id=rid), name)
        return known[rid]

    rb = parse_rulebook_text(text, name, resolve)
    if rb.id in shipped_rulebooks():
        raise UsageError(_("规则册 id {id} 与随程序提供的规则册相同：请另取一个 id").format(id=rb.id), name)
    with transaction(db) as conn:
        _store(conn, rb, "centre", text, by or default_author())
    return rb


def list_rulebooks(db: sqlite_utils.Database | None = None) -> list[tuple[Rulebook, str]]:
    """Every rulebook a plan may name, with its origin (``shipped`` or ``centre``)."""
    out = [(rb, "shipped") for rb in shipped_rulebooks().values()]
    if db is not None:
        latest: dict[str, Rulebook] = {}
        for _hash, _origin, rb in _stored(db.conn, "origin = 'centre'", ()):
            latest[rb.id] = rb
        out += [(rb, "centre") for rb in latest.values()]
    return sorted(out, key=lambda pair: pair[0].id)


def find_rulebook(db: sqlite_utils.Database | None, key: str) -> Rulebook:
    """A rulebook by id (shipped, else the centre's latest) or by content hash (any stored one)."""
    known = _resolver(db)
    if key in known:
        return known[key]
    if db is not None:
        found = _stored(db.conn, "hash = ?", (key,))
        if found:
            return found[0][2]
    raise NotFoundError(_("没有这个规则册"), key)


def default_rulebook_id(rubric_id: str, issuer: str | None = None) -> str:
    """The shipped rulebook that belongs with a rubric: the one listing it, else the only one whose
    issuer is the rubric's (a rubric imported by a centre from the same authority)."""
    books = shipped_rulebooks().values()
    for rb in books:
        if rubric_id in rb.rubrics:
            return rb.id
    same = [rb.id for rb in books if issuer and rb.issuer == issuer]
    if len(same) == 1:
        return same[0]
    raise UsageError(
        _("评估表 {r} 没有对应的规则册：请用 --rulebook 指定（rulebook list 列出可用的）").format(
            r=rubric_id
        ),
        rubric_id,
    )


def pin_rulebook(conn: sqlite3.Connection, rb: Rulebook, by: str | None = None) -> str:
    """Store the rulebook (once per content) and return its hash, for a plan to name."""
    origin = "shipped" if shipped_rulebooks().get(rb.id) == rb else "centre"
    return _store(conn, rb, origin, None, by or default_author())


def stored_rulebook(db: sqlite_utils.Database, content_hash: str) -> Rulebook:
    found = _stored(db.conn, "hash = ?", (content_hash,))
    if not found:
        raise NotFoundError(_("数据库中没有这个规则册"), content_hash)
    return found[0][2]


def draw_rules(rb: Rulebook) -> DrawRules:
    """What the rulebook asks of the draw."""
    team_min = rb.get("team_min")
    due = rb.get("record_due")
    annual = rb.get("annual_assessment")
    kind = rb.param("default_kind", "kind")
    return DrawRules(
        card_years=rb.param("card_term", "years"),
        card_reading="civil_code",
        internal_own_institution=rb.has("internal_own_institution"),
        recusal_employer=rb.has("recusal_employer") or rb.has("internal_own_institution"),
        recusal_posts=rb.has("recusal_posts"),
        recusal_grounds=rb.has("recusal_grounds"),
        rotation_max=rb.param("rotation", "max"),
        rotation_both_ways=True,
        team_min=team_min.params["min"] if team_min else None,
        team_min_principle=bool(team_min and team_min.strength == "principle"),
        team_min_plan_kind=team_min.params["plan_kind"] if team_min else "special",
        default_kind=None if kind in (None, "any") else kind,
        record_due_days=due.params["working_days"] if due else None,
        record_due_kind=due.params["supervisor_kind"] if due else "any",
        record_due_plan_kind=due.params["plan_kind"] if due else "any",
        annual=annual.params["action"] if annual else None,
        leader=rb.param("team_leader", "mode", "drawn"),
    )
