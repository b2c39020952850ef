"""The window and the command line do one thing one way: the same signed sheet, the same words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inspector.crypto.keys import init_ca, install_credential, issue_certificate
from inspector.store.evaluations import EvaluationStore
from tests.helpers import run
from tests.ui.conftest import evaluation

PIN = "zhang-pin-2026"


def _fields(pdf: Path) -> list[tuple[str, str]]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    with pdf.open("rb") as f:
        return [
            (s.field_name, str(s.sig_object.get("/Location"))) for s in PdfFileReader(f).embedded_signatures
        ]


def test_the_window_and_eval_sign_sign_the_sheet_alike(
    store: EvaluationStore, demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.sheet import make_sheet

    init_ca(tmp_path / "ca", "四川省职业技能鉴定指导中心", "centre-pass-2026")
    cred = issue_certificate(tmp_path / "ca", "centre-pass-2026", "张建国", "P001", "组长", PIN)
    install_credential(demo_folder, cred.p12, PIN)
    completes = [e for e in store.list_evaluations() if e.state == "complete" and e.kind == "inspection"]
    by_window, by_command = completes[0], completes[1]

    store.sign(by_window.id, [{"name": "张建国", "role": "组长"}])
    window_sheet = make_sheet(lambda _d, _t: None, demo_folder, by_window.id, "测试督导员", PIN, "组长")

    monkeypatch.setenv("INSPECTOR_PASSPHRASE", PIN)
    r = run("eval", "sign", by_command.id, "--signer", "张建国:组长", data=demo_folder)
    assert r.code == 0, r.err
    [command_sheet] = (demo_folder / "reports").glob(f"*_{by_command.id[:8]}_*.pdf")

    assert window_sheet.parent == command_sheet.parent == demo_folder / "reports"
    from cryptography import x509

    serial = format(x509.load_pem_x509_certificate(cred.certificate_pem).serial_number, "x")[:16]
    assert _fields(window_sheet) == [(f"sig_1_{serial}", by_window.org_name)]
    assert _fields(command_sheet) == [(f"sig_1_{serial}", by_command.org_name)]
    # a second signer's `pdf sign` takes the next field, in the same form
    r = run("pdf", "sign", command_sheet, "--role", "组员", data=demo_folder)
    assert r.code == 0, r.err
    assert [f for f, _loc in _fields(command_sheet)] == [f"sig_1_{serial}", f"sig_2_{serial}"]


def test_the_home_list_and_eval_list_say_the_same_words(store: EvaluationStore, demo_folder: Path) -> None:
    from ui.models.evaluations_model import EvaluationsModel, load_home_rows

    model = EvaluationsModel()
    model.set_rows(load_home_rows(lambda _d, _t: None, demo_folder, "测试督导员"))
    listed = {
        line.split("  ")[0]: line.split("  ")[1:5]
        for line in run("eval", "list", data=demo_folder).out.splitlines()
    }
    seen = set()
    for row in model.rows:
        words = [model._text(row, c) for c in ("phase", "progress", "score", "outcome")]
        assert listed[row.id] == words, (row.station, listed[row.id], words)
        seen.update(words)
    # a draft is 进行中, its score provisional (暂) and its conclusion 未完成; no score is —
    assert {"进行中", "待开始", "已签署", "—"} <= seen
    assert any(re.fullmatch(r".*（暂）", w) for w in seen)
    e = evaluation(store, state="draft")
    assert listed[e.id][0] in ("进行中", "待开始")
