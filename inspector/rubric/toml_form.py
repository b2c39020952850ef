"""Rubric files: TOML read with the standard library, written back in the same layout.

Errors name the file and line: tomllib's own for malformed TOML, and for a problem in the
content the line where the offending section, item, veto or outcome starts.
"""

from __future__ import annotations

import json
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from inspector.errors import RubricError
from inspector.fileio import decode_text
from inspector.i18n import _, os_reason, toml_reason
from inspector.rubric.model import Malformed, Ref, Rubric, rubric_from_dict
from inspector.rubric.points import fmt
from inspector.rubric.ruletext import format_rule


def parse_rubric_text(text: str, name: str) -> Rubric:
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as e:
        reason, line = toml_reason(e)
        raise RubricError(
            _("TOML 格式错误：{msg}").format(msg=reason), f"{name}:{line}" if line else name
        ) from None
    try:
        return rubric_from_dict(data)
    except Malformed as e:
        raise RubricError(e.message, f"{name}:{locate_line(text, e.ref)}") from None


def load_rubric_file(path: Path) -> Rubric:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise RubricError(_("无法读取文件：{e}").format(e=os_reason(e)), str(path)) from None
    try:
        text = decode_text(raw)  # as Notepad or PowerShell saved it: a BOM, or UTF-16
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise RubricError(_("文件不是 UTF-8 编码"), f"{path}:{line}") from None
    return parse_rubric_text(text, str(path))


def locate_line(text: str, ref: Ref) -> int:
    """The line where the thing a problem is about starts (1 when it cannot be told)."""
    kind, key = ref
    header = {
        "section": "[[sections]]",
        "group": "[[sections.groups]]",
        "item": "[[sections.groups.items]]",
        "veto": "[[vetoes]]",
        "outcome": "[[outcomes]]",
    }.get(kind)
    if header is None:
        return 1
    field = {"item": "id", "veto": "id", "group": "title"}.get(kind, "code")
    if kind == "group":  # key is "SECTION/CODE TITLE"; codes may be empty or repeated, titles not
        key = key.split("/", 1)[-1].split(" ", 1)[-1]
    wanted = re.compile(rf"^\s*{field}\s*=\s*{re.escape(json.dumps(key, ensure_ascii=False))}\s*$")
    start = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[["):
            start = number if stripped == header else None
        elif start is not None and wanted.match(line):
            return start
    return 1


# -- writing ---------------------------------------------------------------------------------


def _string(value: str) -> str:
    if "\n" in value:
        body = value.replace("\\", "\\\\").replace('"""', '""\\"')
        return f'"""\n{body}"""'
    return json.dumps(value, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):  # an inline table (an item's "na")
        return (
            "{" + ", ".join(f"{k} = {json.dumps(str(v), ensure_ascii=False)}" for k, v in value.items()) + "}"
        )
    return _string(str(value))


def _pairs(data: dict[str, Any], skip: set[str]) -> list[str]:
    return [f"{k} = {_value(v)}" for k, v in data.items() if k not in skip]


def dump_rubric_toml(rubric: Rubric) -> str:
    """The rubric in the layout of the shipped files; ``parse_rubric_text`` reads it back equal."""
    data = rubric.to_dict()
    lines = [
        "# " + _("评估表文件：格式见 docs/rubric-format.md"),
        *_pairs(data, {"outcomes", "vetoes", "sections"}),
    ]
    for o in data["outcomes"]:
        lines += ["", "[[outcomes]]", *_pairs(o, set())]
    for v in data["vetoes"]:
        lines += ["", "[[vetoes]]", *_pairs(v, set())]
    for s, section in zip(data["sections"], rubric.sections, strict=True):
        lines += ["", "[[sections]]", *_pairs(s, {"groups"})]
        for g, group in zip(s["groups"], section.groups, strict=True):
            lines += ["", "[[sections.groups]]", *_pairs(g, {"items"})]
            for i, item in zip(g["items"], group.items, strict=True):
                lines += ["", "[[sections.groups.items]]", *_pairs(i, {"rule"})]
                lines.append(f"rule = {_string(format_rule(item.rule))}")
    return "\n".join(lines) + "\n"
