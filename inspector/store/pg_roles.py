"""The people at a server centre's desks, enforced by PostgreSQL itself: roles and grants.

Three desks, each a group role (NOLOGIN) that the people's login roles are members of:

- **clerk** (``inspector_clerk``): the register (登记), taking in bundles (导入), reading results
  (结果). Changes every table except the plans and draws, the centre's decisions on results, and
  the credentials it issues; reads every table, except the sealed private keys of the issued
  credentials (column grants: the clerk sees who holds which certificate, never the key files).
- **dispatcher** (``inspector_dispatcher``): plans and draws (计划、抽取). Changes the plan and draw
  tables (and what a draw writes with them), opens the drawn targets' inspections (adds and
  updates evaluations and their changes, never deletes them), reads the rest as the clerk does.
- **head** (``inspector_head``): everything, results' decisions (publishing them) included, and
  the desk log below.

The grants are the server's, so nobody holding a connection string steps around them: a refused
statement is the server's ``permission denied`` (:mod:`inspector.store.pg` turns it into one
message). Who did what: every row written, changed or deleted in a centre table is logged with the
session's user by a trigger into ``inspector_desk_acts``, which no desk can write itself (the
trigger's function runs as the database's owner) and only the head reads.

The CA's private key is in no table: it stays a sealed file in the head's desk folder (``keys/``),
so a clerk's role can read it nowhere on the server; a clerk's desk folder holds the CA's
certificate only. :func:`install` is idempotent: run it again after each schema migration (new
tables get their grants and triggers) or to move a person to another desk.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from inspector.errors import StoreError, UsageError
from inspector.i18n import _

DESKS = ("clerk", "dispatcher", "head")
GROUP = {desk: f"inspector_{desk}" for desk in DESKS}
DESK_LOG = "inspector_desk_acts"
DESK_LOG_TABLE = (
    "CREATE TABLE IF NOT EXISTS inspector_desk_acts"
    " (n BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), desk_user TEXT NOT NULL,"
    " tbl TEXT NOT NULL, op TEXT NOT NULL, row_key JSONB NOT NULL)"
)

# What a draw changes (plans.py run_dispatch, org_draw.py, milestones.py, procedure.py): the
# dispatcher's tables. The clerk reads them.
DRAW_TABLES = frozenset(
    {
        "plans",
        "plan_targets",
        "dispatches",
        "assignments",
        "assignment_members",
        "org_draws",
        "plan_leaders",
        "target_steps",
        "plan_milestones",
        "rulebooks",
    }
)
# Opening a drawn target's inspection (plans.py start_evaluation, and an assignment bundle's export
# which opens them): the draw's continuation, so the dispatcher's act (the drawn team, day and
# leader; the link in plan_targets). The dispatcher may add and update these rows, never delete them.
START_TABLES = frozenset({"evaluations", "changes", "eval_figures"})
# The centre's decisions on results (the group's verdict, the review of a target, rectification
# notices, the reviews of supervisors): the head's alone.
RESULT_TABLES = frozenset(
    {"group_verdicts", "target_reviews", "rectifications", "person_reviews", "person_annual"}
)
# What opening a folder at any desk may write: the shipped rubrics installed on first open (and
# their bookkeeping in meta), the window's remembered state.
EVERY_DESK = frozenset({"rubrics", "meta", "ui_state"})
# Issued credentials carry each person's sealed private keys: issued and carried by the head.
CREDENTIALS = "credentials"
SEALED_COLUMNS = frozenset({"signing_p12", "encryption_p12"})


@dataclass
class RolesReport:
    groups: dict[str, str] = field(default_factory=dict)  # desk → group role
    members: dict[str, str] = field(default_factory=dict)  # login role → desk
    tables: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"groups": self.groups, "members": self.members, "tables": self.tables}


def _tables(pg: psycopg.Connection[Any]) -> list[str]:
    rows = pg.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.relname"
    ).fetchall()
    return [str(r[0]) for r in rows if not str(r[0]).startswith("inspector_")]


def _columns(pg: psycopg.Connection[Any], table: str) -> list[str]:
    rows = pg.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    return [str(r[0]) for r in rows]


def _primary_key(pg: psycopg.Connection[Any], table: str) -> list[str]:
    rows = pg.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
        " AND a.attnum = ANY(i.indkey) WHERE i.indrelid = CAST(%s AS regclass) AND i.indisprimary"
        " ORDER BY array_position(i.indkey, a.attnum)",
        (table,),
    ).fetchall()
    return [str(r[0]) for r in rows]


def writes(desk: str, table: str) -> bool:
    """Whether ``desk`` may change ``table`` (every desk reads every table, sealed keys aside)."""
    if desk == "head" or table in EVERY_DESK:
        return True
    if table == CREDENTIALS or table in RESULT_TABLES:
        return False
    if desk == "dispatcher":
        return table in DRAW_TABLES
    return table not in DRAW_TABLES


# The desk log's trigger function, one per table, its row key's columns named in it: a generic one
# (the whole row made JSON, then its key picked out by name, per row) cost about 60 µs a row, which
# a move into a server with desks (millions of rows) or a bundle import (about 130) pays for each
# row; this costs about a third of that (docs/performance.md, "Moving a centre at scale").
_LOG_FUNCTION = """
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema} AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO inspector_desk_acts (desk_user, tbl, op, row_key)
      VALUES (session_user, TG_TABLE_NAME, TG_OP, {old_key});
  ELSE
    INSERT INTO inspector_desk_acts (desk_user, tbl, op, row_key)
      VALUES (session_user, TG_TABLE_NAME, TG_OP, {new_key});
  END IF;
  RETURN NULL;
