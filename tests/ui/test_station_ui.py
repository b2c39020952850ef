"""The station's window (issue 19): the first run's third choice, the request on the home page,
its one self-assessment opened and scored by keyboard alone, the centre's desk saying whose
self-assessment figures it compares."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from inspector.bundles.credentials import issue_for_station
from inspector.bundles.export import export_bundle
from inspector.bundles.format import SELF_REQUEST
from inspector.bundles.importer import import_bundle
from inspector.centre.plans import add_target, new_plan
from inspector.crypto import keys
from inspector.crypto.identity import init_centre, load_identity, unlock_identity
from inspector.folder import open_folder
from inspector.rubric.observations import parse_observation
from inspector.store.evaluations import EvaluationStore
from inspector.store.folder_role import folder_role
from inspector.store.orgs import add_org
from tests.ui.conftest import Window
from tests.ui.test_keyboard import plan as keys_for

CA_PASS = "centre-secret-ui"
STATION_PASS = "station-secret-ui"


@pytest.fixture
def station_folder(tmp_path: Path) -> Path:
    """A station's folder as the centre's request leaves it: role, org, credential, the form."""
    centre = tmp_path / "centre"
    db = open_folder(centre, rubrics=True)
    init_centre(centre, centre / "ca", "四川省职业技能鉴定指导中心", CA_PASS)
    org = add_org(db, "成都市第一鉴定站", "5101A")
    p = new_plan(db, "sichuan-2017-inspection", "2026年度检查评估", "routine", year=2026)
    add_target(db, p.id, org["id"])
    issue_for_station(db, centre / "ca", CA_PASS, org["id"], "李站长", STATION_PASS)
    request = tmp_path / "request.inspbundle"
    export_bundle(
        db, centre, unlock_identity(centre, CA_PASS), SELF_REQUEST, request, plan_id=p.id, org=org["id"]
    )
    ident = load_identity(centre)
    assert ident is not None
    db.conn.close()
    station = tmp_path / "station"
    sdb = open_folder(station, rubrics=True)
    import_bundle(sdb, station, request, passphrase=STATION_PASS, ca_fingerprint=keys.fingerprint(ident.ca))
    sdb.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sdb.conn.close()
    return station


@pytest.fixture
def station_window(qtbot: QtBot, station_folder: Path) -> Iterator[Window]:
    win = Window(qtbot, station_folder)
    yield win
    win.settle()
    win.w.close()


def test_first_run_offers_the_station_and_remembers_it(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.first_run import FirstRunDialog
    from ui.main_window import MainWindow

    opened: list[str] = []
    monkeypatch.setattr("ui.bundles.open_dialog", lambda w, kind: opened.append(kind))
    w = MainWindow(tmp_path / "fresh")
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.ready, timeout=30000):
        w.start()
    assert isinstance(w.first_run, FirstRunDialog)
    assert "鉴定站（所）自评" in w.first_run.choices["station"].text()
    w.first_run.choices["station"].click()
    assert opened == ["import"]  # the request bundle from the centre comes first
    assert w.db is not None and folder_role(w.db.conn) == "station"


def test_the_station_sees_its_request_and_fills_its_form_by_keyboard(station_window: Window) -> None:
    window = station_window
    window.start()
    window.settle()
    banner = window.w.home.station
    assert banner.isVisible()
    assert "成都市第一鉴定站" in banner.text() and "2026-04-30" in banner.text()
    assert "4月30日前" in banner.text()  # the clause the deadline comes from
    assert not window.w.centre.visible  # a station sees only its own data
    # Ctrl+Shift+N: no dialog, no choice to make: the form the centre named, for this station
    window.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    window.qtbot.waitUntil(lambda: window.w.view() == "scoring", timeout=20000)
    session = window.w.session
    assert session is not None and session.evaluation.kind == "self"
    store = EvaluationStore(window.w.db)  # type: ignore[arg-type]
    expected = {}
    for n, item in enumerate(session.items[:6]):  # the inspector's keys, the same scoring view
        assert window.w.scoring.current_item == item.id
        typed, obs = keys_for(n, item)
        window.type(typed)
        window.key(Qt.Key.Key_Return)
        expected[item.id] = parse_observation(obs, item.id)
    stored, _v = store.observations(session.eval_id)
    assert {k: stored[k].to_dict() for k in expected} == {k: v.to_dict() for k, v in expected.items()}
    # asked again, the same self-assessment opens (one per request)
    window.key(Qt.Key.Key_Escape)
    window.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    window.qtbot.waitUntil(lambda: window.w.view() == "scoring", timeout=20000)
    assert window.w.session is not None and window.w.session.eval_id == session.eval_id
    assert len(store.list_evaluations()) == 1


def test_the_desk_lists_requests_and_says_whose_figures(qtbot: QtBot, tmp_path: Path) -> None:
    """The centre's results desk after a round: the 自评通知 tab (sent, returned, late against the
    rulebook's 4月30日), and the source of each self-assessment figure."""
    import random

    from inspector.bundles.station_loop import Station, station_round
    from inspector.centre.plans import link_evaluation
    from inspector.store.demo import _fill
    from ui.centre.results_view import (
        difference_columns,
        load_results,
        request_columns,
        self_source,
    )

    centre = tmp_path / "centre"
    db = open_folder(centre, rubrics=True)
    init_centre(centre, centre / "ca", "四川省职业技能鉴定指导中心", CA_PASS)
    org = add_org(db, "成都市第一鉴定站", "5101A")
    p = new_plan(db, "sichuan-2017-inspection", "2026年度检查评估", "routine", year=2026)
    add_target(db, p.id, org["id"])

    def fill(store: EvaluationStore, eval_id: str) -> None:
        rubric = store.rubric("sichuan-2017-inspection", store.get(eval_id).rubric_version)
        _fill(store, eval_id, rubric, random.Random(9), 1.0)

    station = Station(org["id"], "李站长", tmp_path / "station", fill, ({"name": "李站长"},))
    station_round(
        db, centre, unlock_identity(centre, CA_PASS), CA_PASS, p.id, [station], tmp_path / "s", STATION_PASS
    )
    team = EvaluationStore(db, "检查组")
    e = team.create("sichuan-2017-inspection", org["id"], "inspection", visit_date="2026-06-01")
    link_evaluation(db, p.id, org["id"], e.id)
    _fill(team, e.id, team.rubric("sichuan-2017-inspection", e.rubric_version), random.Random(1), 0.7)
    db.conn.close()

    import datetime as dt

    on_time = load_results(lambda *_a: None, centre, p.id, dt.date(2026, 4, 1))
    (req,) = on_time.requests
    columns = {c.header: c for c in request_columns()}
    assert columns["截止日期"].get(req) == "2026-04-30"
    assert "4月30日前" in (columns["截止日期"].tip(req) or "")  # type: ignore[misc]
    assert "李站长" in (columns["签署"].get(req) or "")
    (target,) = on_time.results.targets  # type: ignore[union-attr]
    assert self_source(target) == "鉴定站签署"
    sources = {c.header: c for c in difference_columns()}["自评来源"]
    assert on_time.results.differences  # type: ignore[union-attr]
    assert {sources.get(d) for d in on_time.results.differences} == {"鉴定站签署"}  # type: ignore[union-attr]
    page_data = load_results(lambda *_a: None, centre, p.id, dt.date(2026, 5, 1))
    assert page_data.requests[0].state in ("returned", "returned_late")
