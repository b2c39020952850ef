"""The people at a server centre's desks (store/pg_roles.py): clerk, dispatcher and head, enforced by
PostgreSQL's roles and grants, tried with real connections as each desk user. A clerk holding a
connection string is refused a draw by the server itself (one message, nothing changed); the
dispatcher draws; who did what is in the desk log under each desk user; the issued credentials'
sealed keys are beyond the clerk. Needs the test server (tests/pg_support.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from inspector.bundles.importer import import_bundle
from inspector.centre.people import add_person
from inspector.centre.plans import add_target, dispatches, run_dispatch, start_evaluation, targets
from inspector.crypto.identity import unlock_identity
from inspector.crypto.keys import CA_KEY_FILE, KEYS_DIR
from inspector.errors import StoreError
from inspector.folder import open_folder
from inspector.paths import CA_DIR
from inspector.store.db import SERVER_FILE
from inspector.store.desk_grants import AREAS, desk_grants
from inspector.store.orgs import add_org
from inspector.store.pg_roles import DESK_LOG, install
from tests.bundle_support import CA_PASS, build_world
from tests.centre.rulebook_helpers import new_plan
from tests.centre_support import new_db

pytestmark = pytest.mark.usefixtures("folders_as_they_say")
ROOT = Path(__file__).resolve().parents[2]
DRAW = ("--team-size", "2", "--seed", "1")
PEOPLE = {"desk_clerk1": "clerk", "desk_disp1": "dispatcher", "desk_head1": "head"}


def as_user(url: str, user: str) -> str:
    """The same database, connected as another (login) role: trust authentication on the test server."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))


def desk(root: Path, name: str, url: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SERVER_FILE).write_text(url, encoding="utf-8")
    return folder


@pytest.fixture
def centre(pg_url: str, tmp_path: Path) -> tuple[str, str]:
    """A centre on the server with a plan ready to draw, the desks' roles installed; (url, plan id)."""
    db = new_db(desk(tmp_path, "owner", pg_url))
    orgs = [add_org(db, f"机构{i}")["id"] for i in range(2)]
    for i in range(6):
        add_person(db, name=f"督导{i}", kind="external", cert_no=f"C{i}", cert_issued="2025-01-01")
    plan = new_plan(db, "sichuan-2017-inspection", "岗位", "routine")
    for org in orgs:
        add_target(db, plan.id, org, "2026-03-10")
    db.conn.close()
    install(pg_url, PEOPLE)
    install(pg_url, PEOPLE)  # idempotent: again changes nothing and fails on nothing
    return pg_url, plan.id


def test_a_clerk_is_refused_a_draw_by_the_server_and_the_dispatcher_draws(
    centre: tuple[str, str], tmp_path: Path
) -> None:
    url, plan_id = centre
    clerk = open_folder(desk(tmp_path, "clerk", as_user(url, "desk_clerk1")))
    # the register is the clerk's: an organisation added, logged under the clerk's name
    org = add_org(clerk, "登记员新增机构")["id"]
    with pytest.raises(StoreError, match=r"desk_clerk1.*无此权限") as refused:
        run_dispatch(clerk, plan_id, team_size=2, seed="clerk")
    assert "permission denied" in str(refused.value)
    # not through the program either: the statement itself, on the clerk's own connection
    with pytest.raises(StoreError, match=r"无此权限.*dispatches"):
        clerk.conn.execute(
            "INSERT INTO dispatches (id, plan_id, seed, team_size, created_at, created_by, record)"
            " VALUES ('x', ?, 's', 2, '2026-01-01', 'clerk', '{}')",
            (plan_id,),
        )
    assert dispatches(clerk, plan_id) == []  # nothing drawn, nothing half-written
    clerk.conn.close()

    dispatcher = open_folder(desk(tmp_path, "dispatcher", as_user(url, "desk_disp1")))
    drawn = run_dispatch(dispatcher, plan_id, team_size=2, seed="desk")
    assert [d.id for d in dispatches(dispatcher, plan_id)] == [drawn.id]
    with pytest.raises(StoreError, match=r"desk_disp1.*无此权限"):  # the register is not the dispatcher's
        add_org(dispatcher, "调度员不能登记")
    dispatcher.conn.close()

    with psycopg.connect(as_user(url, "desk_head1")) as head:
        acts = head.execute(f"SELECT desk_user, tbl, op, row_key FROM {DESK_LOG} ORDER BY n").fetchall()
    by = {(user, table, op) for user, table, op, _key in acts}
    assert ("desk_clerk1", "orgs", "INSERT") in by
    assert ("desk_disp1", "dispatches", "INSERT") in by
    assert ("desk_clerk1", "dispatches", "INSERT") not in by  # refused acts leave no row
    assert {"id": drawn.id} in [key for user, table, _op, key in acts if table == "dispatches"]
    assert {"id": org} in [key for user, table, _op, key in acts if table == "orgs"]


