"""inspector.fileio under Windows' conditions (simulated): files held open by another program, and
text files as Notepad and PowerShell save them."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from inspector import fileio
from inspector.errors import StoreError
from inspector.fileio import atomic_document, atomic_path, decode_text, scratch_folder, write_bytes_atomic
from tests.windows_sim import HeldFiles


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> HeldFiles:
    return HeldFiles(monkeypatch)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_brief_hold_is_waited_out(tmp_path: Path, held: HeldFiles) -> None:
    target = tmp_path / "sheet.pdf"
    target.write_bytes(b"old")
    held.hold(target, times=3)  # an antivirus scanning it: three refusals, then let go
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert len(held.refused) == 3
    assert leftovers(tmp_path) == []


def test_a_document_held_open_is_saved_beside_it(tmp_path: Path, held: HeldFiles) -> None:
    target = tmp_path / "评分表.pdf"
    target.write_bytes(b"the print still open in WPS")
    (tmp_path / "评分表 (2).pdf").write_bytes(b"an earlier copy")
    held.hold(target)
    with atomic_document(target) as saving:
        saving.tmp.write_bytes(b"new")
    assert saving.beside and saving.path == tmp_path / "评分表 (3).pdf"
    assert saving.path.read_bytes() == b"new"
    assert target.read_bytes() == b"the print still open in WPS"  # untouched
    assert (tmp_path / "评分表 (2).pdf").read_bytes() == b"an earlier copy"  # never overwritten
    assert leftovers(tmp_path) == []
    assert "已另存为" in fileio.saved_beside_message(target, saving.path)


def test_a_file_held_for_good_is_refused_clearly_and_unchanged(tmp_path: Path, held: HeldFiles) -> None:
    target = tmp_path / "inspector.sqlite3.keys"
    target.write_bytes(b"old")
    held.hold(target)
    # the temporary cannot be deleted at first either (the scanner has it): no other error replaces ours
    held.hold_matching(lambda p: p.name.startswith(".inspector.sqlite3.keys."), times=2)
    with pytest.raises(StoreError, match="正被其他程序打开") as e, atomic_path(target) as tmp:
        tmp.write_bytes(b"new")
    assert e.value.where == str(target)
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_a_temporary_that_stays_held_is_left_not_raised(tmp_path: Path, held: HeldFiles) -> None:
    target = tmp_path / "a.pdf"
    held.hold(target)
    held.hold_matching(lambda p: p.name.startswith(".a.pdf."))
    with pytest.raises(StoreError, match="正被其他程序打开"), atomic_path(target) as tmp:
        tmp.write_bytes(b"x")
    assert not target.exists()


def test_a_scratch_folder_left_behind_does_not_fail_the_work(tmp_path: Path, held: HeldFiles) -> None:
    done = False
    with scratch_folder(dir=tmp_path) as folder:
        (folder / "signature.png").write_bytes(b"png")
        held.hold(folder / "signature.png")  # the antivirus still scanning it at clean-up
        done = True
    assert done
    assert (folder / "signature.png").exists()  # left behind, harmless


def test_posix_permission_errors_are_not_in_use() -> None:
    assert not fileio.in_use(PermissionError(13, "denied"))
    e = OSError(22, "x")
    e.winerror = 32  # type: ignore[attr-defined]
    assert fileio.in_use(e)


TEXT = '# 评估标准\nname = "整改"\n'


@pytest.mark.parametrize(
    "raw",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8
        + TEXT.encode("utf-8"),  # Notepad's "UTF-8 with BOM", PowerShell 5's Set-Content -Encoding UTF8
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),  # Notepad's "Unicode", PowerShell 5's > and Out-File
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        codecs.BOM_UTF8 + TEXT.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16le", "utf16be", "crlf-bom"],
)
def test_text_as_windows_saves_it(raw: bytes) -> None:
    assert decode_text(raw).replace("\r\n", "\n") == TEXT


def test_other_encodings_are_refused_with_a_position() -> None:
    raw = "ok\n评估".encode("gb18030")
    with pytest.raises(UnicodeDecodeError) as e:
        decode_text(raw)
    assert raw[: e.value.start].count(b"\n") == 1


def test_json_with_a_bom_parses() -> None:
    assert json.loads(decode_text(codecs.BOM_UTF8 + b'{"a": 1}')) == {"a": 1}
