"""What an .xlsx file must not ask of this machine before openpyxl is let near it.

openpyxl builds an object for every cell of a merged range when it loads a worksheet: one merged
range ``A1:XFD1048576`` in a workbook of a few kilobytes asked for 23.8 GB and the kernel killed
the program. The merged ranges are read here from the worksheet XML itself (streamed, never parsed
as a whole) and a workbook whose ranges, or whose unpacked XML, exceed what any rubric or register
needs is refused with the reason. Everything else is left to the readers, which turn whatever a
damaged file makes openpyxl raise into one clear message.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from inspector.i18n import _

MAX_MERGED_CELLS = 100_000  # all merged ranges of a sheet together; a rubric merges a few hundred
MAX_XML_BYTES = 256 << 20  # unpacked worksheet and shared-string XML; a register is a few MiB
_MERGE = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Za-z]{1,3})(\d{1,7}):([A-Za-z]{1,3})(\d{1,7})\""
)
_CHUNK = 1 << 20


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def workbook_problem(path: Path) -> str | None:
    """Why ``path`` must not be loaded, or None (also for a file that is not a zip: the reader says so)."""
    try:
        z = zipfile.ZipFile(path)
    except Exception:  # BadZipFile, NotImplementedError ("zip file version 15.8")…: the reader says so
        return None
    with z:
        xml = [i for i in z.infolist() if i.filename.startswith("xl/") and i.filename.endswith(".xml")]
        if sum(i.file_size for i in xml) > MAX_XML_BYTES:
            return _("工作簿解压后过大（超过 {n} MB），不是评估表或登记表").format(n=MAX_XML_BYTES >> 20)
        for info in xml:
            if not info.filename.startswith("xl/worksheets/"):
                continue
            merged = 0
            tail = b""
            try:
                with z.open(info) as f:
                    while chunk := f.read(_CHUNK):
                        text = tail + chunk
                        cut = text.rfind(b"<")  # a tag cut at the chunk's end is read with the next
                        for m in _MERGE.finditer(text, 0, cut if cut > 0 else len(text)):
                            rows = abs(int(m.group(4)) - int(m.group(2))) + 1
                            cols = abs(_column(m.group(3)) - _column(m.group(1))) + 1
                            merged += rows * cols
                            if merged > MAX_MERGED_CELLS:
                                ref = b"".join(m.groups()[:2]) + b":" + b"".join(m.groups()[2:])
                                return _("合并单元格范围过大（{ref}，工作表 {sheet}）").format(
                                    ref=ref.decode("ascii"), sheet=info.filename.rsplit("/", 1)[-1]
                                )
                        tail = text[cut:] if cut > 0 else b""
                        if len(tail) > _CHUNK:
                            tail = b""
            except Exception:  # damaged deflate, a lying header: the reader reports the file as damaged
                return None
    return None
