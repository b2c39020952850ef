"""Several desks of one centre at once, on its PostgreSQL server: ten desks drawing the same plan
publish one draw (the others are told it is drawn already, and by which record), ten desks importing the
same results bundle take it in once (the others: already imported), and ten desks, each its own desk
user, import an overlapping set of different bundles while drawing two plans, all at once: nothing
lost or doubled, every evaluation auditing clean, one draw per plan, each act in the desk log under
the desk user who did it. Each desk is a thread with its own connection, as each desk PC has its
own. Needs the test server (tests/pg_support.py)."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable
from hashlib import sha256 as _sha256
from pathlib import Path
from typing import Any

import psycopg
import pytest

from inspector.bundles.importer import import_bundle
from inspector.centre.people import add_person
from inspector.centre.plans import add_target, dispatches, run_dispatch
from inspector.errors import UsageError
from inspector.folder import open_folder
from inspector.store.db import SERVER_FILE
from inspector.store.orgs import add_org
from inspector.store.signed_pdfs import signed_pdfs, store_signed_pdf
from tests.bundle_support import build_world, signed_pdf
from tests.centre.rulebook_helpers import new_plan
from tests.centre_support import new_db

pytestmark = pytest.mark.usefixtures("folders_as_they_say")
DESKS = 10


def sha256(body: bytes) -> str:
    return _sha256(body).hexdigest()


def _at_once(work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run ``work(desk)`` on every desk together (a barrier lines them up); results and errors."""
    results: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(DESKS)

    def desk(n: int) -> None:
        start.wait()
        try:
            results.append(work(n))
        except BaseException as e:  # collected: the test says which
            errors.append(e)

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(DESKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def _desk_folder(root: Path, n: int, url: str) -> Path:
    """A desk's own folder (keys, settings), its database the centre's on the server."""
    folder = root / f"desk{n}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SERVER_FILE).write_text(url, encoding="utf-8")
    return folder


def test_ten_desks_drawing_one_plan_publish_one_draw(pg_url: str, tmp_path: Path) -> None:
    db = new_db(_desk_folder(tmp_path, 0, pg_url))
    orgs = [add_org(db, f"机构{i}")["id"] for i in range(4)]
    for i in range(12):
        add_person(db, name=f"督导{i}", kind="external", cert_no=f"C{i}", cert_issued="2025-01-01")
    plan = new_plan(db, "sichuan-2017-inspection", "并发抽取", "routine")
    for org in orgs:
        add_target(db, plan.id, org, "2026-03-10")
    db.conn.close()

    def draw(n: int) -> str:
        desk = open_folder(_desk_folder(tmp_path, n, pg_url))
        try:
            return run_dispatch(desk, plan.id, team_size=2, seed=f"desk-{n}", author=f"desk{n}").id
        finally:
            desk.conn.close()

    drawn, refused = _at_once(draw)
    assert len(drawn) == 1, refused
    assert len(refused) == DESKS - 1
    # each loser is told the plan was drawn, and by which record: not "add organisations first"
    told = [isinstance(e, UsageError) and "都已抽取" in str(e) and drawn[0] in str(e) for e in refused]
    assert all(told), refused
    db = open_folder(tmp_path / "desk0")
    assert [d.id for d in dispatches(db, plan.id)] == drawn
    teams = db.conn.execute("SELECT org_id, COUNT(*) FROM assignment_members GROUP BY org_id").fetchall()
    assert sorted(n for _org, n in teams) == [2, 2, 2, 2]  # every target one team, none twice
    db.conn.close()


def test_ten_desks_importing_one_bundle_take_it_in_once(pg_url: str, tmp_path: Path) -> None:
    centre = _desk_folder(tmp_path / "w", 0, pg_url).rename(tmp_path / "w" / "centre")
    world = build_world(tmp_path / "w")  # the centre's database on the server, the laptops' in files
    assert world.centre == centre
    laptop = world.laptops[0]
    store = world.store(laptop, "张建国")
    for item in ("1.1.1", "1.2.1", "1.3.1"):
        store.record(world.eval_id, item, {"met": True})
    bundle = world.results(laptop)
    keyring = world.keyring(world.centre)
    world.close()

    def take_in(n: int) -> bool:
        desk = open_folder(world.centre)
        try:
            return import_bundle(desk, world.centre, bundle, keyring=keyring).already
        finally:
            desk.conn.close()

    already, errors = _at_once(take_in)
    assert errors == []
    assert sorted(already) == [False] + [True] * (DESKS - 1)
    db = open_folder(world.centre)
    rows = db.conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT id) FROM changes WHERE eval_id = ?", (world.eval_id,)
    ).fetchone()
    assert rows[0] == rows[1]  # nothing doubled
    marks = db.conn.execute(
        "SELECT COUNT(*) FROM changes WHERE eval_id = ? AND author = '张建国'", (world.eval_id,)
    ).fetchone()[0]
    assert marks == 3  # nothing lost
    assert db.conn.execute("SELECT COUNT(*) FROM bundles WHERE direction = 'import'").fetchone()[0] == 1
    db.conn.close()


