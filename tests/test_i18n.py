"""The English catalogue against the source: every ``_("…")`` string translated, nothing stale.

The source strings are Chinese (the users' language); ``resources/translations/en.json`` maps each
of them to English. The extraction below walks ``inspector/`` and ``ui/`` with :mod:`ast` and
collects every string literal passed directly as the first argument of a call to ``_``. When a test
here fails after you added a message, add its English to en.json (sorted keys, ``ensure_ascii=False``,
``indent=2``); ``python tests/test_i18n.py`` prints the entries that are missing or stale.

Keep every ``{placeholder}`` exactly. A fragment that the code glues onto something else
(``_("分")`` after a number, ``_("（加分项）")`` after a title, ``_("错误：")`` before a message) carries
its own leading or trailing space in English: " pts", " (bonus items)", "Error: ".
"""

from __future__ import annotations

import ast
import json
import re
import string
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from inspector import i18n

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("inspector", "ui")
CATALOGUE = ROOT / "resources" / "translations" / "en.json"

# {name}, {name!r}, {name:>4}: the fields str.format fills. Literal braces in examples such as
# {"problems": 1} or {kind = "all_or_nothing"} are not fields and are not compared.
_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?)\}(?!\})")


@dataclass(frozen=True)
class Use:
    """One ``_("…")`` call in the source."""

    text: str
    path: Path
    line: int
    formatted: bool  # the result is immediately ``.format(…)``-ed


@dataclass(frozen=True)
class BadCall:
    """A ``_(…)`` call whose argument no catalogue can match (an f-string, a concatenation…)."""

    path: Path
    line: int
    what: str


def source_files() -> Iterator[Path]:
    for name in SOURCE_DIRS:
        folder = ROOT / name
        if folder.is_dir():
            yield from sorted(folder.rglob("*.py"))


def _is_translation_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"


def _is_click_decorator(node: ast.expr) -> bool:
    """``@click.command(…)``, ``@click.group()``, ``@eval_.command("list")`` …"""
    func = node.func if isinstance(node, ast.Call) else node
    return isinstance(func, ast.Attribute) and func.attr in ("command", "group")


def _help_texts(tree: ast.AST, path: Path) -> list[Use]:
    """The command line's help: ``help="…"`` of options and the docstrings of commands and groups.

    Click keeps them as written; ``inspector.cli.params.prepare`` translates them when a command is
    loaded (after ``--lang`` is read), so ``inspector --lang en … --help`` is English."""
    found: list[Use] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if (
                    kw.arg == "help"
                    and isinstance(kw.value, ast.Constant)
                    and isinstance(kw.value.value, str)
                ):
                    found.append(Use(kw.value.value, path, kw.value.lineno, False))
        elif isinstance(node, ast.FunctionDef) and any(_is_click_decorator(d) for d in node.decorator_list):
            doc = ast.get_docstring(node)
            if doc:
                found.append(Use(doc, path, node.lineno, False))
    return found


def scan(path: Path) -> tuple[list[Use], list[BadCall]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    formatted: set[int] = set()  # id() of the _() calls that are receivers of .format
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and _is_translation_call(node.func.value)
        ):
            formatted.add(id(node.func.value))
    uses: list[Use] = []
    bad: list[BadCall] = []
    if path.parent.name == "cli":
        uses += _help_texts(tree, path)
    for node in ast.walk(tree):
        if not _is_translation_call(node):
            continue
        assert isinstance(node, ast.Call)
        if not node.args:
            continue
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            uses.append(Use(first.value, path, node.lineno, id(node) in formatted))
        elif isinstance(first, ast.JoinedStr):
            bad.append(BadCall(path, node.lineno, "f-string"))
        elif isinstance(first, ast.BinOp):
            bad.append(BadCall(path, node.lineno, "concatenation"))
        # a name or an attribute (_(label)) is translated where its value was collected
    return uses, bad


def collect() -> tuple[dict[str, list[Use]], list[BadCall]]:
    strings: dict[str, list[Use]] = {}
    bad: list[BadCall] = []
    for path in source_files():
        uses, calls = scan(path)
        bad += calls
        for use in uses:
            strings.setdefault(use.text, []).append(use)
    return strings, bad


def fields(text: str) -> set[str]:
    return set(_FIELD.findall(text))