END
$$
"""


def _log_function(
    pg: psycopg.Connection[Any], schema: str, table: str, key: list[str]
) -> tuple[str, sql.Identifier]:
    """The statement making ``table``'s desk log function, and its name: the row's key as JSON (the
    whole row where the table has no key)."""
    function = sql.Identifier(f"inspector_desk_act_{table}")

    def row_key(record: str) -> str:
        if not key:
            return f"to_jsonb({record})"
        pairs = sql.SQL(", ").join(
            sql.SQL("{}, {}.{}").format(sql.Literal(c), sql.SQL(record), sql.Identifier(c)) for c in key
        )
        return sql.SQL("jsonb_build_object({})").format(pairs).as_string(pg)

    text = _LOG_FUNCTION.format(
        function=function.as_string(pg),
        schema=sql.Identifier(schema).as_string(pg),
        old_key=row_key("OLD"),
        new_key=row_key("NEW"),
    )
    return text, function


def _ensure_group(pg: psycopg.Connection[Any], role: str, *, login: bool) -> None:
    exists = pg.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    if exists is None:
        pg.execute(
            sql.SQL("CREATE ROLE {} " + ("LOGIN" if login else "NOLOGIN")).format(sql.Identifier(role))
        )


def install(url: str, members: Mapping[str, str] | None = None) -> RolesReport:
    """Make or bring up to date the desks' roles, grants and desk log on the centre's database at
    ``url`` (run as its owner); each ``members`` entry (login role → desk) puts that person at that
    desk only, making the login role when missing (its password is the DBA's to set)."""
    from inspector.store.pg import connect, shown

    where = shown(url)
    members = dict(members or {})
    try:
        connect(url).close()  # the program's bookkeeping tables, made when missing (store/pg.py)
    except sqlite3.Error as e:
        raise StoreError(_("无法打开数据库：{e}").format(e=e), where) from None
    for person, desk in members.items():
        if desk not in DESKS:
            raise UsageError(
                _("岗位应为 clerk（登记员）、dispatcher（调度员）或 head（负责人），收到 {d}").format(d=desk),
                person,
            )
        if not person or person.startswith(("pg_", "inspector_")):
            raise UsageError(_("不能用作工作人员的数据库用户名：{u}").format(u=person or "''"), where)
    report = RolesReport(groups=dict(GROUP), members=members)
    try:
        with psycopg.connect(url, autocommit=True) as pg, pg.transaction():
            # one installer at a time on the cluster (roles are the cluster's, grants the database's)
            pg.execute("SELECT pg_advisory_xact_lock(%s)", (0x696E7370_726F6C65,))
            schema = str(pg.execute("SELECT current_schema()").fetchone()[0])  # type: ignore[index]
            tables = _tables(pg)
            if "changes" not in tables:
                empty = _("这个数据库还不是中心的数据库：请先用数据库所有者的连接打开一次（建表）")
                raise StoreError(empty, where)
            for desk in DESKS:
                _ensure_group(pg, GROUP[desk], login=False)
            groups = [sql.Identifier(GROUP[d]) for d in DESKS]
            everyone = sql.SQL(", ").join(groups)
            db_name = sql.Identifier(str(pg.execute("SELECT current_database()").fetchone()[0]))  # type: ignore[index]
            pg.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db_name))
            pg.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(db_name, everyone))
            pg.execute(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(sql.Identifier(schema)))
            pg.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), everyone))
            pg.execute(
                sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(
                    sql.Identifier(schema), everyone
                )
            )
            # the program's own bookkeeping (store/pg.py): the schema version read, the write counter
            # raised by every writing transaction, evidence files added with their rows
            pg.execute(sql.SQL("GRANT SELECT ON inspector_schema TO {}").format(everyone))
            pg.execute(sql.SQL("GRANT SELECT, UPDATE ON inspector_writes TO {}").format(everyone))
            pg.execute(sql.SQL("GRANT SELECT, INSERT ON inspector_files TO {}").format(everyone))
            pg.execute(sql.SQL("GRANT SELECT, INSERT ON inspector_pdfs TO {}").format(everyone))
            pg.execute(DESK_LOG_TABLE)
            pg.execute(sql.SQL("REVOKE ALL ON inspector_desk_acts FROM PUBLIC, {}").format(everyone))
            pg.execute(
                sql.SQL("GRANT SELECT ON inspector_desk_acts TO {}").format(sql.Identifier(GROUP["head"]))
            )
            for table in tables:
                name = sql.Identifier(table)
                pg.execute(sql.SQL("REVOKE ALL ON {} FROM PUBLIC, {}").format(name, everyone))
                for desk in DESKS:
                    group = sql.Identifier(GROUP[desk])
                    if table == CREDENTIALS and desk != "head":
                        open_columns = [c for c in _columns(pg, table) if c not in SEALED_COLUMNS]
                        cols = sql.SQL(", ").join(sql.Identifier(c) for c in open_columns)
                        pg.execute(sql.SQL("GRANT SELECT ({}) ON {} TO {}").format(cols, name, group))
                    else:
                        pg.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(name, group))
                    if writes(desk, table):
                        pg.execute(sql.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(name, group))
                    elif desk == "dispatcher" and table in START_TABLES:
                        pg.execute(sql.SQL("GRANT INSERT, UPDATE ON {} TO {}").format(name, group))
                text, function = _log_function(pg, schema, table, _primary_key(pg, table))
                pg.execute(sql.SQL(text))  # composed above, each name quoted there
                pg.execute(sql.SQL("REVOKE ALL ON FUNCTION {}() FROM PUBLIC").format(function))
                pg.execute(
                    sql.SQL(
                        "CREATE OR REPLACE TRIGGER inspector_desk_act AFTER INSERT OR UPDATE OR DELETE ON {}"
                        " FOR EACH ROW EXECUTE FUNCTION {}()"
                    ).format(name, function)
                )
            report.tables = len(tables)
            for person, desk in members.items():
                _ensure_group(pg, person, login=True)
                for other in DESKS:
                    verb = "GRANT {} TO {}" if other == desk else "REVOKE {} FROM {}"
                    pg.execute(sql.SQL(verb).format(sql.Identifier(GROUP[other]), sql.Identifier(person)))
    except psycopg.Error as e:
        message = (e.diag.message_primary if e.diag else None) or str(e)
        raise StoreError(_("无法设置工作岗位的权限：{e}").format(e=message), where) from None
    return report


def desk_acts(url: str, limit: int = 100) -> list[tuple[str, str, str, str, Any]]:
    """The latest rows of the desk log, newest first: (at, desk user, table, operation, row key)."""
    with psycopg.connect(url, autocommit=True) as pg:
        rows = pg.execute(
            "SELECT at, desk_user, tbl, op, row_key FROM inspector_desk_acts ORDER BY n DESC LIMIT %s",
            (limit,),
        ).fetchall()
    return [(str(r[0]), str(r[1]), str(r[2]), str(r[3]), r[4]) for r in rows]