def test_signed_pdfs_taken_in_at_one_desk_are_read_at_another_without_a_shared_folder(
    pg_url: str, tmp_path: Path
) -> None:
    centre = _desk_folder(tmp_path / "w", 0, pg_url).rename(tmp_path / "w" / "centre")
    world = build_world(tmp_path / "w")
    assert world.centre == centre
    lead = world.laptops[0]
    store = world.store(lead, "张建国")
    store.record(world.eval_id, "1.1.1", {"met": True})
    body = signed_pdf(world, lead)
    store_signed_pdf(lead, world.eval_id, "评分表-已签署.pdf", body)
    bundle = world.results(lead)
    world.import_(centre, bundle)
    world.close()
    # another desk: its own folder, nothing in it but the server's address
    other = _desk_folder(tmp_path, 1, pg_url)
    assert not (other / "pdfs").exists()
    found = signed_pdfs(other, world.eval_id)
    assert [p.name for p in found] == ["评分表-已签署.pdf"]
    assert found[0].read_bytes() == body
    assert signed_pdfs(other, world.eval_id) == found  # read again: the same file, not a second copy
    # what a desk reads from the server is checked against its digest: a damaged row is not handed out
    with psycopg.connect(pg_url, autocommit=True) as owner:
        owner.execute(
            "UPDATE inspector_files SET content = %s WHERE sha256 = %s", (b"%PDF-damaged", sha256(body))
        )
    third = _desk_folder(tmp_path, 2, pg_url)
    assert signed_pdfs(third, world.eval_id) == []


# --- ten desks importing and drawing at once ---------------------------------------------------------

BUNDLES = 6  # 3 laptops × 2 rounds, each exported whole: a laptop's second holds its first's changes too


def _record_some(store: Any, eval_id: str, section: str, k: int) -> None:
    """``k`` items of ``section`` marked met (the items a yes/no mark fits; a refused one changes nothing)."""
    rubric = store.rubric(
        *store.conn.execute(
            "SELECT rubric_id, rubric_version FROM evaluations WHERE id = ?", (eval_id,)
        ).fetchone()
    )
    done = 0
    for item in rubric.items():
        if done == k:
            return
        if item.id.split(".")[0] != section:
            continue
        try:
            store.record(eval_id, item.id, {"met": True})
            done += 1
        except UsageError:
            continue
    assert done == k, section


