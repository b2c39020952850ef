"""Sign-off: a signature per person, stored as evidence; signing locks; amending opens a revision."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from inspector.store.evaluations import EvaluationStore
from inspector.store.evidence import evidence_path
from tests.ui.conftest import Window, evaluation
from ui import signoff
from ui.signature_pad import SignaturePad


def sign_name(window: Window, pad: SignaturePad, offset: int) -> None:
    """A short scribble with the mouse, as a person signs."""
    bot = window.qtbot
    y = pad.height() // 2
    bot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(20 + offset, y))
    for k in range(1, 12):
        bot.mouseMove(pad, QPoint(20 + offset + 12 * k, y + (8 if k % 2 else -8)))
    bot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(20 + offset + 140, y))


def test_sign_off_stores_signatures_and_locks(
    window: Window, store: EvaluationStore, demo_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    e = evaluation(store, state="complete", rubric="sichuan-2017-inspection", kind="inspection")
    hooked: list[signoff.SignedEvaluation] = []
    monkeypatch.setattr(signoff, "FINISH_HOOKS", [hooked.append])
    window.start(e.id, "scoring")
    window.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # summary
    window.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # sign-off
    assert window.w.view() == "signoff"
    page = window.w.signoff
    names = [r.name.text() for r in page.rows]
    assert names[:3] == ["张建国", "李秀英", "王志强"] and names[3] == ""  # the team, then the station

    page.sign()
    assert "姓名" in page.message.text(), "signed without the representative's name"
    page.rows[3].name.setFocus()
    window.type("Zhao Li")
    page.sign()
    assert "尚未签名" in page.message.text(), "signed without signatures"
    assert store.get(e.id).state == "complete"
    assert not page.sign_button.isEnabled(), "signable before the total and conclusion were confirmed"

    for n, row in enumerate(page.rows):
        sign_name(window, row.pad, n * 5)
        assert not row.pad.is_empty()
    page.confirm.setChecked(True)  # the total and conclusion were read
    window.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # sign

    assert store.get(e.id).state == "signed"
    signed = [c.payload for c in store.signatures(e.id)]
    assert [s["name"] for s in signed] == ["张建国", "李秀英", "王志强", "Zhao Li"]
    assert signed[3]["role"] == "机构代表"
    for s in signed:
        png = evidence_path(demo_folder, s["signature"])
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len({s["signature"] for s in signed}) == 4
    assert [h.eval_id for h in hooked] == [e.id] and hooked[0].signers == signed

    # locked: the summary shows the signatures, the scoring view is read-only
    assert window.w.view() == "finish"
    assert "Zhao Li" in window.w.finish.browser.toPlainText()
    window.key(Qt.Key.Key_Escape)
    view = window.w.scoring.item_view
    assert view is not None and view.editor is not None and not view.editor.isEnabled()
    assert window.w.scoring.locked.isVisible()
    before = len(store.changes(e.id))
    window.type("1")
    window.key(Qt.Key.Key_Return)
    assert len(store.changes(e.id)) == before
    assert window.w.amend_action.isEnabled()

    # amend: a new revision carrying the answers, opened at once
    monkeypatch.setattr("ui.amend.ask_reason", lambda *_a, **_k: "score of 2.1.1 mistyped")
    window.key(Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    session = window.w.session
    assert session is not None and session.eval_id != e.id
    amended = store.get(session.eval_id)
    assert amended.revision == 2 and amended.amend_reason == "score of 2.1.1 mistyped"
    assert amended.state == "complete" and not session.read_only
    assert store.get(e.id).state == "signed"


def test_signature_pad_image_is_the_strokes(qtbot: object) -> None:
    pad = SignaturePad()
    pad.resize(400, 120)
    assert pad.is_empty()
    pad.add_stroke([(10, 60), (200, 40), (390, 80)])
    image = pad.to_image(scale=2)
    assert (image.width(), image.height()) == (800, 240)
    assert image.pixelColor(400, 80).alpha() > 0  # ink where the stroke turns
    assert image.pixelColor(5, 5).alpha() == 0  # transparent elsewhere
    pad.clear()
    assert pad.is_empty()
