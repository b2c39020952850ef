"""The register of organisations: the fields of the Sichuan registration form (登记表, seed 002 附件3).

The form's fields live in ``orgs.details`` (JSON) next to the name and the organisation code
(``orgs.code``: 机构代码, the old organisation code or the unified social credit code); every value
is checked here before it is stored, the same way whether it comes from the window, a caller or a
workbook. Fields the form has that a station leaves blank are simply absent.

The workbook (``.xlsx``) the centre keeps: one sheet 机构登记 with one row per organisation and
flat columns (the form's single-valued fields), and one sheet per list on the form (管理人员,
考评人员, 督导人员, 设备设施, 近3年鉴定情况), each row keyed by the organisation's code in the
column 机构代码 (an organisation without a code is keyed by its 系统编号). Import rules:

* a row is the organisation with that code, else the one with that 系统编号 (its code is then
  changed), else a new one (keeping the 系统编号 when given, so that ids survive a round trip and
  evaluations carried from other machines still find their organisation);
* a column or a list sheet that is absent leaves those fields as they are; a blank cell clears
  its field; a list sheet that is present replaces the lists of every organisation in 机构登记;
* columns with other headers are ignored (a staffer's own notes);
* any problem refuses the whole workbook, naming the sheet and the cell; nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspector import clock
from inspector.centre.applicants import parse_applicant_type
from inspector.centre.common import new_id
from inspector.errors import InspectorError, NotFoundError, UsageError
from inspector.i18n import _
from inspector.rubric.workbook_guard import workbook_problem
from inspector.store.changes import canonical, loads
from inspector.store.db import transaction
from inspector.store.orgs import add_org, insert_org, update_org

if TYPE_CHECKING:
    import sqlite_utils

# 填表说明 2: the category is the nature of the sponsoring body.
CATEGORIES: dict[str, str] = {
    "A": "技工学校（职业培训学院、高级技校、技师学院）",
    "B": "中专、高级职业中学",
    "C": "高职、高专",
    "D": "普通高校",
    "E": "企业",
    "F": "行业（局）",
    "G": "就业训练中心",
    "H": "社会团体（协会、学会）",
    "I": "民办职业培训机构",
    "J": "其它",
}

MAIN_SHEET = "机构登记"
ID_HEADER = "系统编号"
NAME_HEADER = "机构名称"
CODE_HEADER = "机构代码"
_POST_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class Field:
    key: str
    header: str
    kind: str = "text"  # text | number | int | year | bool | date | category | post_code | applicant
    width: int = 14
    required: bool = False


# The form's single-valued fields, in the form's order. 地区 is not on the form: the centre files
# by city (市州), and the statistics group by it.
SCALARS: tuple[Field, ...] = (
    Field("category", "类别", "category", 6),
    Field("region", "地区", "text", 10),
    Field("sponsor", "举办单位", "text", 24),
    Field("address", "地址", "text", 30),
    Field("post_code", "邮编", "post_code", 8),
    Field("phone", "联系电话", "text", 14),
    Field("contact", "联系人", "text", 8),
    Field("head", "负责人", "text", 8),
    Field("approval_no", "审批文号", "text", 18),
    Field("site_area", "场地面积（m²）", "number", 10),
    Field("fee_receipt", "鉴定收费使用票据", "text", 16),
    Field("fee_fiscal_account", "收费进入财政专户", "bool", 10),
    Field("sponsor_opinion", "举办单位意见", "text", 20),
    Field("filled_on", "填表日期", "date", 11),
    # not on Sichuan's form: the end of a Chongqing organisation's filing (备案有效期), from which the
    # renewal application is due (重庆 延续备案通知 一 "备案有效期届满30日前")
    Field("filing_expires", "备案有效期至", "date", 12),
    # 重庆 延续备案通知 一、三（二）: the applicant's type decides review or scoring, and the day its
    # application materials were received starts the 10 / 20 working days (inspector.centre.applicants)
    Field("applicant_type", "评价机构类型", "applicant", 14),
    Field("application_received", "申报材料收到日期", "date", 12),
)

_PERSON = (
    Field("name", "姓名", "text", 8, required=True),
    Field("education", "学历", "text", 8),
    Field("qualification", "职业资格（专业技术职务）", "text", 20),
)


@dataclass(frozen=True)
class ListSpec:
    key: str
    sheet: str
    columns: tuple[Field, ...]


LISTS: tuple[ListSpec, ...] = (
    ListSpec(
        "management",
        "管理人员",
        (*_PERSON, Field("post", "现任职务", "text", 12), Field("employer", "工作单位", "text", 24)),
    ),
    ListSpec(
        "assessors",
        "考评人员",
        (
            *_PERSON,
            Field("occupation", "考评职业（工种）", "text", 16),
            Field("employer", "工作单位", "text", 24),
        ),
    ),
    ListSpec(
        "supervisors",
        "督导人员",
        (
            *_PERSON,
            Field("occupation", "考评职业（工种）", "text", 16),
            Field("employer", "工作单位", "text", 24),
        ),
    ),
    ListSpec(
        "equipment",
        "设备设施",
        (
            Field("name", "名称", "text", 20, required=True),
            Field("model", "规格（型号）", "text", 16),
            Field("quantity", "数量", "int", 8),
        ),
    ),
    ListSpec(
        "appraisals",
        "近3年鉴定情况",
        (
            Field("year", "年度", "year", 8, required=True),
            Field("occupation", "职业（工种）", "text", 18, required=True),
            Field("junior", "初级（人）", "int", 10),
            Field("intermediate", "中级（人）", "int", 10),
            Field("senior", "高级（人）", "int", 10),
        ),
    ),
)

SCALAR_KEYS = frozenset(f.key for f in SCALARS)
LIST_KEYS = frozenset(s.key for s in LISTS)

# The form's single fields a station holds and may propose corrections to (inspector.centre.
# corrections): all but the centre's own filing (地区, the Chongqing filing's term).
STATION_FIELDS: tuple[str, ...] = tuple(f.key for f in SCALARS if f.key not in ("region", "filing_expires"))


def scalar_field(key: str) -> Field:
    """The single-valued field with this key (KeyError for another)."""
    for f in SCALARS:
        if f.key == key:
            return f
    raise KeyError(key)


# -- checking one value --------------------------------------------------------------------------


def _text(raw: Any) -> str:
    """Cell text: a whole number typed into a text column (a phone, a post code) loses its ``.0``."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    return str(raw).strip()