def load_catalogue() -> dict[str, str]:
    with CATALOGUE.open(encoding="utf-8") as f:
        data = json.load(f)
    assert isinstance(data, dict)
    return data


def where(uses: list[Use]) -> str:
    u = uses[0]
    return f"{u.path.relative_to(ROOT)}:{u.line}"


@pytest.fixture(scope="module")
def source() -> dict[str, list[Use]]:
    strings, _bad = collect()
    return strings


@pytest.fixture(scope="module")
def catalogue() -> dict[str, str]:
    return load_catalogue()


# -- the extraction itself ----------------------------------------------------------------------


def test_extraction_sees_known_strings(source: dict[str, list[Use]]) -> None:
    # A string in an f-string's replacement field, one before .format, one plain.
    assert "分" in source
    assert source["每个{unit}扣{per}分"][0].formatted
    assert not source["扣分必须写明理由"][0].formatted
    assert len(source) > 100


def test_extraction_of_a_sample(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from inspector.i18n import _\n"
        "a = _('甲')\n"
        "b = _('乙{n}').format(n=1)\n"
        "c = f\"{_('丙')}!\"\n"
        "d = _(f'丁{a}')\n"
        "e = _(a)\n"
        "f = g('戊')\n",
        encoding="utf-8",
    )
    uses, bad = scan(sample)
    assert [(u.text, u.formatted) for u in sorted(uses, key=lambda u: u.line)] == [
        ("甲", False),
        ("乙{n}", True),
        ("丙", False),
    ]
    assert [(b.line, b.what) for b in bad] == [(5, "f-string")]


def test_fields() -> None:
    assert fields("{unit}{n}个，扣{lost}分（{rule}）") == {"unit", "n", "lost", "rule"}
    assert fields("分值“{key}”应为数字，收到 {v!r}") == {"key", "v!r"}
    assert fields('观察结果应为 JSON 对象，例如 {"problems": 1}') == set()
    assert fields("计分规则应为表，例如 {kind = …}") == set()
    assert fields("{{n}} 不是字段") == set()


# -- the catalogue against the source -----------------------------------------------------------


def test_catalogue_is_well_formed(catalogue: dict[str, str]) -> None:
    assert all(isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in catalogue.items())
    text = CATALOGUE.read_text(encoding="utf-8")
    assert text == json.dumps(catalogue, ensure_ascii=False, sort_keys=True, indent=2) + "\n", (
        "en.json: write it with sort_keys=True, ensure_ascii=False, indent=2 and a final newline"
    )


def test_no_untranslatable_calls() -> None:
    _strings, bad = collect()
    assert not bad, "_() needs a plain string literal, not " + "; ".join(
        f"{b.what} at {b.path.relative_to(ROOT)}:{b.line}" for b in bad
    )


def test_every_source_string_is_translated(source: dict[str, list[Use]], catalogue: dict[str, str]) -> None:
    missing = {s: where(u) for s, u in source.items() if s not in catalogue}
    assert not missing, "add to resources/translations/en.json:\n" + "\n".join(
        f"  {json.dumps(s, ensure_ascii=False)}  ({at})" for s, at in sorted(missing.items())
    )


def test_no_stale_entries(source: dict[str, list[Use]], catalogue: dict[str, str]) -> None:
    stale = sorted(set(catalogue) - set(source))
    assert not stale, "no longer in the source, remove from en.json:\n" + "\n".join(
        f"  {json.dumps(s, ensure_ascii=False)}" for s in stale
    )


def test_placeholders_are_kept(source: dict[str, list[Use]], catalogue: dict[str, str]) -> None:
    wrong = []
    for text, uses in source.items():
        english = catalogue.get(text)
        if english is None:
            continue
        if fields(english) != fields(text):
            wrong.append(f"{text!r} has {sorted(fields(text))}, {english!r} has {sorted(fields(english))}")
            continue
        if any(u.formatted for u in uses):
            # the English must format exactly as the Chinese does: no stray or unbalanced braces
            names = {f.split("!")[0].split(":")[0] for f in fields(text)}
            try:
                string.Formatter().vformat(english, (), dict.fromkeys(names, 1))
            except (ValueError, KeyError, IndexError) as e:
                wrong.append(f"{english!r} does not format: {e}")
    assert not wrong, "\n".join(wrong)


# -- the translation function ---------------------------------------------------------------------


