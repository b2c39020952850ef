"""The one translation function.

Source strings are Chinese, the users' language. ``_("…")`` returns the string in the chosen
language: Chinese unless ``INSPECTOR_LANG=en`` (or :func:`set_language`) picks the English
catalogue in ``resources/translations/en.json``. A string missing from a catalogue falls back to
the Chinese source, never to nothing. Both the core and the window use this function, so a
tool (``tests/test_i18n.py``) can find every user-visible string in the source.
"""

from __future__ import annotations

import os
import re
from functools import cache

from inspector.paths import resources_dir

SOURCE_LANGUAGE = "zh"
_language = os.environ.get("INSPECTOR_LANG", SOURCE_LANGUAGE)


@cache
def catalogue(language: str) -> dict[str, str]:
    if language == SOURCE_LANGUAGE:
        return {}
    import json  # here: the source language reads no catalogue (the window's start, issue 18 P1)

    path = resources_dir() / "translations" / f"{language}.json"
    try:
        with path.open(encoding="utf-8") as f:
            data: dict[str, str] = json.load(f)
    except FileNotFoundError:
        return {}
    return data


def set_language(language: str) -> None:
    global _language
    _language = language


def language() -> str:
    return _language


def _(source: str) -> str:
    return catalogue(_language).get(source, source)


def os_reason(e: OSError) -> str:
    """Why the system refused a file, in the user's language: the C library's ``strerror`` is
    English whatever the interface says ("No such file or directory" in a Chinese message)."""
    import errno

    said = {
        errno.ENOENT: _("文件或文件夹不存在"),
        errno.EACCES: _("没有权限"),
        errno.EPERM: _("没有权限"),
        errno.EISDIR: _("这是文件夹，不是文件"),
        errno.ENOTDIR: _("路径中有一段不是文件夹"),
        errno.ENOSPC: _("磁盘已满"),
        errno.EROFS: _("磁盘只读（U 盘可能有写保护）"),
        errno.EEXIST: _("已有同名文件"),
        errno.EBUSY: _("文件正被其他程序占用"),
        errno.EIO: _("读写出错（U 盘可能已拔出或损坏）"),
        errno.ENAMETOOLONG: _("文件名过长"),
    }.get(e.errno or 0)
    return said or e.strerror or str(e)


# tomllib's messages (Python 3.11-3.13, tomllib/_parser.py), each with " (at line L, column C)" or
# " (at end of document)" after it. The key quoted in some of them is the user's own text.
def _toml_said() -> dict[str, str]:
    return {
        "Invalid statement": _("无效的语句：每行应为“键 = 值”、[表名] 或 [[表名]]"),
        "Expected newline or end of document after a statement": _("一条语句之后应换行"),
        "Expected '=' after a key in a key/value pair": _("键之后应有“=”"),
        "Expected ']' at the end of a table declaration": _("表名的末尾缺少“]”"),
        "Expected ']]' at the end of an array declaration": _("表数组名的末尾缺少“]]”"),
        "Cannot overwrite a value": _("同一个值写了两次"),
        "Invalid initial character for a key part": _("键的第一个字符无效（含中文或空格的键要加引号）"),
        "Unclosed array": _("数组没有闭合（缺少“]”）"),
        "Unclosed inline table": _("行内表没有闭合（缺少“}”）"),
        "Unescaped '\\' in a string": _("字符串中有未转义的“\\”（路径请用单引号或写成“\\\\”）"),
        "Invalid hex value": _("无效的十六进制值"),
        "Escaped character is not a Unicode scalar value": _("转义的字符不是有效的 Unicode 字符"),
        "Unterminated string": _("字符串缺少结束的引号"),
        "Invalid date or datetime": _("无效的日期或时间"),
        "Invalid value": _("无效的值（文字要加引号，日期写成 2025-01-01）"),
    }


def _toml_keyed() -> tuple[tuple[re.Pattern[str], str], ...]:
    return (
        (re.compile(r"^Expected (.+)$"), _("此处应为 {x}")),
        (re.compile(r"^Found invalid character (.+)$"), _("无效的字符 {x}")),
        (re.compile(r"^Illegal character (.+)$"), _("不允许的字符 {x}")),
        (re.compile(r"^Cannot declare (.+) twice$"), _("{x} 声明了两次")),
        (re.compile(r"^Cannot mutate immutable namespace (.+)$"), _("不能再向 {x} 添加内容")),
        (re.compile(r"^Cannot redefine namespace (.+)$"), _("不能重新定义 {x}")),
        (re.compile(r"^Duplicate inline table key (.+)$"), _("行内表中的键 {x} 重复")),
    )


_TOML_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def toml_reason(e: ValueError) -> tuple[str, int | None]:
    """Why a TOML file was refused, in the user's language, and its line (None: the end of the
    file, or not known): tomllib's messages are English whatever the interface says."""
    text = str(e)
    m = _TOML_AT.search(text)
    said = _TOML_AT.sub("", text).strip()
    line = int(m.group(1)) if m and m.group(1) else None
    reason = _toml_said().get(said)
    if reason is None:
        for pattern, zh in _toml_keyed():
            k = pattern.match(said)
            if k:
                reason = zh.format(x=k.group(1))
                break
    if reason is None:
        reason = _("无法解析")
    if m and m.group(1):
        reason += _("（第 {c} 列）").format(c=m.group(2))
    elif m:
        reason += _("（在文件末尾）")
    return reason, line