def _number(raw: Any, f: Field, where: str) -> Decimal:
    if isinstance(raw, bool):
        raise UsageError(_("{field}应为数字，收到“{v}”").format(field=f.header, v=raw), where)
    try:
        d = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise UsageError(_("{field}应为数字，收到“{v}”").format(field=f.header, v=raw), where) from None
    if not d.is_finite() or d < 0:
        raise UsageError(_("{field}应为不小于 0 的数字，收到“{v}”").format(field=f.header, v=raw), where)
    if d.adjusted() >= 15:  # "1e999999" is finite, but a million digits stop every later step
        raise UsageError(_("{field}的数字太大，收到“{v}”").format(field=f.header, v=raw), where)
    return d


def clean_value(f: Field, raw: Any, where: str) -> Any:
    """One field's value as stored, or None for a blank; refused with ``where`` when malformed."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if f.required:
            raise UsageError(_("{field}不能为空").format(field=f.header), where)
        return None
    if f.kind == "text":
        return _text(raw)
    if f.kind == "number":
        d = _number(raw, f, where)
        return int(d) if d == d.to_integral_value() else d
    if f.kind in ("int", "year"):
        d = _number(raw, f, where)
        if d != d.to_integral_value():
            raise UsageError(_("{field}应为整数，收到“{v}”").format(field=f.header, v=raw), where)
        n = int(d)
        if f.kind == "year" and not 1990 <= n <= 2100:
            raise UsageError(_("{field}应为四位年份，收到“{v}”").format(field=f.header, v=raw), where)
        return n
    if f.kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = _text(raw)
        if text in ("是", "1", "true", "True", "TRUE"):
            return True
        if text in ("否", "0", "false", "False", "FALSE"):
            return False
        raise UsageError(_("{field}应填“是”或“否”，收到“{v}”").format(field=f.header, v=raw), where)
    if f.kind == "date":
        if isinstance(raw, dt.datetime):
            return raw.date().isoformat()
        if isinstance(raw, dt.date):
            return raw.isoformat()
        try:
            return dt.date.fromisoformat(_text(raw)).isoformat()
        except ValueError:
            raise UsageError(
                _("{field}应为日期（YYYY-MM-DD），收到“{v}”").format(field=f.header, v=raw), where
            ) from None
    if f.kind == "category":
        text = _text(raw).upper()
        if text not in CATEGORIES:
            raise UsageError(_("类别应为 A–J 中的一个字母（登记表填表说明），收到“{v}”").format(v=raw), where)
        return text
    if f.kind == "applicant":
        try:
            return parse_applicant_type(_text(raw))
        except UsageError as e:
            raise UsageError(e.message, where) from None
    if f.kind == "post_code":
        text = _text(raw)
        if not _POST_CODE.match(text):
            raise UsageError(_("邮编应为 6 位数字，收到“{v}”").format(v=raw), where)
        return text
    raise AssertionError(f.kind)


def clean_register(data: Mapping[str, Any], where: str = "register") -> dict[str, Any]:
    """The register fields of ``data`` checked; a None or blank scalar means "clear the field"."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in SCALAR_KEYS:
            f = next(f for f in SCALARS if f.key == key)
            out[key] = clean_value(f, value, f"{where}.{key}")
        elif key in LIST_KEYS:
            spec = next(s for s in LISTS if s.key == key)
            if not isinstance(value, Sequence) or isinstance(value, str):
                raise UsageError(_("{sheet}应为列表").format(sheet=spec.sheet), f"{where}.{key}")
            out[key] = [_clean_entry(spec, entry, f"{where}.{key}[{i}]") for i, entry in enumerate(value)]
        else:
            raise UsageError(_("登记表没有这一项"), f"{where}.{key}")
    return out


