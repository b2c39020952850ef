"""A database made by every earlier schema version upgrades in place without loss."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from inspector.centre.people import earlier_cards, list_people, renew_card
from inspector.errors import StoreError
from inspector.store.audit import audit_evaluation
from inspector.store.db import DB_NAME, SCHEMA_VERSION, open_database
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from inspector.store.rubrics import list_rubrics
from tests.pg_support import database_rows

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture_versions() -> list[int]:
    return sorted(int(p.stem.removeprefix("schema-v")) for p in FIXTURES.glob("schema-v*.sqlite3"))


def test_every_schema_version_has_a_fixture() -> None:
    assert fixture_versions() == list(range(1, SCHEMA_VERSION + 1))


@pytest.mark.parametrize("version", fixture_versions())
def test_fixture_upgrades_without_loss(version: int, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / f"schema-v{version}.sqlite3", data / DB_NAME)
    before = sqlite3.connect(data / DB_NAME)
    rubric_rows = before.execute("SELECT id, version, hash FROM rubrics ORDER BY id").fetchall()
    before.close()
    db = open_database(data)
    assert db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [(r.id, r.version, r.content_hash) for r in list_rubrics(db)] == [tuple(r) for r in rubric_rows]
    store = EvaluationStore(db, "升级测试")
    if version >= 2:
        (old,) = store.list_evaluations()
        answers, vetoes = store.observations(old.id)
        assert answers["4.1.1"].problems == 1 and [v.id for v in vetoes] == ["V1"]
        assert audit_evaluation(store, data, old.id).ok
    if version >= 4:
        row = db.conn.execute("SELECT kind, outcome FROM bundles").fetchone()
        assert tuple(row) == ("results", "imported")
    if version >= 3:
        (person,) = list_people(db)
        cards = earlier_cards(db, person.id)
        if version >= 5:
            assert person.cert_no == "FIXTURE-CARD-2" and [c["cert_no"] for c in cards] == ["FIXTURE-CARD-1"]
        else:
            assert person.cert_no == "FIXTURE-CARD-1" and cards == []
        # a card renewed after the upgrade keeps the one before
        renew_card(db, person.id, cert_no="RENEWED-AFTER-UPGRADE", cert_issued="2031-01-02")
        assert earlier_cards(db, person.id)[0]["cert_no"] == person.cert_no
    # and the upgraded database works for new work
    org = add_org(db, "升级后新增机构")
    e = store.create("sichuan-2017-inspection", org["id"])
    store.record(e.id, "1.1.1", {"met": True})
    assert store.report(e.id).total == 2


def test_a_newer_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = open_database(data)
    db.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")  # on a server: its inspector_schema
    db.conn.close()
    on_file = (data / DB_NAME).exists()
    digest = hashlib.sha256((data / DB_NAME).read_bytes()).hexdigest() if on_file else ""
    before = database_rows(data)
    with pytest.raises(StoreError, match="更新版本"):
        open_database(data)
    assert database_rows(data) == before
    if on_file:  # the laptop's file not even rewritten
        assert hashlib.sha256((data / DB_NAME).read_bytes()).hexdigest() == digest


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="无法打开数据库"):
        open_database(data)


@pytest.mark.parametrize("version", [v for v in fixture_versions() if v >= 2])
def test_new_form_versions_arrive_and_recorded_scores_do_not_move(version: int, tmp_path: Path) -> None:
    """The Chongqing fixes and the not-applicable rule ship as new form versions: a data folder made
    before them gets them beside the old ones, and its evaluations keep their version and score."""
    from inspector.store.rubrics import install_builtin_rubrics

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / f"schema-v{version}.sqlite3", data / DB_NAME)
    db = open_database(data)
    store = EvaluationStore(db, "升级测试")
    (old,) = store.list_evaluations()
    before = (old.rubric_version, old.rubric_hash, old.state, store.report(old.id).to_json())
    totals_before = store.totals([old])[old.id]
    install_builtin_rubrics(db)
    versions = {(r.id, r.version) for r in list_rubrics(db)}
    assert {("chongqing-2024-renewal", 1), ("chongqing-2024-renewal", 2)} <= versions
    assert {("fujian-2021-supervision-record", 1), ("fujian-2021-supervision-record", 2)} <= versions
    assert install_builtin_rubrics(db) == 0  # once
    store = EvaluationStore(db, "升级测试")
    again = store.get(old.id)
    assert (again.rubric_version, again.rubric_hash, again.state, store.report(old.id).to_json()) == before
    assert store.totals([again])[old.id].total == totals_before.total
    assert audit_evaluation(store, data, old.id).ok
    if again.state == "signed":
        fixed = store.fixed(old.id)
        if version < 7:  # signed before figures were kept at signing: nothing to compare, no flag
            assert fixed is None
        else:  # the figures fixed at signing are the recorded score's
            assert fixed is not None and fixed.total == totals_before.total
        assert store.signed_check(old.id).differs is None
