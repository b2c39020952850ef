"""The bundle's outer container: a ZIP file of *stored* members in one canonical byte layout.

Why not let :mod:`zipfile` read it: a ZIP reader tolerates a lot (junk before the first member or
after the end record, timestamps, extra fields, comments, a central directory that disagrees with
the local headers). Each of those is a place where a bit can flip, or a hostile file can hide
something, without any hash noticing. Here every byte of the file is either a member's content
(covered by the signed manifest) or a header field with exactly one allowed value, so a bundle
that verifies is byte for byte the file its sender wrote. Any ZIP tool still opens it.

Layout (little-endian, PKWARE APPNOTE 6.3 subset; no ZIP64, no data descriptors)::

    for each member, in order:  local file header (30 bytes) · name · data
    for each member, in order:  central directory header (46 bytes) · name
    end of central directory record (22 bytes), no comment, at the very end of the file

Every header: version 20, flags 0, method 0 (stored), time 0, date 0x0021 (1980-01-01), no extra
field, no comment; central headers: made by 20 (MS-DOS), disk 0, internal 0, external 0 and the
member's local header offset. Names are printable ASCII.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from inspector.errors import BundleError
from inspector.i18n import _

LOCAL = struct.Struct("<IHHHHHIIIHH")
CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
END = struct.Struct("<IHHHHIIH")
LOCAL_SIG, CENTRAL_SIG, END_SIG = 0x04034B50, 0x02014B50, 0x06054B50
VERSION = 20
DOS_DATE = 0x0021
MAX_MEMBERS = 16
CHUNK = 1 << 20


class ContainerError(BundleError):
    """The container is not a well-formed bundle file (the message says which rule)."""


@dataclass(frozen=True)
class Entry:
    name: str
    header: int  # offset of the local header
    offset: int  # offset of the data
    size: int
    crc: int


def _local(name: bytes, size: int, crc: int) -> bytes:
    return LOCAL.pack(LOCAL_SIG, VERSION, 0, 0, 0, DOS_DATE, crc, size, size, len(name), 0) + name


def _central(name: bytes, size: int, crc: int, header: int) -> bytes:
    fields = (CENTRAL_SIG, VERSION, VERSION, 0, 0, 0, DOS_DATE, crc, size, size, len(name), 0, 0, 0, 0, 0)
    return CENTRAL.pack(*fields, header) + name


def write_container(f: BinaryIO, members: Sequence[tuple[str, bytes]]) -> int:
    """Write the members in the canonical layout; returns the number of bytes written."""
    pos = 0
    central = b""
    for name, data in members:
        raw = name.encode("ascii")
        crc = zlib.crc32(data)
        header = _local(raw, len(data), crc)
        f.write(header)
        f.write(data)
        central += _central(raw, len(data), crc, pos)
        pos += len(header) + len(data)
    f.write(central)
    f.write(END.pack(END_SIG, 0, 0, len(members), len(members), len(central), pos, 0))
    return pos + len(central) + END.size


def _read_exact(f: BinaryIO, offset: int, n: int, total: int, what: str) -> bytes:
    if offset + n > total:
        raise ContainerError(_("文件被截断（{what}不完整）").format(what=what))
    f.seek(offset)
    data = f.read(n)
    if len(data) != n:
        raise ContainerError(_("文件被截断（{what}不完整）").format(what=what))
    return data


def _name(raw: bytes, where: str) -> str:
    if not raw or any(b < 0x21 or b > 0x7E for b in raw):
        raise ContainerError(_("成员名称不是可打印的 ASCII 字符"), where)
    return raw.decode("ascii")


def read_container(f: BinaryIO, total: int, limit_for: Callable[[str], int | None]) -> list[Entry]:
    """Parse and check the layout; ``limit_for(name)`` is a member's size cap, or None if not allowed.

    Reads only headers: the members' contents are hashed later, against the manifest.
    """
    entries: list[Entry] = []
    pos = 0
    while pos + 4 <= total and _read_exact(f, pos, 4, total, _("文件头")) == struct.pack("<I", LOCAL_SIG):
        if len(entries) >= MAX_MEMBERS:
            raise ContainerError(_("成员过多"))
        fields = LOCAL.unpack(_read_exact(f, pos, LOCAL.size, total, _("成员头")))
        _sig, version, flags, method, time, date, crc, csize, usize, nlen, xlen = fields
        name = _name(_read_exact(f, pos + LOCAL.size, nlen, total, _("成员名称")), f"@{pos}")
        if (version, flags, method, time, date, xlen) != (VERSION, 0, 0, 0, DOS_DATE, 0) or csize != usize:
            raise ContainerError(_("成员头不是规范格式（只允许不压缩、无扩展字段）"), name)
        cap = limit_for(name)
        if cap is None:
            raise ContainerError(_("不允许的成员名称"), name)
        if any(e.name == name for e in entries):
            raise ContainerError(_("成员名称重复"), name)
        if usize > cap:
            raise ContainerError(_("成员过大（{n} 字节，上限 {cap}）").format(n=usize, cap=cap), name)
        offset = pos + LOCAL.size + nlen
        if offset + usize > total:
            raise ContainerError(_("文件被截断（{what}不完整）").format(what=name))
        entries.append(Entry(name, pos, offset, usize, crc))
        pos = offset + usize
    if not entries:
        raise ContainerError(_("不是数据包文件（没有成员）"))
    start = pos
    for e in entries:
        raw = e.name.encode("ascii")
        expected = _central(raw, e.size, e.crc, e.header)
        if _read_exact(f, pos, len(expected), total, _("中央目录")) != expected:
            raise ContainerError(_("中央目录与成员头不一致"), e.name)
        pos += len(expected)
    end = END.pack(END_SIG, 0, 0, len(entries), len(entries), pos - start, start, 0)
    if _read_exact(f, pos, END.size, total, _("结束记录")) != end:
        raise ContainerError(_("结束记录不是规范格式"))
    if pos + END.size != total:
        raise ContainerError(_("文件末尾有多余的数据"))
    return entries


def member_digest(f: BinaryIO, entry: Entry) -> str:
    """SHA-256 of a member's content, streamed; its CRC must match the header's."""
    f.seek(entry.offset)
    h = hashlib.sha256()
    crc = 0
    left = entry.size
    while left:
        chunk = f.read(min(CHUNK, left))
        if not chunk:
            raise ContainerError(_("文件被截断"), entry.name)
        h.update(chunk)
        crc = zlib.crc32(chunk, crc)
        left -= len(chunk)
    if crc != entry.crc:
        raise ContainerError(_("成员内容与其 CRC 校验值不符"), entry.name)
    return h.hexdigest()


def member_bytes(f: BinaryIO, entry: Entry) -> bytes:
    f.seek(entry.offset)
    data = f.read(entry.size)
    if len(data) != entry.size:
        raise ContainerError(_("文件被截断"), entry.name)
    if zlib.crc32(data) != entry.crc:
        raise ContainerError(_("成员内容与其 CRC 校验值不符"), entry.name)
    return data
