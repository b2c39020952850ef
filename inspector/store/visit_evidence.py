"""Does an evaluation's evidence belong to the visit? Its photos' capture time, position and flags.

One reading for the window's evidence strip, the printed evidence appendix and ``eval show``:

- ``other_day`` 拍摄日期不是督导当日: the capture date differs from the evaluation's visit date. The
  dates are compared as calendar days in the capture's own offset (a photo taken at 23:30 +08:00 on
  the visit day belongs to it wherever the laptop is); an evaluation without a visit date flags none;
- ``edited`` 拍摄后经过编辑: the file's EXIF says it was saved after capture (see
  :mod:`inspector.store.exif` for the reading and its limits);
- ``no_capture_time`` 无拍摄时间: a picture whose EXIF gives no readable capture time (stripped by
  a messaging app, a screenshot, a scan). This is not "edited": nothing says so.

Files that are not pictures (PDF, documents) carry no flags. A flag asks the inspector to look; it
changes no point and no stored value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.i18n import _
from inspector.rubric.model import Rubric
from inspector.store.evaluations import EvaluationStore
from inspector.store.evidence import evidence_path
from inspector.store.exif import Capture, read_capture

FLAG_MARK = "※"  # a flagged file is marked in words with this sign, never by colour alone
OTHER_DAY = "other_day"
EDITED = "edited"
NO_CAPTURE_TIME = "no_capture_time"
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".heic", ".heif", ".bmp", ".gif")


def flag_text(code: str) -> str:
    return {
        OTHER_DAY: _("拍摄日期不是督导当日"),
        EDITED: _("拍摄后经过编辑"),
        NO_CAPTURE_TIME: _("无拍摄时间"),
    }[code]


def looks_like_picture(name: str, mime: str) -> bool:
    return mime.startswith("image/") or name.lower().endswith(PICTURE_SUFFIXES)


@dataclass(frozen=True)
class EvidenceFacts:
    """One evidence file's EXIF reading and the flags it raises for one visit date."""

    capture: Capture
    flags: tuple[str, ...]
    visit_date: str | None

    @property
    def captured_at(self) -> str | None:
        """ISO 8601 with the offset (the laptop's when the photo recorded none)."""
        return self.capture.taken.isoformat() if self.capture.taken else None

    def captured_text(self) -> str | None:
        t = self.capture.taken
        if t is None:
            return None
        text = t.strftime("%Y-%m-%d %H:%M:%S")
        if self.capture.offset_assumed:
            return _("{t}（照片未记时区，按本机时间）").format(t=text)
        return f"{text} UTC{t.strftime('%z')[:3]}:{t.strftime('%z')[3:]}"

    def gps_text(self) -> str | None:
        if self.capture.gps is None:
            return None
        lat, lon = self.capture.gps
        ns = _("北纬") if lat >= 0 else _("南纬")
        ew = _("东经") if lon >= 0 else _("西经")
        return _("{ns} {lat:.6f}°，{ew} {lon:.6f}°").format(ns=ns, lat=abs(lat), ew=ew, lon=abs(lon))

    def flag_texts(self) -> list[str]:
        return [flag_text(f) for f in self.flags]

    def why(self, code: str) -> str:
        """What raised the flag, in words (the window's tooltip, the CLI's text form)."""
        c = self.capture
        if code == OTHER_DAY and c.taken is not None:
            return _("拍摄于 {d}，督导日为 {v}").format(d=c.taken.date().isoformat(), v=self.visit_date)
        if code == EDITED:
            reasons = []
            if c.modified_after and c.modified is not None:
                reasons.append(
                    _("文件修改时间 {m} 晚于拍摄时间").format(m=c.modified.strftime("%Y-%m-%d %H:%M:%S"))
                )
            if c.edited_by:
                reasons.append(_("由编辑软件保存：{s}").format(s=c.edited_by))
            return _("；").join(reasons)
        if code == NO_CAPTURE_TIME:
            if c.unreadable:
                return _("EXIF 无法读取：{tags}").format(tags="、".join(c.unreadable))
            return _("EXIF 中没有拍摄时间：已被去除，或为截图、扫描件")
        return ""

    def flag_line(self, code: str) -> str:
        """The flag and what raised it, as the window, the sheet and the command line print it."""
        why = self.why(code)
        return _("{flag}（{why}）").format(flag=flag_text(code), why=why) if why else flag_text(code)

    def lines(self) -> list[str]:
        """The reading in words, one line each, every flag marked with what raised it: what the
        window's tooltip and the printed appendix say under a photo (nothing for a document)."""
        if not (self.capture.is_picture or self.flags):
            return []
        out = [_("拍摄时间：{t}").format(t=self.captured_text() or _("无"))]
        if (gps := self.gps_text()) is not None:
            out.append(_("拍摄位置：{g}").format(g=gps))
        if self.capture.camera:
            out.append(_("相机：{c}").format(c=self.capture.camera))
        out += [f"{FLAG_MARK} " + _("注意：{flag}").format(flag=self.flag_line(f)) for f in self.flags]
        return out

    def to_json(self) -> dict[str, Any]:
        c = self.capture
        return {
            "captured_at": self.captured_at,
            "captured_offset_assumed": c.offset_assumed if c.taken else None,
            "gps": {"lat": c.gps[0], "lon": c.gps[1]} if c.gps else None,
            "camera": c.camera,
            "software": c.software,
            "modified_at": c.modified.isoformat() if c.modified else None,
            "unreadable": list(c.unreadable),
            "flags": [{"code": f, "text": flag_text(f), "why": self.why(f)} for f in self.flags],
        }