def _clean_entry(spec: ListSpec, entry: Any, where: str) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        raise UsageError(_("{sheet}的每一行应为一组字段").format(sheet=spec.sheet), where)
    known = {f.key for f in spec.columns}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise UsageError(_("{sheet}没有这一项").format(sheet=spec.sheet), f"{where}.{unknown[0]}")
    row = {f.key: clean_value(f, entry.get(f.key), f"{where}.{f.key}") for f in spec.columns}
    return {k: v for k, v in row.items() if v is not None}


# -- reading and writing the register in the store ---------------------------------------------------


def _merge(details: dict[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(details)
    for key, value in fields.items():
        if value is None or value == []:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def set_register(
    db: sqlite_utils.Database, org_id: str, fields: Mapping[str, Any], where: str = "register"
) -> dict[str, Any]:
    """Update some register fields of one organisation (a None or empty value clears the field);
    a refusal names ``where`` and the field."""
    cleaned = clean_register(fields, where)
    with transaction(db) as conn:
        row = conn.execute("SELECT details FROM orgs WHERE id = ?", (org_id,)).fetchone()
        if row is None:
            raise NotFoundError(_("没有这个机构"), org_id)
        update_org(conn, org_id, details=_merge(loads(row[0]), cleaned))
    return get_register(db, org_id)


def add_registered(
    db: sqlite_utils.Database, name: str, code: str | None, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """A new organisation with its register fields: all checked before anything is stored."""
    details = _merge({}, clean_register(fields, (name or "").strip() or "register"))
    return get_register(db, add_org(db, name, code, details)["id"])


def _entry(row: sqlite3.Row, due: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    details = loads(row["details"])
    out: dict[str, Any] = {"id": row["id"], "name": row["name"], "code": row["code"]}
    for f in SCALARS:
        out[f.key] = details.get(f.key)
    for spec in LISTS:
        out[spec.key] = list(details.get(spec.key, []))
    out["category_name"] = CATEGORIES.get(out["category"] or "")
    out["reregistration"] = due.get(row["id"], [])
    return out


def get_register(db: sqlite_utils.Database, org_id: str) -> dict[str, Any]:
    row = db.conn.execute("SELECT id, name, code, details FROM orgs WHERE id = ?", (org_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("没有这个机构"), org_id)
    return _entry(row, reregistrations_due(db, org_id))


def register_entries(db: sqlite_utils.Database, ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Every organisation (or those of ``ids``: a plan's stations out of a province's register) with
    every register field (None or [] where blank), by code then name; ``reregistration``: the
    accepted corrections that call for re-registration not yet done."""
    due = reregistrations_due(db)
    where, params = "", tuple[str, ...]()
    if ids is not None:
        where, params = " WHERE id IN (SELECT value FROM json_each(?))", (canonical(sorted(set(ids))),)
    rows = db.conn.execute(
        "SELECT id, name, code, details FROM orgs" + where + " ORDER BY code IS NULL, code, name, id", params
    )
    return [_entry(r, due) for r in rows]


# -- corrections applied: the history of the register and re-registration --------------------------


def apply_correction(
    conn: sqlite3.Connection, org_id: str, key: str, value: Any, *, by: str, source: str, at: str
) -> Any:
    """Inside the caller's transaction: set one single-valued field (already checked; None clears
    it) and append the change to the register's history. Returns the value it replaces."""
    row = conn.execute("SELECT details FROM orgs WHERE id = ?", (org_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("没有这个机构"), org_id)
    details = loads(row[0])
    old = details.get(key)
    update_org(conn, org_id, details=_merge(details, {key: value}))
    conn.execute(
        "INSERT INTO register_history (id, org_id, field, old_value, new_value, changed_at, changed_by,"
        " source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (new_id(), org_id, key, canonical(old), canonical(value), at, by, source),
    )
    return old


def mark_reregistration(
    conn: sqlite3.Connection, correction_id: str, org_id: str, key: str, rule: Mapping[str, Any], at: str
) -> None:
    """Inside the caller's transaction: the entry needs re-registration because of this correction."""
    conn.execute(
        "INSERT INTO reregistrations (correction_id, org_id, field, rule, marked_at) VALUES (?, ?, ?, ?, ?)",
        (correction_id, org_id, key, canonical(dict(rule)), at),
    )


def reregistered(db: sqlite_utils.Database, org_id: str, on: dt.date, by: str, where: str = "on") -> int:
    """The centre records the re-registration done (the new 许可证 issued): every open mark of the
    organisation closes on that day. Returns how many closed; refused when none is open, and when
    the day is after today (a re-registration is recorded once done; ``where`` names the option)."""
    today = dt.date.fromisoformat(clock.now()[:10])  # the local day, from the one clock
    if on > today:
        raise UsageError(
            _("重新登记的日期 {d} 在今天（{t}）之后：只能记录已经办完的重新登记").format(
                d=on.isoformat(), t=today.isoformat()
            ),
            where,
        )
    get_register(db, org_id)  # refuses an unknown organisation
    with transaction(db) as conn:
        closed = conn.execute(
            "UPDATE reregistrations SET done_on = ?, done_by = ? WHERE org_id = ? AND done_on IS NULL",
            (on.isoformat(), by, org_id),
        ).rowcount
    if not closed:
        raise UsageError(_("该机构没有待办的重新登记"), org_id)
    return int(closed)


def reregistrations_due(
    db: sqlite_utils.Database, org_id: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Open re-registration marks by organisation: field, the rule's clause, since when, which correction."""
    sql = "SELECT correction_id, org_id, field, rule, marked_at FROM reregistrations WHERE done_on IS NULL"
    args: tuple[str, ...] = ()
    if org_id is not None:
        sql += " AND org_id = ?"
        args = (org_id,)
    out: dict[str, list[dict[str, Any]]] = {}
    for r in db.conn.execute(sql + " ORDER BY marked_at, correction_id", args):
        out.setdefault(r["org_id"], []).append(
            {
                "correction": r["correction_id"],
                "field": r["field"],
                "header": scalar_field(r["field"]).header,
                "rule": loads(r["rule"]),
                "since": r["marked_at"],
            }
        )
    return out


def register_history(db: sqlite_utils.Database, org_id: str) -> list[dict[str, Any]]:
    """The changes made to an organisation's register fields through decisions, oldest first."""
    rows = db.conn.execute(
        "SELECT field, old_value, new_value, changed_at, changed_by, source FROM register_history"
        " WHERE org_id = ? ORDER BY changed_at, id",
        (org_id,),
    )
    return [
        {
            "field": r["field"],
            "old": loads(r["old_value"]),
            "new": loads(r["new_value"]),
            "at": r["changed_at"],
            "by": r["changed_by"],
            "source": r["source"],
        }
        for r in rows
    ]


def scope_levels() -> tuple[tuple[str, str], ...]:
    return (("junior", _("初级")), ("intermediate", _("中级")), ("senior", _("高级")))


def scope(entry: Mapping[str, Any], levels: tuple[tuple[str, str], ...] | None = None) -> str:
    """The occupations and levels appraised in the last three years, as a published list shows them
    (``levels``: :func:`scope_levels`, given once by a caller listing 100,000 stations)."""
    appraisals = entry.get("appraisals") or []
    if not appraisals:
        return ""
    levels = levels or scope_levels()
    found: dict[str, set[str]] = {}
    for a in appraisals:
        for key, _label in levels:
            if a.get(key):
                found.setdefault(a["occupation"], set()).add(key)
    parts = []
    for occupation in sorted(found):
        names = "、".join(label for key, label in levels if key in found[occupation])
        parts.append(f"{occupation}（{names}）")
    return "；".join(parts)


# -- the workbook -----------------------------------------------------------------------------------


@dataclass
class _Row:
    where: str  # the row's 机构名称 cell, for messages about the row as a whole
    org_id: str | None
    name: str
    code: str | None
    scalars: dict[str, Any]
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def _cell(sheet: str, col: int, row: int) -> str:
    # openpyxl (20 MB) is imported where a workbook is read or written, not with the register: the
    # window reads the register on opening a folder (issue 18, P1)
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(col + 1)}{row}"


def _headers(sheet: str, rows: Iterator[tuple[Any, ...]], required: Iterable[str]) -> dict[str, int]:
    first = next(rows, None) or ()
    found: dict[str, int] = {}
    for i, value in enumerate(first):
        if value is None or not str(value).strip():
            continue
        text = str(value).strip()
        if text in found:
            raise UsageError(_("表头“{h}”重复").format(h=text), _cell(sheet, i, 1))
        found[text] = i
    for header in required:
        if header not in found:
            raise UsageError(_("缺少表头“{h}”").format(h=header), f"{sheet}!1")
    return found


def _value(row: tuple[Any, ...], col: int | None) -> Any:
    return row[col] if col is not None and col < len(row) else None


def _blank(row: tuple[Any, ...]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _read_main(ws: Any) -> list[_Row]:
    # Read the sheet to the end first: a half-read sheet keeps its file open until collected.
    rows = iter(list(ws.iter_rows(values_only=True)))
    cols = _headers(MAIN_SHEET, rows, (NAME_HEADER, CODE_HEADER))
    present = [f for f in SCALARS if f.header in cols]
    out: list[_Row] = []
    codes: dict[str, str] = {}
    ids: dict[str, str] = {}
    for n, values in enumerate(rows, start=2):
        if _blank(values):
            continue
        name_cell = _cell(MAIN_SHEET, cols[NAME_HEADER], n)
        name = _text(_value(values, cols[NAME_HEADER]) or "")
        if not name:
            raise UsageError(_("机构名称不能为空"), name_cell)
        code_cell = _cell(MAIN_SHEET, cols[CODE_HEADER], n)
        code = _text(_value(values, cols[CODE_HEADER]) or "") or None
        org_id = _text(_value(values, cols.get(ID_HEADER)) or "") or None
        if code is None and org_id is None:
            raise UsageError(_("机构代码不能为空（没有代码的机构须填系统编号）"), code_cell)
        if code is not None:
            if code in codes:
                raise UsageError(
                    _("机构代码 {code} 重复：已见于 {cell}").format(code=code, cell=codes[code]), code_cell
                )
            codes[code] = code_cell
        if org_id is not None:
            id_cell = _cell(MAIN_SHEET, cols[ID_HEADER], n)
            if org_id in ids:
                raise UsageError(
                    _("系统编号 {id} 重复：已见于 {cell}").format(id=org_id, cell=ids[org_id]), id_cell
                )
            ids[org_id] = id_cell
        scalars = {
            f.key: clean_value(f, _value(values, cols[f.header]), _cell(MAIN_SHEET, cols[f.header], n))
            for f in present
        }
        out.append(_Row(name_cell, org_id, name, code, scalars))
    return out


def _read_list(ws: Any, spec: ListSpec, rows_by_key: Mapping[str, _Row]) -> None:
    # Read the sheet to the end first: a half-read sheet keeps its file open until collected.
    rows = iter(list(ws.iter_rows(values_only=True)))
    cols = _headers(spec.sheet, rows, (CODE_HEADER, *(f.header for f in spec.columns if f.required)))
    for row in rows_by_key.values():
        row.lists[spec.key] = []
    for n, values in enumerate(rows, start=2):
        if _blank(values):
            continue
        key_cell = _cell(spec.sheet, cols[CODE_HEADER], n)
        key = _text(_value(values, cols[CODE_HEADER]) or "")
        if not key:
            raise UsageError(_("机构代码不能为空"), key_cell)
        owner = rows_by_key.get(key)
        if owner is None:
            raise UsageError(
                _("机构代码 {code} 不在“{sheet}”表中").format(code=key, sheet=MAIN_SHEET), key_cell
            )
        entry = {}
        for f in spec.columns:
            col = cols.get(f.header)
            value = clean_value(f, _value(values, col), _cell(spec.sheet, col if col is not None else 0, n))
            if value is not None:
                entry[f.key] = value
        owner.lists[spec.key].append(entry)


def read_register_workbook(path: Path) -> list[_Row]:
    """Parse and check a whole register workbook; nothing is stored."""
    problem = workbook_problem(path)
    if problem is not None:
        raise UsageError(problem, str(path))
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise UsageError(_("文件不存在"), str(path)) from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise UsageError(_("无法读取工作簿：{e}").format(e=e), str(path)) from None
    except Exception:  # a damaged file fails inside openpyxl in many ways (XML, zlib…): one message
        raise UsageError(_("工作簿已损坏，无法读取"), str(path)) from None
    try:
        return _read_workbook(wb, path)
    except InspectorError:
        raise
    except Exception:  # read_only reads the sheets lazily: damage shows while the rows are read
        raise UsageError(_("工作簿已损坏，无法读取"), str(path)) from None
    finally:
        wb.close()


def _read_workbook(wb: Any, path: Path) -> list[_Row]:
    if MAIN_SHEET not in wb.sheetnames:
        raise UsageError(_("工作簿中没有“{sheet}”表").format(sheet=MAIN_SHEET), str(path))
    rows = _read_main(wb[MAIN_SHEET])
    by_key: dict[str, _Row] = {}
    for r in rows:
        by_key[r.code or r.org_id or ""] = r
        if r.code is None and r.org_id is not None:
            by_key[r.org_id] = r
    for spec in LISTS:
        if spec.sheet in wb.sheetnames:
            _read_list(wb[spec.sheet], spec, by_key)
    return rows


def import_register(db: sqlite_utils.Database, path: Path) -> ImportSummary:
    """Bring a register workbook into the store, all of it or (on any problem) none of it."""
    rows = read_register_workbook(path)
    created = updated = unchanged = 0
    with transaction(db) as conn:
        seen: dict[str, str] = {}
        for r in rows:
            found = None
            if r.code is not None:
                found = conn.execute(
                    "SELECT id, name, code, details FROM orgs WHERE code = ?", (r.code,)
                ).fetchone()
            if found is None and r.org_id is not None:
                found = conn.execute(
                    "SELECT id, name, code, details FROM orgs WHERE id = ?", (r.org_id,)
                ).fetchone()
            fields = {**r.scalars, **r.lists}
            if found is None:
                org_id = r.org_id or new_id()
                insert_org(conn, org_id, r.name, r.code, _merge({}, fields))
                created += 1
                seen[org_id] = r.where
                continue
            org_id = found["id"]
            if org_id in seen:
                raise UsageError(
                    _("与 {cell} 所在行是同一机构（代码或系统编号相同）").format(cell=seen[org_id]), r.where
                )
            seen[org_id] = r.where
            details = _merge(loads(found["details"]), fields)
            if (found["name"], found["code"], loads(found["details"])) == (r.name, r.code, details):
                unchanged += 1
                continue
            update_org(conn, org_id, name=r.name, code=r.code, set_code=True, details=details)
            updated += 1
    return ImportSummary(created, updated, unchanged)
