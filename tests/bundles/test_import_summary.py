"""What an import says it did: the signed sheet that came back is named, not passed over in silence."""

from __future__ import annotations

from inspector.bundles.importer import ImportReport


def test_the_summary_says_a_signed_pdf_arrived() -> None:
    report = ImportReport(
        bundle="b1", kind="results", sender={"name": "王芳"}, created="", added={"changes": 63, "pdfs": 1}
    )
    lines = report.summary()
    assert any("签署的 PDF 1 份" in line and "pdfs/" in line for line in lines), lines


def test_no_pdf_no_line() -> None:
    report = ImportReport(
        bundle="b1", kind="results", sender={"name": "王芳"}, created="", added={"changes": 2}
    )
    assert not any("PDF" in line for line in report.summary())


def test_who_decides_a_held_change_is_who_holds_it() -> None:
    """On a team lead's laptop the lead decides what is held there; at the centre, the centre
    (the centre's side is checked through a real import in test_authority)."""
    held = [{"kind": "observe", "rule": "final"}]
    laptop = ImportReport(bundle="b1", kind="results", sender={"name": "李秀英"}, created="", held=held)
    (line,) = [line for line in laptop.summary() if "搁置" in line]
    assert "本机" in line and "中心" not in line, line
    centre = ImportReport(
        bundle="b1", kind="results", sender={"name": "李秀英"}, created="", held=held, at_centre=True
    )
    assert any("待中心逐条接受或拒绝" in line for line in centre.summary())