def judge(capture: Capture, visit_date: str | None, picture: bool) -> tuple[str, ...]:
    """The flags for one reading (``picture``: the file is a picture by its name or type)."""
    if not (capture.is_picture or picture):
        return ()
    flags: list[str] = []
    if capture.taken is None:
        flags.append(NO_CAPTURE_TIME)
    else:
        try:
            day = dt.date.fromisoformat(visit_date) if visit_date else None
        except ValueError:
            day = None
        if day is not None and capture.taken.date() != day:
            flags.append(OTHER_DAY)
    if capture.edited:
        flags.append(EDITED)
    return tuple(flags)


def file_facts(data: Path, sha256: str, name: str, mime: str, visit_date: str | None) -> EvidenceFacts:
    """The reading and flags of one stored evidence file."""
    capture = read_capture(evidence_path(data, sha256))
    return EvidenceFacts(capture, judge(capture, visit_date, looks_like_picture(name, mime)), visit_date)


@dataclass(frozen=True)
class VisitEvidence:
    """One evidence file of an evaluation, numbered E1, E2… in the form's item order."""

    number: str
    item_id: str
    sha256: str
    name: str
    caption: str
    mime: str
    facts: EvidenceFacts

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "item": self.item_id,
            "sha256": self.sha256,
            "name": self.name,
            "caption": self.caption,
            **self.facts.to_json(),
        }


def refs_of(payload: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
    for ref in (payload or {}).get("evidence", []):
        yield {"sha256": ref} if isinstance(ref, str) else dict(ref)


def list_evidence(
    rubric: Rubric,
    payloads: Mapping[str, Mapping[str, Any]],
    mimes: Mapping[str, str],
    data: Path,
    visit_date: str | None,
) -> list[VisitEvidence]:
    out: list[VisitEvidence] = []
    for item in rubric.items():
        for ref in refs_of(payloads.get(item.id)):
            digest = str(ref["sha256"])
            name = str(ref.get("name", ""))
            mime = mimes.get(digest, "application/octet-stream")
            out.append(
                VisitEvidence(
                    number=f"E{len(out) + 1}",
                    item_id=item.id,
                    sha256=digest,
                    name=name,
                    caption=str(ref.get("caption", "")),
                    mime=mime,
                    facts=file_facts(data, digest, name, mime, visit_date),
                )
            )
    return out


def evidence_mimes(store: EvaluationStore) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in store.conn.execute("SELECT sha256, mime FROM evidence")}


def visit_evidence(store: EvaluationStore, data: Path, eval_id: str) -> list[VisitEvidence]:
    """An evaluation's evidence with capture time, position and flags (raises NotFoundError)."""
    e = store.get(eval_id)
    rubric = store.rubric(e.rubric_id, e.rubric_version, e.rubric_hash)
    payloads = {k: cur.change.payload for k, cur in store.current(eval_id).items() if cur.change.payload}
    return list_evidence(rubric, payloads, evidence_mimes(store), data, e.visit_date)
