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