def test_ten_desks_importing_bundles_and_drawing_plans_at_once_lose_and_double_nothing(
    pg_url: str, tmp_path: Path
) -> None:
    """Ten desks of one server centre at the same moment, each its own desk user and connection:
    four clerks take in an overlapping set of six different results bundles, three dispatchers draw
    two plans, three heads do both. Every bundle's changes are in once (none lost, none doubled),
    every evaluation audits clean, each plan has one published draw and every other drawer is told
    which, and the desk log names, for each act, the desk user whose desk did it."""
    from inspector.crypto.identity import unlock_identity
    from inspector.crypto.keys import KEYS_DIR
    from inspector.store.audit import audit_evaluation
    from inspector.store.evaluations import EvaluationStore
    from inspector.store.pg_roles import DESK_LOG, install
    from tests.bundle_support import CA_PASS, NAMES
    from tests.centre.test_desk_roles import as_user

    centre = _desk_folder(tmp_path / "w", 0, pg_url).rename(tmp_path / "w" / "centre")
    world = build_world(tmp_path / "w")
    assert world.centre == centre
    bundles: list[Path] = []
    for rnd in range(2):
        for i, laptop in enumerate(world.laptops):
            _record_some(world.store(laptop, NAMES[i]), world.eval_id, str(3 * i + 1 + rnd), 1)
            bundles.append(world.results(laptop, full=True))  # the second holds the first's too
    made = {  # every change each laptop made: what the centre must hold exactly once
        NAMES[i]: {
            str(r[0])
            for r in world.db(laptop).conn.execute(
                "SELECT id FROM changes WHERE eval_id = ? AND author = ?", (world.eval_id, NAMES[i])
            )
        }
        for i, laptop in enumerate(world.laptops)
    }
    db = world.db(centre)
    orgs = [add_org(db, f"抽取机构{i}")["id"] for i in range(4)]
    for i in range(12):
        add_person(db, name=f"督导{i}", kind="external", cert_no=f"D{i}", cert_issued="2025-01-01")
    plans = []
    for p in range(2):
        plan = new_plan(db, "sichuan-2017-inspection", f"并发抽取{p}", "routine")
        for org in orgs[2 * p : 2 * p + 2]:
            add_target(db, plan.id, org, "2026-03-10")
        plans.append(plan.id)
    world.close()

    desks = {n: ("clerk", "dispatcher", "head")[n % 3] if n != 9 else "clerk" for n in range(DESKS)}
    users = {n: f"conc_{desks[n]}{n}" for n in range(DESKS)}
    install(pg_url, {users[n]: desks[n] for n in range(DESKS)})
    keyring = unlock_identity(centre, CA_PASS)
    folders = {}
    for n in range(DESKS):
        folders[n] = _desk_folder(tmp_path, n, as_user(pg_url, users[n]))
        shutil.copytree(centre / KEYS_DIR, folders[n] / KEYS_DIR)

    def work(n: int) -> list[tuple[str, int, Any]]:
        desk = open_folder(folders[n])
        acts: list[tuple[str, int, Any]] = []

        def take_in(b: int) -> None:
            acts.append(("import", b, import_bundle(desk, folders[n], bundles[b], keyring=keyring)))

        def draw(p: int) -> None:
            try:
                drawn = run_dispatch(desk, plans[p], team_size=2, seed=f"desk-{n}", author=users[n]).id
                acts.append(("draw", p, drawn))
            except UsageError as e:
                acts.append(("refused", p, e))

        try:
            mine = [(n + k) % BUNDLES for k in range(3)]
            if desks[n] == "clerk":
                for b in mine:
                    take_in(b)
            elif desks[n] == "dispatcher":
                draw(n % 2)
                draw((n + 1) % 2)
            else:
                take_in(mine[0])
                draw(n % 2)
                for b in mine[1:]:
                    take_in(b)
            return [(users[n], *a) for a in acts]  # type: ignore[misc]
        finally:
            desk.conn.close()

    done, errors = _at_once(work)
    assert errors == [], errors
    acts = [a for desk_acts in done for a in desk_acts]
    imports = [(user, b, r) for user, what, b, r in acts if what == "import"]
    assert {b for _u, b, _r in imports} == set(range(BUNDLES))  # the sets overlap: every bundle by several
    first = {b: [(u, r) for u, b2, r in imports if b2 == b and not r.already] for b in range(BUNDLES)}
    assert all(len(took) == 1 for took in first.values()), first  # each bundle taken in once
    assert all(r.already for _u, _b, r in imports if (_u, r) not in first[_b])

    owner = open_folder(_desk_folder(tmp_path, 99, pg_url))
    try:
        for name, ids in made.items():
            rows = owner.conn.execute(
                "SELECT id FROM changes WHERE eval_id = ? AND author = ?", (world.eval_id, name)
            ).fetchall()
            assert sorted(str(r[0]) for r in rows) == sorted(ids), name  # none lost, none doubled
        added = sum(r.added.get("changes", 0) for took in first.values() for _u, r in took)
        assert added == sum(len(ids) for ids in made.values())
        imported = owner.conn.execute(
            "SELECT id FROM bundles WHERE direction = 'import' ORDER BY id"
        ).fetchall()
        assert sorted(str(r[0]) for r in imported) == sorted(
            r.bundle for took in first.values() for _u, r in took
        )
        auditor = EvaluationStore(owner, "audit")
        for (eval_id,) in owner.conn.execute("SELECT id FROM evaluations").fetchall():
            assert audit_evaluation(auditor, centre, str(eval_id)).problems == [], eval_id

        winners: dict[int, tuple[str, str]] = {}
        for user, what, p, outcome in acts:
            if what == "draw":
                assert p not in winners, (p, winners)
                winners[p] = (user, outcome)
        assert sorted(winners) == [0, 1]  # one published draw for each plan
        for p, plan_id in enumerate(plans):
            assert [d.id for d in dispatches(owner, plan_id)] == [winners[p][1]]
        refused = [(p, e) for _u, what, p, e in acts if what == "refused"]
        assert len(refused) == 3 * 2 + 3 - 2  # dispatchers draw both plans, heads one each
        assert all("都已抽取" in str(e) and winners[p][1] in str(e) for p, e in refused), refused
    finally:
        owner.conn.close()

    with psycopg.connect(as_user(pg_url, users[2])) as head:  # the head reads the desk log
        log = head.execute(f"SELECT desk_user, tbl, op, row_key FROM {DESK_LOG} ORDER BY n").fetchall()
    by_key = {(tbl, json.dumps(key, sort_keys=True)): user for user, tbl, op, key in log if op == "INSERT"}
    for took in first.values():
        user, report = took[0]
        assert by_key[("bundles", json.dumps({"id": report.bundle}))] == user
    for user, drawn in winners.values():
        assert by_key[("dispatches", json.dumps({"id": drawn}))] == user
    takers = {u for took in first.values() for u, _r in took}
    assert {user for user, tbl, _op, _k in log if tbl == "changes"} <= takers
    assert {user for user, _t, _o, _k in log} <= set(users.values())  # every act named by its desk user