def test_no_desk_writes_the_desk_log_and_the_clerk_never_reads_sealed_keys(centre: tuple[str, str]) -> None:
    url, _plan = centre
    with psycopg.connect(as_user(url, "desk_clerk1"), autocommit=True) as clerk:
        clerk.execute("SELECT serial, name, signing, not_after FROM credentials").fetchall()  # who holds what
        for refused in (
            "SELECT signing_p12 FROM credentials",
            "SELECT * FROM credentials",
            f"SELECT * FROM {DESK_LOG}",
            f"DELETE FROM {DESK_LOG}",
            "UPDATE group_verdicts SET verdict = verdict",  # results' decisions are the head's
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                clerk.execute(refused)
    with psycopg.connect(as_user(url, "desk_head1"), autocommit=True) as head:
        head.execute("SELECT signing_p12 FROM credentials").fetchall()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # read, never rewritten
            head.execute(f"DELETE FROM {DESK_LOG}")
    with psycopg.connect(url, autocommit=True) as owner:  # a login role at no desk: not even connected
        owner.execute("DROP ROLE IF EXISTS desk_nobody")
        owner.execute("CREATE ROLE desk_nobody LOGIN")
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        psycopg.connect(as_user(url, "desk_nobody")).close()


def test_the_command_line_sets_the_desks_and_a_refused_draw_is_one_message(
    centre: tuple[str, str], tmp_path: Path
) -> None:
    url, plan_id = centre
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INSPECTOR_LANG": "zh"}
    env.pop("INSPECTOR_DB", None)
    made = subprocess.run(
        [sys.executable, "-m", "inspector", "centre", "roles", "--db", url, "--user", "desk_clerk2=clerk"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert made.returncode == 0, made.stderr
    assert "desk_clerk2" in made.stdout
    folder = desk(tmp_path, "clerk2", as_user(url, "desk_clerk2"))
    refused = subprocess.run(
        [sys.executable, "-m", "inspector", "--data", str(folder), "dispatch", plan_id, *DRAW],
        capture_output=True,
        text=True,
        env=env,
    )
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr + refused.stdout, refused.stderr
    assert "desk_clerk2" in refused.stderr and "无此权限" in refused.stderr, refused.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "inspector", "centre", "roles", "--db", url, "--user", "x=boss"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "boss" in bad.stderr


def test_a_clerk_takes_in_a_results_bundle_at_a_desk_without_the_ca_key(pg_url: str, tmp_path: Path) -> None:
    """The clerk's desk folder holds the centre's desk keys and the CA's certificate, never the CA's
    private key (that stays in the head's folder); the import is the clerk's, under the grants."""
    centre = desk(tmp_path / "w", "centre", pg_url)
    world = build_world(tmp_path / "w")  # the centre's database on the server, the laptops' in files
    assert world.centre == centre
    laptop = world.laptops[0]
    store = world.store(laptop, "张建国")
    for item in ("1.1.1", "1.2.1"):
        store.record(world.eval_id, item, {"met": True})
    bundle = world.results(laptop)
    world.close()
    install(pg_url, {"desk_clerk3": "clerk"})

    clerk_folder = desk(tmp_path, "clerk3", as_user(pg_url, "desk_clerk3"))
    shutil.copytree(centre / KEYS_DIR, clerk_folder / KEYS_DIR)
    # the desk keys only: the CA (its private key) is in the head's folder, never copied to a clerk's
    assert (centre / CA_DIR / CA_KEY_FILE).exists()
    assert not list(clerk_folder.rglob(CA_KEY_FILE))
    clerk = open_folder(clerk_folder)
    report = import_bundle(clerk, clerk_folder, bundle, keyring=unlock_identity(clerk_folder, CA_PASS))
    assert not report.already
    marks = clerk.conn.execute(
        "SELECT COUNT(*) FROM changes WHERE eval_id = ? AND author = '张建国'", (world.eval_id,)
    ).fetchone()[0]
    assert marks == 2
    clerk.conn.close()
    with psycopg.connect(pg_url) as owner:
        who = owner.execute(f"SELECT DISTINCT desk_user FROM {DESK_LOG} WHERE tbl = 'changes'").fetchall()
    assert [r[0] for r in who] == ["desk_clerk3"]


def test_any_desk_opens_a_fresh_centre_first(pg_url: str, tmp_path: Path) -> None:
    """Opening installs the shipped rubrics: whichever desk opens first, it opens."""
    install(pg_url, {"desk_disp2": "dispatcher"})
    dispatcher = open_folder(desk(tmp_path, "d", as_user(pg_url, "desk_disp2")), rubrics=True)
    assert dispatcher.conn.execute("SELECT COUNT(*) FROM rubrics").fetchone()[0] > 0
    dispatcher.conn.close()


def test_the_dispatcher_opens_a_drawn_targets_inspection_and_a_clerk_is_refused_before_anything(
    centre: tuple[str, str], tmp_path: Path
) -> None:
    """`plan start-eval` is the draw's continuation (the drawn team, day and leader, linked in
    plan_targets): the dispatcher's desk alone. Before, it needed both the clerk's grants (the
    evaluation) and the dispatcher's (the link), so only the head could; a clerk trying it made an
    evaluation and was then refused the link, leaving it unlinked."""
    url, plan_id = centre
    dispatcher = open_folder(desk(tmp_path, "dispatcher", as_user(url, "desk_disp1")))
    run_dispatch(dispatcher, plan_id, team_size=2, seed="desk")
    org = targets(dispatcher, plan_id)[0].org_id
    assert desk_grants(dispatcher.conn).may("start") and not desk_grants(dispatcher.conn).may("register")

    clerk = open_folder(desk(tmp_path, "clerk", as_user(url, "desk_clerk1")))
    grants = desk_grants(clerk.conn)
    assert grants.user == "desk_clerk1" and grants.may("register") and not grants.may("start")
    count = "SELECT COUNT(*) FROM evaluations"
    before = clerk.conn.execute(count).fetchone()[0]
    with pytest.raises(StoreError, match=r"desk_clerk1.*无此权限.*plan_targets"):
        start_evaluation(clerk, plan_id, org, "登记员")
    assert clerk.conn.execute(count).fetchone()[0] == before  # nothing made, nothing half-done
    clerk.conn.close()

    e = start_evaluation(dispatcher, plan_id, org, "调度员")
    assert targets(dispatcher, plan_id)[0].eval_id == e.id
    dispatcher.conn.close()
    with psycopg.connect(url) as owner:
        acts = owner.execute(
            f"SELECT DISTINCT tbl FROM {DESK_LOG} WHERE desk_user = 'desk_disp1' AND op = 'INSERT'"
        ).fetchall()
    assert {"evaluations", "changes"} <= {r[0] for r in acts}


def test_every_area_is_the_laptops_on_a_file(tmp_path: Path) -> None:
    db = new_db(tmp_path / "laptop")
    grants = desk_grants(db.conn)
    assert grants.user is None and grants.areas == frozenset(AREAS)