@pytest.fixture
def english() -> Iterator[None]:
    before = i18n.language()
    i18n.set_language("en")
    try:
        yield
    finally:
        i18n.set_language(before if before != "en" else "zh")


def test_english_is_used(english: None, catalogue: dict[str, str]) -> None:
    from inspector.i18n import _

    assert _("扣分必须写明理由") == catalogue["扣分必须写明理由"]
    assert _("每个{unit}扣{per}分").format(unit="problem", per="1") == "Deduct 1 per problem"
    for source_text, english_text in catalogue.items():
        assert _(source_text) == english_text


def test_unknown_string_falls_back_to_source(english: None) -> None:
    from inspector.i18n import _

    assert _("这句话不在任何目录里") == "这句话不在任何目录里"


def test_chinese_is_the_source() -> None:
    from inspector.i18n import _

    before = i18n.language()
    i18n.set_language("zh")
    try:
        assert _("扣分必须写明理由") == "扣分必须写明理由"
    finally:
        i18n.set_language(before)


def test_messages_in_english_end_to_end(english: None) -> None:
    from decimal import Decimal

    from inspector.rubric.observations import parse_observation
    from inspector.rubric.ruletext import parse_rule

    rule = parse_rule("扣分 每个=1 单位=问题 不得分=3")
    scored = rule.score(Decimal(3), parse_observation({"problems": 2}, "4.1.1"), "4.1.1")
    assert scored.points == 1
    assert scored.reason is not None
    # the unit (问题) is the rubric's own word and stays; every word of the program is English
    assert not re.search(r"[\u4e00-\u9fff]", scored.reason.replace("问题", "")), scored.reason


# -- keeping the catalogue current ----------------------------------------------------------------


def report() -> int:
    """Print the entries to add (with an empty translation) and the stale ones; 1 if any."""
    strings, _bad = collect()
    catalogue = load_catalogue() if CATALOGUE.exists() else {}
    missing = {s: "" for s in strings if s not in catalogue}
    stale = sorted(set(catalogue) - set(strings))
    if missing:
        print("missing:")
        print(json.dumps(missing, ensure_ascii=False, sort_keys=True, indent=2))
    if stale:
        print("stale:")
        print("\n".join(stale))
    return 1 if missing or stale else 0


if __name__ == "__main__":
    sys.exit(report())


def test_toml_reasons_are_in_the_users_language() -> None:
    import tomllib

    cases = {
        "foo bar\n": ("键之后应有“=”", 1),
        "a = 1\na = 2\n": ("同一个值写了两次", 2),
        "[t]\n[t]\n": ("[t]", 2),  # "Cannot declare ('t',) twice": the user's key kept
        'a = "x': ("字符串缺少结束的引号", None),  # at the end of the file: no line
        "a = @\n": ("无效的值", 1),
    }
    for text, (words, line) in cases.items():
        with pytest.raises(tomllib.TOMLDecodeError) as e:
            tomllib.loads(text)
        reason, at = i18n.toml_reason(e.value)
        assert (words in reason or words.strip("[]") in reason) and at == line, (text, reason, at)
        assert not any(w in reason for w in ("Expected", "Cannot", "Invalid", "Unterminated")), reason
    i18n.set_language("en")
    try:
        with pytest.raises(tomllib.TOMLDecodeError) as e:
            tomllib.loads("foo bar\n")
        assert i18n.toml_reason(e.value)[0].startswith("Expected “=” after a key")
    finally:
        i18n.set_language("zh")


def test_clicks_own_words_are_in_the_users_language() -> None:
    """click's "Usage:", "Options", "Error: Missing argument" came out English in a Chinese line."""
    from tests.helpers import run

    missing = run("eval", "record")
    assert missing.code == 2 and "用法：" in missing.err and "缺少参数 'EVAL_ID'" in missing.err
    assert "Usage" not in missing.err and "Missing" not in missing.err and "Error" not in missing.err
    helped = run("eval", "--help")
    assert "选项" in helped.out and "显示此帮助并退出。" in helped.out and "Options" not in helped.out
    bad = run("stats", "--year", "x")
    assert "'--year' 的值无效" in bad.err and "integer" not in bad.err
    english = run("--lang", "en", "eval", "record")
    assert "Usage:" in english.err and "Missing argument 'EVAL_ID'" in english.err
