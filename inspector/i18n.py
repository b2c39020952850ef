"""The one translation function.

Source strings are Chinese, the users' language. ``_("…")`` returns the string in the chosen
language: Chinese unless ``INSPECTOR_LANG=en`` (or :func:`set_language`) picks the English
catalogue in ``resources/translations/en.json``. A string missing from a catalogue falls back to
the Chinese source, never to nothing. Both the core and the window use this function, so a
tool (``tests/test_i18n.py``) can find every user-visible string in the source.
"""

from __future__ import annotations

import json
import os
from functools import cache

from inspector.paths import resources_dir

SOURCE_LANGUAGE = "zh"
_language = os.environ.get("INSPECTOR_LANG", SOURCE_LANGUAGE)


@cache
def catalogue(language: str) -> dict[str, str]:
    if language == SOURCE_LANGUAGE:
        return {}
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
