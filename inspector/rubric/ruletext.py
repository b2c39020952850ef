"""The short text form of a rule, for the workbook's 计分规则 column.

A centre staffer reads and edits it in Excel::

    全有全无
    是否
    记录
    酌情            酌情 步长=0.5
    扣分 每个=1 单位=问题 不得分=3
    扣分 每个=0.4 单位=缺少的岗位 最多=10
    分档
    2 | 问题=0 | 符合要求
    1 | 问题<=2 | 发现2个以内一般性问题
    0 | 问题>3 | 问题超过3个或问题严重
    分组
    1 | 体系文件发布前应得到所(站)长的批准
    1 | 体系文件内容清晰，容易查阅

The first line names the kind and its parameters; each further line is a tier (points, optional
condition, the document's words) or a criterion (deduction, text). ``format_rule`` and
``parse_rule`` are exact inverses for every rule.
"""

from __future__ import annotations

from inspector.i18n import _
from inspector.rubric.conditions import parse_condition
from inspector.rubric.points import fmt
from inspector.rubric.rules import (
    AllOrNothing,
    Checklist,
    Criterion,
    Deduct,
    Discretionary,
    Grouped,
    Rule,
    Tier,
    Tiers,
    YesNo,
    rule_from_dict,
)

_WORDS = {
    "all_or_nothing": "全有全无",
    "yes_no": "是否",
    "checklist": "记录",
    "deduct": "扣分",
    "tiers": "分档",
    "grouped": "分组",
    "discretionary": "酌情",
}
_KINDS = {v: k for k, v in _WORDS.items()}
_DEDUCT_KEYS = {"每个": "per", "单位": "unit", "不得分": "zero_at", "最多": "of"}
_DISCRETIONARY_KEYS = {"步长": "step"}


def format_rule(rule: Rule) -> str:
    head = _WORDS[rule.kind]
    if isinstance(rule, Deduct):
        head += f" 每个={fmt(rule.per)} 单位={rule.unit}"
        if rule.zero_at is not None:
            head += f" 不得分={rule.zero_at}"
        if rule.of is not None:
            head += f" 最多={rule.of}"
        return head
    if isinstance(rule, Discretionary):
        return head + (f" 步长={fmt(rule.step)}" if rule.step is not None else "")
    if isinstance(rule, Tiers):
        lines = [
            " | ".join([fmt(t.points)] + ([t.when.text()] if t.when else []) + [t.label]) for t in rule.tiers
        ]
        return "\n".join([head, *lines])
    if isinstance(rule, Grouped):
        return "\n".join([head, *(f"{fmt(c.deduct)} | {c.text}" for c in rule.criteria)])
    assert isinstance(rule, (AllOrNothing, YesNo, Checklist))
    return head


def _params(words: list[str], keys: dict[str, str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or key not in keys:
            raise ValueError(
                _("无法理解的参数“{word}”；可用：{keys}").format(
                    word=word, keys="、".join(f"{k}=…" for k in keys)
                )
            )
        name = keys[key]
        if name in ("zero_at", "of"):
            if not value.isdigit():
                raise ValueError(_("“{key}”应为正整数：{v}").format(key=key, v=value))
            out[name] = int(value)
        else:
            out[name] = value
    return out


def parse_rule(text: str) -> Rule:
    """A rule from its text form; raises ValueError with a message for the user."""
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    if not lines:
        raise ValueError(_("计分规则为空"))
    head, *rest = lines
    kind_word, *words = head.split()
    kind = _KINDS.get(kind_word)
    if kind is None:
        raise ValueError(
            _("未知的计分规则“{word}”；可用：{kinds}").format(word=kind_word, kinds="、".join(_KINDS))
        )
    if kind in ("tiers", "grouped"):
        if words:
            raise ValueError(_("“{word}”后面不带参数，档次或条目逐行书写").format(word=kind_word))
        if not rest:
            raise ValueError(_("“{word}”后面应逐行列出档次或条目").format(word=kind_word))
    elif rest:
        raise ValueError(_("“{word}”只有一行").format(word=kind_word))
    if kind == "deduct":
        return rule_from_dict({"kind": kind, **_params(words, _DEDUCT_KEYS)})
    if kind == "discretionary":
        return rule_from_dict({"kind": kind, **_params(words, _DISCRETIONARY_KEYS)})
    if kind == "tiers":
        tiers = []
        for line in rest:
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 2:
                points, label = parts
                when = None
            elif len(parts) == 3:
                points, cond, label = parts
                when = parse_condition(cond)
            else:
                raise ValueError(_("档次应写成“分值 | 条件 | 说明”或“分值 | 说明”：{line}").format(line=line))
            tiers.append({"points": points, "label": label, **({"when": when.text()} if when else {})})
        return rule_from_dict({"kind": kind, "tiers": tiers})
    if kind == "grouped":
        criteria = []
        for line in rest:
            deduct, sep, body = line.partition("|")
            if not sep:
                raise ValueError(_("条目应写成“扣分 | 内容”：{line}").format(line=line))
            criteria.append({"text": body.strip(), "deduct": deduct.strip()})
        return rule_from_dict({"kind": kind, "criteria": criteria})
    if words:
        raise ValueError(_("“{word}”不带参数").format(word=kind_word))
    return rule_from_dict({"kind": kind})


__all__ = ["Criterion", "Tier", "format_rule", "parse_rule"]
