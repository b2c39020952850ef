"""The station's side on the command line (issue 19).

``inspector keys issue-station`` (the centre issues a station representative's credential),
``inspector plan requests PLAN`` (the centre: requests sent and returned, late ones flagged), and
``inspector station status|start`` (the station: its request, deadline and self-assessment). The
request and the answer are bundles: ``bundle export --kind self-assessment-request --plan P --org O``
at the centre, ``bundle export --kind self-assessment`` at the station.
"""

from __future__ import annotations

from pathlib import Path

import click

from inspector.cli.common import Context, emit_json, pass_context
from inspector.cli.keys import _CA_OPT, _CA_PASS
from inspector.i18n import _


@click.command("issue-station")
@click.option("--org", "org_id", required=True, help="鉴定站（所）的机构编号（org）")
@click.option("--name", "representative", required=True, help="鉴定站（所）代表的姓名")
@click.option("--days", type=int, default=366, show_default=True, help="有效天数")
@_CA_OPT
@_CA_PASS
@click.option(
    "--person-passphrase-file",
    type=click.Path(path_type=Path),
    default=None,
    help="鉴定站代表证书口令的文件（也可用 INSPECTOR_PERSON_PASSPHRASE）；另行告知鉴定站",
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def keys_issue_station(
    ctx: Context,
    org_id: str,
    representative: str,
    days: int,
    ca: Path | None,
    ca_passphrase_file: Path | None,
    person_passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """给鉴定站（所）代表签发证书（随自评通知数据包带到鉴定站）。"""
    from cryptography import x509

    from inspector.bundles.credentials import issue_for_station
    from inspector.cli.keys import _ca_folder, _secret
    from inspector.crypto.identity import describe
    from inspector.store.orgs import get_org

    org = get_org(ctx.db, org_id)  # an unknown station is said before any passphrase is asked
    ca_secret = _secret(ca_passphrase_file, "INSPECTOR_CA_PASSPHRASE", _("CA 口令"))
    secret = _secret(
        person_passphrase_file, "INSPECTOR_PERSON_PASSPHRASE", _("鉴定站代表证书口令"), confirm=True
    )
    pair = issue_for_station(
        ctx.db, _ca_folder(ctx, ca), ca_secret, org_id, representative, secret, days=days
    )
    if as_json:
        emit_json(
            {
                "org": org_id,
                "signing": describe(x509.load_pem_x509_certificate(pair.signing.certificate_pem)),
                "encryption": describe(x509.load_pem_x509_certificate(pair.encryption.certificate_pem)),
            }
        )
        return
    click.echo(
        _("已签发：{org} 代表 {name}，证书序列号 {s}，有效期至 {t}").format(
            org=org["name"],
            name=representative,
            s=pair.signing.serial,
            t=pair.signing.not_valid_after.date().isoformat(),
        )
    )


@click.command("requests")
@click.argument("plan_id")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def plan_requests(ctx: Context, plan_id: str, as_json: bool) -> None:
    """自评通知：已发出、已返回、逾期（截止日期按计划的规则册）。"""
    from inspector.centre.plans import get_plan
    from inspector.centre.self_requests import requests_for_plan, self_assessment_deadline

    deadline = self_assessment_deadline(ctx.db, get_plan(ctx.db, plan_id))
    rows = requests_for_plan(ctx.db, plan_id)
    if as_json:
        emit_json(
            {
                "plan": plan_id,
                "deadline": deadline.as_json() if deadline else None,
                "requests": [r.as_json() for r in rows],
            }
        )
        return
    if deadline is None:
        click.echo(_("本计划的规则册未规定自查自评的截止日期：不标逾期"))
    else:
        click.echo(
            _("截止日期：{day}（{doc} {art}：“{quote}”）").format(
                day=deadline.day.isoformat(),
                doc=deadline.source["document"],
                art=deadline.source["article"],
                quote=deadline.source["quote"],
            )
        )
    if not rows:
        click.echo(_("尚未发出自评通知"))
    for r in rows:
        line = _("{org}：{state}（代表 {rep}，发出 {sent}）").format(
            org=r.org_name, state=r.as_json()["state_name"], rep=r.representative, sent=r.sent_at[:10]
        )
        if r.returned_at:
            line += " " + _("返回 {day}，{who}").format(day=r.returned_at[:10], who=r.signed_by or "")
        click.echo(("⚠ " if r.late else "  ") + line)


@click.group()
def station() -> None:
    """鉴定站（所）自评：收到的自评通知、截止日期、本站的自查自评。"""


@station.command("status")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def station_status(ctx: Context, as_json: bool) -> None:
    """本站收到的自评通知与自查自评的状态。"""
    from inspector.bundles.self_assessment import current_request
    from inspector.bundles.self_assessment import station_status as status_of
    from inspector.centre.self_requests import state_name

    current_request(ctx.db)  # says what is missing
    out = status_of(ctx.db)
    assert out is not None
    state = out["eval_state"]
    if as_json:
        emit_json(out)
        return
    click.echo(_("{org}：{plan}").format(org=out["org_name"], plan=out["plan_title"]))
    if out["deadline"] is None:
        click.echo(_("本次自评通知未设截止日期"))
    else:
        src = out["deadline_source"] or {}
        click.echo(
            _("截止日期：{day}（{doc} {art}：“{quote}”）").format(
                day=out["deadline"],
                doc=src.get("document", ""),
                art=src.get("article", ""),
                quote=src.get("quote", ""),
            )
        )
    if state is None:
        click.echo(_("尚未开始自查自评（inspector station start）"))
    else:
        click.echo(
            _("自查自评 {id}：{state}").format(
                id=out["eval"], state=_("已签署") if state == "signed" else _("填写中")
            )
        )
    if out["overdue"]:
        click.echo("⚠ " + state_name("late"))


@station.command("start")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def station_start(ctx: Context, as_json: bool) -> None:
    """按自评通知新建（或打开）本站的自查自评。"""
    from inspector.bundles.self_assessment import start_self_assessment

    eval_id = start_self_assessment(ctx.db, ctx.user)
    if as_json:
        emit_json({"eval": eval_id})
    else:
        click.echo(_("本站的自查自评：{id}").format(id=eval_id))
