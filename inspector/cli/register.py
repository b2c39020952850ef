"""``inspector register propose|corrections|accept|reject|reregistered|history``: corrections to the
登记表 a station proposes and the centre decides one by one (inspector.centre.corrections)."""

from __future__ import annotations

from typing import Any

import click

from inspector.cli.common import Context, emit_json, pass_context
from inspector.i18n import _


@click.group()
def register() -> None:
    """登记表更正：鉴定站（所）提出，中心逐项接受或拒绝；从不自动生效。"""


def _shown(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def _only_org(ctx: Context) -> str:
    from inspector.errors import UsageError
    from inspector.store.orgs import list_orgs

    orgs = list_orgs(ctx.db)
    if len(orgs) != 1:
        raise UsageError(_("本文件夹登记了 {n} 个机构：请用 --org 指定是哪一个").format(n=len(orgs)))
    return str(orgs[0]["id"])


def _line(p: dict[str, Any]) -> str:
    from inspector.centre.corrections import decision_name

    state = decision_name(p["decision"])
    if p["origin"] == "own":
        state = _("已随数据包 {b} 发出").format(b=p["sent_bundle"]) if p["sent_bundle"] else _("未发出")
    line = _("{id} [{state}] {org} {field}：{old} → {new}（{reason}；{by}，{at}）").format(
        id=p["id"],
        state=state,
        org=p["org_name"],
        field=p["header"],
        old=_shown(p["old"]),
        new=_shown(p["new"]),
        reason=p["reason"],
        by=p["by"],
        at=p["proposed_at"][:16].replace("T", " "),
    )
    if p.get("signer"):
        line += _("  签名：{s}").format(s=p["signer"])
    if "current" in p and p["current"] != p["old"]:
        line += _("  注意：中心现登记为 {v}").format(v=_shown(p["current"]))
    rule = p.get("reregistration")
    if rule:
        line += _("  需重新登记（{doc} {art}）").format(doc=rule["document"], art=rule["article"])
    if p["decision_reason"]:
        line += _("  理由：{r}").format(r=p["decision_reason"])
    return line


@register.command("propose")
@click.argument("field")
@click.argument("value")
@click.option("--reason", required=True, help="更正的理由")
@click.option("--org", "org_id", default=None, help="机构编号（文件夹只登记了一个机构时可省略）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def register_propose(
    ctx: Context, field: str, value: str, reason: str, org_id: str | None, as_json: bool
) -> None:
    """提出一项登记表更正（FIELD 为项目名，如 负责人、联系电话、场地面积（m²），或其键名 head、phone；
    VALUE 为新值，空文字表示清除）。更正随下一个发给中心的数据包送出，由中心决定，本机登记不变。"""
    from inspector.centre.corrections import propose
    from inspector.store.evaluations import default_author

    p = propose(ctx.db, org_id or _only_org(ctx), field, value, reason, ctx.user or default_author())
    if as_json:
        emit_json(p)
        return
    click.echo(_("已提出更正：{line}").format(line=_line(p)))


@register.command("corrections")
@click.option("--org", "org_id", default=None, help="只列这个机构的")
@click.option("--all", "show_all", is_flag=True, help="连同已决定的")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def register_corrections(ctx: Context, org_id: str | None, show_all: bool, as_json: bool) -> None:
    """列出登记表更正：中心收到待决定的，本机提出的（未发出或已发出）；--all 连同已决定的。"""
    from inspector.centre.corrections import corrections, pending

    waiting = {p["id"]: p for p in pending(ctx.db, org_id)}
    found = [waiting.get(p["id"], p) for p in corrections(ctx.db, org_id, decided=show_all)]
    if as_json:
        emit_json(found)
        return
    if not found:
        click.echo(_("没有登记表更正"))
    for p in found:
        click.echo(_line(p))


def _decide(ctx: Context, proposal_id: str, accept: bool, reason: str | None, as_json: bool) -> None:
    from inspector.centre.corrections import decide
    from inspector.store.evaluations import default_author

    p = decide(ctx.db, proposal_id, accept, ctx.user or default_author(), reason)
    if as_json:
        emit_json(p)
        return
    click.echo(_line(p))
    rule = p["reregistration"]
    if rule:
        click.echo(
            _("该机构需重新登记并换发许可证：{doc} {art}“{quote}”").format(
                doc=rule["document"], art=rule["article"], quote=rule["quote"]
            )
        )


@register.command("accept")
@click.argument("proposal_id")
@click.option("--reason", default=None, help="接受的说明（可省略）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def register_accept(ctx: Context, proposal_id: str, reason: str | None, as_json: bool) -> None:
    """接受一项收到的登记表更正：写入登记并记入登记变更历史；规则册要求时标为需重新登记。"""
    _decide(ctx, proposal_id, True, reason, as_json)


@register.command("reject")
@click.argument("proposal_id")
@click.option("--reason", required=True, help="拒绝的理由（记录在案）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def register_reject(ctx: Context, proposal_id: str, reason: str, as_json: bool) -> None:
    """拒绝一项收到的登记表更正：登记不变，理由留档。"""
    _decide(ctx, proposal_id, False, reason, as_json)


@register.command("reregistered")
@click.argument("org_id")
@click.option("--on", "on", required=True, help="重新登记（换发许可证）的日期 YYYY-MM-DD")
@pass_context
def register_reregistered(ctx: Context, org_id: str, on: str) -> None:
    """记录机构已重新登记：解除“需重新登记”标记。"""
    from inspector.centre.common import parse_day
    from inspector.centre.register import reregistered
    from inspector.store.evaluations import default_author

    n = reregistered(ctx.db, org_id, parse_day(on, "--on"), ctx.user or default_author(), "--on")
    click.echo(_("已记录重新登记（{n} 项更正）").format(n=n))


@register.command("history")
@click.argument("org_id")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def register_history_cmd(ctx: Context, org_id: str, as_json: bool) -> None:
    """列出机构登记经更正而变更的历史。"""
    from inspector.centre.corrections import wire
    from inspector.centre.register import get_register, register_history, scalar_field

    get_register(ctx.db, org_id)  # refuses an unknown organisation
    rows = [{**h, "old": wire(h["old"]), "new": wire(h["new"])} for h in register_history(ctx.db, org_id)]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo(_("登记没有经更正变更过"))
    for h in rows:
        click.echo(
            _("{at} {field}：{old} → {new}（{by}）").format(
                at=h["at"][:16].replace("T", " "),
                field=scalar_field(h["field"]).header,
                old=_shown(h["old"]),
                new=_shown(h["new"]),
                by=h["by"],
            )
        )
