"""Rulebook files (``rulebooks/*.toml``) read and checked like rubric files.

A problem names the file and the line of the ``[[rules]]`` (or ``[[not_modelled]]``) table it is
in; malformed TOML gives tomllib's own line. The layout is in docs/rulebooks.md.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path

from inspector.centre.rulebook import (
    STRENGTHS,
    Clause,
    Milestone,
    NotModelled,
    Rule,
    Rulebook,
    Step,
    rule_kinds,
)
from inspector.errors import RubricError
from inspector.i18n import _, os_reason, toml_reason

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
TOP_KEYS = {
    "id",
    "title",
    "issuer",
    "document",
    "year",
    "rubrics",
    "based_on",
    "rules",
    "not_modelled",
    "notes",
}
RULE_KEYS = {
    "key",
    "strength",
    "article",
    "quote",
    "document",
    "params",
    "reading",
    "note",
    "milestones",
    "steps",
}

Resolver = Callable[[str], Rulebook]


class RulebookError(RubricError):
    """A rulebook file is malformed (a rubric-like data file: same handling everywhere)."""


def _rule_lines(text: str, header: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == header]


def parse_rulebook_text(text: str, name: str, resolve: Resolver | None = None) -> Rulebook:
    """A rulebook from TOML text; ``resolve`` finds the rulebooks named in ``based_on``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        reason, line = toml_reason(e)
        raise RulebookError(
            _("TOML 格式错误：{msg}").format(msg=reason), f"{name}:{line}" if line else name
        ) from None
    rule_lines = _rule_lines(text, "[[rules]]")
    skip_lines = _rule_lines(text, "[[not_modelled]]")

    def fail(message: str, line: int = 1) -> RulebookError:
        return RulebookError(message, f"{name}:{line}")

    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise fail(_("未知的键：{k}").format(k="、".join(unknown)))
    for key in ("id", "title", "issuer", "document"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise fail(_("缺少 {k}（文字）").format(k=key))
    if not _ID.match(data["id"]):
        raise fail(_("id 只能由小写字母、数字和连字符组成：{v}").format(v=data["id"]))
    if not isinstance(data.get("year"), int):
        raise fail(_("缺少 year（年份，整数）"))
    for key in ("rubrics", "based_on"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(_("{k} 应为文字列表").format(k=key))
    kinds = rule_kinds()
    rules: dict[str, Rule] = {}
    for base_id in data.get("based_on", []):
        if resolve is None:
            raise fail(_("无法解析 based_on：{id}").format(id=base_id))
        for r in resolve(base_id).rules:
            rules[r.key] = r
    own_keys: set[str] = set()
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise fail(_("rules 应为 [[rules]] 表的列表"))
    for index, raw in enumerate(raw_rules):
        line = rule_lines[index] if index < len(rule_lines) else 1
        if not isinstance(raw, dict):
            raise fail(_("rules 应为 [[rules]] 表的列表"), line)
        extra = sorted(set(raw) - RULE_KEYS)
        if extra:
            raise fail(_("规则中未知的键：{k}").format(k="、".join(extra)), line)
        key = str(raw.get("key"))
        if key not in kinds:
            raise fail(
                _("未知的规则 key：{k}（可用：{all}）").format(k=key, all="、".join(sorted(kinds))), line
            )
        if key in own_keys:
            raise fail(_("规则 {k} 重复").format(k=key), line)
        own_keys.add(key)
        strength = str(raw.get("strength"))
        if strength not in STRENGTHS:
            raise fail(_("strength 应为 must、principle 或 centre，收到 {v}").format(v=strength), line)
        article, quote = raw.get("article", ""), raw.get("quote", "")
        clause = None
        if strength == "centre":
            if not str(raw.get("note", "")).strip():
                raise fail(_("本中心自定的规则须在 note 中写明理由"), line)
            if quote or article:
                clause = Clause(str(raw.get("document", data["document"])), str(article), str(quote))
        else:
            if not (
                isinstance(article, str) and article.strip() and isinstance(quote, str) and quote.strip()
            ):
                raise fail(_("文件规定的规则须有条款（article）和原文（quote）"), line)
            clause = Clause(str(raw.get("document", data["document"])), article, quote)
        params = raw.get("params", {})
        if not isinstance(params, dict):
            raise fail(_("params 应为表"), line)
        spec = kinds[key].params
        extra = sorted(set(params) - set(spec))
        if extra:
            raise fail(_("规则 {k} 没有参数 {p}").format(k=key, p="、".join(extra)), line)
        for pname, p in spec.items():
            if pname not in params:
                if p.required:
                    raise fail(_("规则 {k} 缺少参数 {p}").format(k=key, p=pname), line)
                continue
            value = params[pname]
            if not isinstance(value, p.kind) or isinstance(value, bool):
                raise fail(_("规则 {k} 的参数 {p} 类型不对").format(k=key, p=pname), line)
            if p.choices and value not in p.choices:
                raise fail(
                    _("规则 {k} 的参数 {p} 应为 {c} 之一").format(k=key, p=pname, c="、".join(p.choices)),
                    line,
                )
            if isinstance(value, int) and value < 1:
                raise fail(_("规则 {k} 的参数 {p} 应为正整数").format(k=key, p=pname), line)
        # 郑州办法 第十条 / 福建办法 第二章八 exclude nobody automatically: only the centre may choose to
        if key == "annual_assessment" and params.get("action") == "exclude" and strength != "centre":
            raise fail(
                _('年度考核不合格者不予委派不是文件的规定：只能作为本中心自定（strength = "centre"）'), line
            )
        if key == "reregistration":
            from inspector.centre.register import STATION_FIELDS

            fields = params["fields"]
            wrong = [f for f in fields if not isinstance(f, str) or f not in STATION_FIELDS]
            if not fields or wrong:
                raise fail(
                    _("reregistration 的 fields 应列出登记表的项目（{all}）").format(
                        all="、".join(STATION_FIELDS)
                    ),
                    line,
                )
        milestones = []
        for m in raw.get("milestones", []):
            if not isinstance(m, dict) or set(m) != {"name", "due", "quote"}:
                raise fail(_("milestones 每项须有 name、due（MM-DD）、quote"), line)
            if not _MONTH_DAY.match(str(m["due"])):
                raise fail(_("milestones 的 due 应写成 MM-DD：{v}").format(v=m["due"]), line)
            milestones.append(Milestone(str(m["name"]), str(m["due"]), str(m["quote"])))
        if key == "milestones" and not milestones:
            raise fail(_("milestones 规则须列出各阶段"), line)
        steps = []
        for st in raw.get("steps", []):
            if not isinstance(st, dict) or set(st) != {"name", "quote"}:
                raise fail(_("steps 每项须有 name、quote"), line)
            steps.append(Step(str(st["name"]), str(st["quote"])))
        if key == "procedure" and len({st.name for st in steps}) != len(steps or [None]):
            raise fail(_("procedure 规则须依次列出各步骤（名称不重复）"), line)
        rules[key] = Rule(
            key=key,
            strength=strength,  # checked above
            clause=clause,
            params=dict(params),
            reading=str(raw.get("reading", "")),
            note=str(raw.get("note", "")),
            milestones=tuple(milestones),
            steps=tuple(steps),
            source=data["id"],
        )
    skipped = []
    for index, raw in enumerate(data.get("not_modelled", [])):
        line = skip_lines[index] if index < len(skip_lines) else 1
        if not isinstance(raw, dict) or set(raw) != {"article", "quote", "reason"}:
            raise fail(_("not_modelled 每项须有 article、quote、reason"), line)
        skipped.append(NotModelled(str(raw["article"]), str(raw["quote"]), str(raw["reason"])))
    order = list(kinds)
    return Rulebook(
        id=data["id"],
        title=data["title"].strip(),
        issuer=data["issuer"].strip(),
        document=data["document"].strip(),
        year=data["year"],
        rubrics=tuple(data.get("rubrics", [])),
        based_on=tuple(data.get("based_on", [])),
        rules=tuple(sorted(rules.values(), key=lambda r: order.index(r.key))),
        not_modelled=tuple(skipped),
        notes=str(data.get("notes", "")).strip(),
    )


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise RulebookError(_("无法读取文件：{e}").format(e=os_reason(e)), str(path)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise RulebookError(_("文件不是 UTF-8 编码"), f"{path}:{line}") from None


def load_rulebook_file(path: Path, resolve: Resolver | None = None) -> Rulebook:
    return parse_rulebook_text(read_text(path), str(path), resolve)
