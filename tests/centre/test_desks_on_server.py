"""Several desks of one centre at once, on its PostgreSQL server: ten desks drawing the same plan
publish one draw (the others are told it is drawn already, and by which record), ten desks importing the
same results bundle take it in once (the others: already imported). Each desk is a thread with its
own connection, as each desk PC has its own. Needs the test server (tests/pg_support.py)."""

from __future__ import annotations

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
