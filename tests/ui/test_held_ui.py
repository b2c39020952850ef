"""The window's list of changes held apart on import: each one shown with its rule, decided with a reason."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from inspector.store.changes import OBSERVE
from tests.bundles.authority_support import Teams, change, teams, teams_template
from ui.held import HeldDialog

__all__ = ["teams", "teams_template"]  # fixtures


def test_held_changes_are_shown_and_decided_with_a_reason(qtbot: QtBot, teams: Teams) -> None:
    t = teams
    for n, item in enumerate(("1.1.1", "1.2.1")):
        forged = change(t.w.eval_id, OBSERVE, item, {"met": True}, device=f"{n}d" * 16, author="赵敏")
        t.import_(t.w.centre, t.send(t.laptop_b, t.w.centre, [forged], device=f"{n}d" * 16))
    db = t.w.db(t.w.centre)
    dialog = HeldDialog(db, "中心审核员")
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 2
    assert "规则2" in dialog.list.item(0).text() and "赵敏" in dialog.list.item(0).text()
    assert not dialog.accept_button.isEnabled()  # no reason yet
    dialog.reason.setText("中心电话指派赵敏替补")
    assert dialog.accept_button.isEnabled()
    dialog.accept_button.click()
    assert dialog.list.count() == 1 and "已接受" in dialog.message.text()
    assert "1.1.1" in t.w.store(t.w.centre).current(t.w.eval_id)
    dialog.reason.setText("不是本组")
    dialog.reject_button.click()
    assert dialog.list.count() == 0 and "已拒绝" in dialog.message.text()
    assert "1.2.1" not in t.w.store(t.w.centre).current(t.w.eval_id)
    decided = db.conn.execute("SELECT decision, decided_by FROM held_changes ORDER BY id").fetchall()
    assert [tuple(r) for r in decided] == [("accepted", "中心审核员"), ("rejected", "中心审核员")]


def test_a_signed_evaluation_refuses_acceptance_in_the_window(qtbot: QtBot, teams: Teams) -> None:
    t = teams
    lead = t.w.laptops[0]
    store = t.w.store(lead, "张建国")
    for item in store.rubric("sichuan-2017-inspection", 1).items():
        store.record(t.w.eval_id, item.id, {"points": item.points, "reason": "符合要求"})
    store.sign(t.w.eval_id, [{"name": "张建国", "role": "组长"}])
    t.import_(t.w.centre, t.results(lead))
    t.w.store(t.w.laptops[1], "李秀英").record(t.w.eval_id, "4.1.1", {"problems": 2})
    t.import_(t.w.centre, t.results(t.w.laptops[1]))
    dialog = HeldDialog(t.w.db(t.w.centre), "中心审核员")
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 1 and "规则1" in dialog.list.item(0).text()
    dialog.reason.setText("想接受")
    dialog.accept_button.click()
    assert dialog.list.count() == 1 and "修订版" in dialog.message.text()
    dialog.resize(900, 360)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save(str(t.w.root / "held.png"))
