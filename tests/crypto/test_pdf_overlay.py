"""A signed PDF shows what was signed (issue #14, item 6): after the first signature only new
invisible signature fields and their signatures may follow. Each test is named after the attack."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields

from inspector.crypto import keys, pdfsign
from tests.crypto.test_pdfsign import CA_PASS, CENTRE, credential, make_pdf, sign_as

N = generic.NameObject


@pytest.fixture(scope="module")
def signers(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, keys.Signer, keys.Signer]:
    ca_dir = tmp_path_factory.mktemp("centre") / "ca"
    info = keys.init_ca(ca_dir, CENTRE, CA_PASS)
    zhang = credential(ca_dir, "张三", "SC-2024-0001", "外督", "111111")
    li = credential(ca_dir, "李四", "SC-2024-0002", "内督", "222222")
    return info.certificate_pem, zhang, li


def _appearance(w: IncrementalPdfFileWriter, text: bytes, width: float = 110, height: float = 30) -> Any:
    """A form XObject that paints a white box and ``text`` over whatever lies beneath."""
    font = generic.DictionaryObject(
        {N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"), N("/BaseFont"): N("/Helvetica")}
    )
    resources = generic.DictionaryObject(
        {N("/Font"): generic.DictionaryObject({N("/F1"): w.add_object(font)})}
    )
    stream = generic.StreamObject(
        {
            N("/Type"): N("/XObject"),
            N("/Subtype"): N("/Form"),
            N("/BBox"): generic.ArrayObject(generic.FloatObject(v) for v in (0, 0, width, height)),
            N("/Resources"): resources,
        },
        stream_data=b"1 1 1 rg 0 0 %d %d re f 0 0 0 rg BT /F1 24 Tf 5 6 Td (%s) Tj ET"
        % (int(width), int(height), text),
    )
    return w.add_object(stream)


def _edit(data: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    change(w)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def overlay_field(w: IncrementalPdfFileWriter) -> None:
    """An empty signature field whose appearance paints "100" over the total."""
    fields.append_signature_field(w, fields.SigFieldSpec("sig_fake", box=(150, 722, 260, 752), on_page=0))
    for name, _value, ref in fields.enumerate_sig_fields(w):
        if name == "sig_fake":
            field = ref.get_object()
            field[N("/AP")] = generic.DictionaryObject({N("/N"): _appearance(w, b"100")})
            w.update_container(field)


def free_text_annotation(w: IncrementalPdfFileWriter) -> None:
    """A new FreeText annotation with "100" on the page."""
    page_ref = w.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    annot = generic.DictionaryObject(
        {
            N("/Type"): N("/Annot"),
            N("/Subtype"): N("/FreeText"),
            N("/Rect"): generic.ArrayObject(generic.FloatObject(v) for v in (150, 722, 260, 752)),
            N("/Contents"): generic.TextStringObject("100"),
            N("/DA"): generic.TextStringObject("/Helv 24 Tf 0 g"),
            N("/AP"): generic.DictionaryObject({N("/N"): _appearance(w, b"100")}),
            N("/P"): page_ref,
        }
    )
    annots = page.get("/Annots", generic.ArrayObject())
    annots.append(w.add_object(annot))
    page[N("/Annots")] = annots
    w.update_container(page)


def changed_signature_widget(w: IncrementalPdfFileWriter) -> None:
    """The first signature's own (invisible) widget made visible with an appearance painting "100"."""
    for name, _value, ref in fields.enumerate_sig_fields(w):
        if name == "sig_zhang":
            field = ref.get_object()
            field[N("/Rect")] = generic.ArrayObject(generic.FloatObject(v) for v in (150, 722, 260, 752))
            field[N("/AP")] = generic.DictionaryObject({N("/N"): _appearance(w, b"100")})
            w.update_container(field)


def page_content(w: IncrementalPdfFileWriter) -> None:
    """A second content stream appended to the page."""
    page = w.root["/Pages"]["/Kids"][0]
    extra = w.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 150 730 Td (100) Tj ET"))
    contents = page.raw_get("/Contents")
    page[N("/Contents")] = generic.ArrayObject([contents, extra])
    w.update_container(page)


@pytest.mark.parametrize(
    "attack",
    [overlay_field, free_text_annotation, changed_signature_widget, page_content],
    ids=lambda f: f.__name__,
)
def test_overlay_after_the_first_signature_then_a_real_second_signature(
    signers: tuple[bytes, keys.Signer, keys.Signer],
    attack: Callable[[IncrementalPdfFileWriter], None],
    tmp_path: Path,
) -> None:
    """`pdf verify` said valid, not modified, for a sheet whose page showed "100" over "86 分"."""
    ca_pem, zhang, li = signers
    first = sign_as(make_pdf(), zhang, "外督", "sig_zhang")
    forged = sign_as(_edit(first, attack), li, "内督", "sig_li")
    result = pdfsign.verify_pdf(forged, [ca_pem])
    assert result["modified_after_signing"] is True and result["valid"] is False
    assert [s["intact"] and s["trusted"] for s in result["signers"]] == [
        True,
        True,
    ]  # every signature is real
    # the forgery is visible: the page text shows the painted "100"
    path = tmp_path / "forged.pdf"
    path.write_bytes(forged)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "86" in text


def test_own_later_signatures_stay_valid(signers: tuple[bytes, keys.Signer, keys.Signer]) -> None:
    """Three signatures in turn, the program's way: each invisible, each valid, nothing modified."""
    ca_pem, zhang, li = signers
    data = make_pdf()
    for signer, role, field in (
        (zhang, "外督", "sig_zhang"),
        (li, "内督", "sig_li"),
        (zhang, "组长", "sig_lead"),
    ):
        data = sign_as(data, signer, role, field)
    result = pdfsign.verify_pdf(data, [ca_pem])
    assert result["valid"] is True and result["modified_after_signing"] is False
    assert len(result["signers"]) == 3
