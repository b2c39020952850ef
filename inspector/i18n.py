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
