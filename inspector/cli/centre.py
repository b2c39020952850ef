"""The centre's commands: ``people``, ``plan``, ``dispatch``, ``rectify``, ``results``, ``stats``, and
``org import`` / ``org export`` (added to the ``org`` group in main.py). JSON shapes: docs/centre.md."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from inspector.cli.common import Context, emit_json, emit_json_pieces, json_default, pass_context
from inspector.cli.params import CoreChoice, complete_id
from inspector.errors import InspectorError, UsageError
from inspector.i18n import _
from inspector.rubric.points import fmt

if TYPE_CHECKING:
    import datetime as dt

# The centre's modules are imported in the commands that use them, not here: ``inspector results …``
# then loads what the desk needs and no more, and ``inspector --help`` none of them (issue 18, S1).
SUPERVISOR_KINDS = CoreChoice("inspector.centre.dispatch", "SUPERVISOR_KINDS")
PLAN_KINDS = CoreChoice("inspector.centre.dispatch", "PLAN_KINDS")
RATINGS = CoreChoice("inspector.centre.people", "RATINGS")
ANNUAL_RESULTS = CoreChoice("inspector.centre.people", "ANNUAL_RESULTS")
GROUNDS = CoreChoice("inspector.centre.people", "GROUNDS")
RECTIFICATION_RESULTS = CoreChoice("inspector.centre.rectifications", "RESULTS")


def optional_day(value: str | None, where: str) -> dt.date | None:
    """:func:`inspector.centre.common.optional_day`, imported when a command runs."""
    from inspector.centre.common import optional_day

    return optional_day(value, where)


def today() -> dt.date:
    """:func:`inspector.centre.common.today`, imported when a command runs."""
    from inspector.centre.common import today

    return today()


def _written(out: Path, counts: dict[str, int]) -> Path:
    """Where a workbook went; said when it went beside ``out`` (open in Excel)."""
    from inspector.fileio import saved_beside_message

    path: Path = getattr(counts, "path", out)
    if path != out:
        click.echo(saved_beside_message(out, path))
    return path


# -- organisations: the register workbook ------------------------------------------------------------


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def org_import(ctx: Context, file: Path, as_json: bool) -> None:
    """从登记表工作簿（.xlsx）导入机构登记信息：按机构代码新增或更新，有错则整体不导入。"""
    from inspector.centre.register import import_register

    s = import_register(ctx.db, file)
    if as_json:
        emit_json({"created": s.created, "updated": s.updated, "unchanged": s.unchanged})
    else:
        click.echo(
            _("新增 {c} 个机构，更新 {u} 个，未变 {n} 个").format(c=s.created, u=s.updated, n=s.unchanged)
        )


@click.command("export")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="输出的 .xlsx 文件")
@pass_context
def org_export(ctx: Context, out: Path) -> None:
    """把机构登记信息导出为工作簿（机构登记表及各名单表）。"""
    from inspector.centre.workbooks import export_register

    counts = export_register(ctx.db, out)
    click.echo(
        _("已导出 {n} 个机构到 {path}").format(n=next(iter(counts.values())), path=_written(out, counts))
    )


@click.command("set")
@click.argument("org_id")
@click.option(
    "--field",
    "fields",
    multiple=True,
    required=True,
    help="登记字段“键=值”，可多次；值为空则清除（如 applicant_type=用人单位）",
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def org_set(ctx: Context, org_id: str, fields: tuple[str, ...], as_json: bool) -> None:
    """修改一个机构的登记字段（与登记表工作簿的字段相同，逐项检查，有错则不修改）。"""
    from inspector.centre.register import SCALAR_KEYS, set_register

    values: dict[str, str | None] = {}
    for text in fields:
        key, sep, value = text.partition("=")
        if not sep or key.strip() not in SCALAR_KEYS:
            raise UsageError(
                _("应写成“键=值”，键为：{keys}").format(keys="、".join(sorted(SCALAR_KEYS))), text
            )
        values[key.strip()] = value.strip() or None
    entry = set_register(ctx.db, org_id, values, "--field")
    if as_json:
        emit_json(entry)
    else:
        click.echo(_("已修改：{name}").format(name=entry["name"]))


# -- people ----------------------------------------------------------------------------------------


@click.group()
def people() -> None:
    """质量督导员名册：证卡、回避、督导任务、任务评价、年度考核。"""


def _role(ctx: Context, text: str) -> tuple[str, str]:
    from inspector.centre import people as roster_

    org, _sep, role = text.partition(":")
    if not org.strip():
        raise UsageError(
            _("应写成“机构编号”或“机构编号:角色”（角色：{roles}）").format(roles="、".join(roster_.ROLES)),
            text,
        )
    return complete_id(ctx, "orgs", org.strip()), role.strip() or "assessor"


@people.command("add")
@click.option("--name", required=True, help="姓名")
@click.option("--kind", type=SUPERVISOR_KINDS, required=True, help="internal 内督 / external 外督")
@click.option("--cert-no", required=True, help="证卡编号")
@click.option("--cert-issued", required=True, help="证卡颁发日期 YYYY-MM-DD")
@click.option("--valid-until", default=None, help="证卡上印的有效期末日（默认：颁发后三年）")
@click.option("--org", "employer", default=None, help="工作单位（机构编号），督导时回避")
@click.option("--role-at", "roles", multiple=True, help="任内督、考评或考务的机构“机构编号[:角色]”，可多次")
@click.option("--phone", default=None, help="联系电话")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def people_add(
    ctx: Context,
    name: str,
    kind: str,
    cert_no: str,
    cert_issued: str,
    valid_until: str | None,
    employer: str | None,
    roles: tuple[str, ...],
    phone: str | None,
    as_json: bool,
) -> None:
    """登记一名质量督导员。"""
    from inspector.centre import people as roster_

    p = roster_.add_person(
        ctx.db,
        name=name,
        kind=kind,
        cert_no=cert_no,
        cert_issued=cert_issued,
        cert_valid_until=valid_until,
        employer_org=employer,
        roles=[_role(ctx, r) for r in roles],
        phone=phone,
    )
    if as_json:
        emit_json(p.as_json())
    else:
        click.echo(p.id)  # the id alone, as every command that makes something: P=$(inspector people add …)


@people.command("list")
@click.option("--active", is_flag=True, help="只列出在册（未暂停）的督导员")
@click.option("--ids", "ids_only", is_flag=True, help="只输出编号，每行一个（用于脚本：PERSON=$(…)）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def people_list(ctx: Context, active: bool, ids_only: bool, as_json: bool) -> None:
    """列出督导员。"""
    from inspector.centre import people as roster_

    found = roster_.list_people(ctx.db, active_only=active)
    if ids_only and not as_json:
        for p in found:
            click.echo(p.id)
        return
    if as_json:
        emit_json([p.as_json() for p in found])
        return
    for p in found:
        valid = _("有效") if p.cert_valid_on(today()) else _("失效")
        click.echo(f"{p.id}  {p.name}  {p.cert_no}  {p.cert_last_day.isoformat()} {valid}")


@people.command("show")
@click.argument("person_id")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def people_show(ctx: Context, person_id: str, as_json: bool) -> None:
    """查看一名督导员：证卡、督导任务、任务评价、年度考核。"""
    from inspector.centre import people as roster_

    p = roster_.get_person(ctx.db, person_id)
    years = roster_.assessed_years(ctx.db, p.id)
    tasks = roster_.history(ctx.db, p.id)
    years = sorted({*years, *(int(t["date"][:4]) for t in tasks)})
    data = {
        **p.as_json(),
        "history": tasks,
        "reviews": roster_.reviews(ctx.db, p.id),
        "annual": [roster_.annual_summary(ctx.db, p.id, y) for y in years],
        "earlier_cards": roster_.earlier_cards(ctx.db, p.id),
        "grounds": roster_.grounds(ctx.db, p.id),
    }
    if as_json:
        emit_json(data)
        return
    click.echo(f"{p.name}  {p.cert_no}  {p.cert_last_day.isoformat()}  {p.status}")
    for t in tasks:
        click.echo(f"  {t['date']}  {t['org_name'] or t['org']}")


@people.command("export")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="输出的 .xlsx 文件")
@pass_context
def people_export(ctx: Context, out: Path) -> None:
    """把督导员名册（含督导任务、任务评价、年度考核）导出为工作簿。"""
    from inspector.centre.workbooks import export_roster

    counts = export_roster(ctx.db, out)
    click.echo(
        _("已导出 {n} 名督导员到 {path}").format(n=next(iter(counts.values())), path=_written(out, counts))
    )


@people.command("review")
@click.argument("person_id")
@click.option("--date", "task_date", required=True, help="督导日期 YYYY-MM-DD")
@click.option("--rating", type=RATINGS, required=True, help="评价等次")
@click.option("--plan", "plan_id", default=None, help="计划编号")
@click.option("--org", "org_id", default=None, help="被督导机构编号")
@click.option("--eval", "eval_id", default=None, help="评估编号")
@click.option("--violation", is_flag=True, help="督导工作中有违纪行为")
@click.option("--completion", default=None, help="（一）质量督导工作任务完成情况")
@click.option("--attitude", default=None, help="（二）工作态度与执行政策的水平")
@click.option("--objectivity", default=None, help="（三）督导报告的客观真实性")
@click.option("--comment", default=None, help="评价说明")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def people_review(
    ctx: Context,
    person_id: str,
    task_date: str,
    rating: str,
    plan_id: str | None,
    org_id: str | None,
    eval_id: str | None,
    violation: bool,
    completion: str | None,
    attitude: str | None,
    objectivity: str | None,
    comment: str | None,
    as_json: bool,
) -> None:
    """记录对督导员一次督导任务的评价（郑州办法 第十一条的四项内容分别记录；等次为本中心自定）。"""
    from inspector.centre import people as roster_

    r = roster_.add_review(
        ctx.db, person_id, task_date=task_date, rating=rating, plan_id=plan_id, org_id=org_id,
        eval_id=eval_id, violation=violation, comment=comment, reviewer=ctx.user,
        completion=completion, attitude=attitude, objectivity=objectivity,
    )  # fmt: skip
    if as_json:
        emit_json(r)
    else:
        click.echo(r["id"])


@people.command("annual")
@click.argument("person_id")
@click.option("--year", type=int, required=True, help="年度")
@click.option("--result", type=ANNUAL_RESULTS, required=True, help="年度考核结果")
@click.option("--comment", default=None, help="说明")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def people_annual(
    ctx: Context, person_id: str, year: int, result: str, comment: str | None, as_json: bool
) -> None:
    """记录督导员的年度考核结果。"""
    from inspector.centre import people as roster_

    s = roster_.set_annual(ctx.db, person_id, year, result, comment, ctx.user)
    if as_json:
        emit_json(s)
    else:
        click.echo(f"{year}  {s['result_name']}")


@people.command("suspend")
@click.argument("person_id")
@click.option("--reason", required=True, help="理由")
@click.option("--until", default=None, help="暂停期末日 YYYY-MM-DD（含当日；不给则至恢复为止）")
@pass_context
def people_suspend(ctx: Context, person_id: str, reason: str, until: str | None) -> None:
    """暂停督导员委派（可恢复，可附期限）：暂停期内不被抽取。"""
    from inspector.centre import people as roster_

    roster_.set_active(ctx.db, person_id, False, reason, until=until)
    click.echo(_("已暂停：{id}").format(id=person_id))


@people.command("cancel")
@click.argument("person_id")
@click.option("--reason", required=True, help="理由")
@pass_context
def people_cancel(ctx: Context, person_id: str, reason: str) -> None:
    """取消督导员资格（终局：不得再抽取、恢复或换证；福建办法 第四章一）。"""
    from inspector.centre import people as roster_

    roster_.cancel_person(ctx.db, person_id, reason)
    click.echo(_("已取消资格：{id}").format(id=person_id))


@people.command("ground")
@click.argument("person_id")
@click.option("--org", "org_id", required=True, help="机构编号")
@click.option("--ground", type=GROUNDS, required=True, help="回避事由")
@click.option("--since", default=None, help="起始日 YYYY-MM-DD")
@click.option("--until", default=None, help="截止日 YYYY-MM-DD")
@click.option("--note", default=None, help="说明（“其他”必填）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def people_ground(
    ctx: Context,
    person_id: str,
    org_id: str,
    ground: str,
    since: str | None,
    until: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """登记一项回避事由（亲属、曾任职、咨询服务、其他），附起止日期。"""
    from inspector.centre import people as roster_

    g = roster_.add_ground(
        ctx.db, person_id, org_id, ground, since=since, until=until, note=note, by=ctx.user
    )
    if as_json:
        emit_json(g)
    else:
        click.echo(g["id"])


@people.command("renew")
@click.argument("person_id")
@click.option("--cert-no", required=True, help="新证卡编号（换证时编号不变也可）")
@click.option("--cert-issued", required=True, help="新证卡颁发日期 YYYY-MM-DD")
@click.option("--valid-until", default=None, help="证卡印明的有效期止日（默认颁发后三年）")
@click.option("--reason", default=None, help="理由（默认：换发证卡）")
@click.option(
    "--reissue",
    is_flag=True,
    help="同时按新证卡重新签发其证书（证书不超过证卡有效期；需 CA 口令与督导员证书口令）",
)
@click.option("--ca", "ca", type=click.Path(file_okay=False, path_type=Path), default=None, help="CA 文件夹")
@click.option("--ca-passphrase-file", type=click.Path(path_type=Path), default=None, help="CA 口令文件")
@click.option(
    "--person-passphrase-file", type=click.Path(path_type=Path), default=None, help="督导员证书口令文件"
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def people_renew(
    ctx: Context,
    person_id: str,
    cert_no: str,
    cert_issued: str,
    valid_until: str | None,
    reason: str | None,
    reissue: bool,
    ca: Path | None,
    ca_passphrase_file: Path | None,
    person_passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """换发（或更正）督导员证卡：原证卡留存在记录中，督导经历、评价和回避机构不变。

    证书不会超过证卡的有效期：换证后请用 --reissue（或 keys issue）重新签发证书。
    """
    from inspector.centre import people as roster_

    secrets: tuple[str, str] | None = None
    if reissue:  # asked before the renewal is written: a refused passphrase changes nothing
        from inspector.cli.keys import _secret

        secrets = (
            _secret(ca_passphrase_file, "INSPECTOR_CA_PASSPHRASE", _("CA 口令")),
            _secret(person_passphrase_file, "INSPECTOR_PERSON_PASSPHRASE", _("督导员证书口令"), confirm=True),
        )
    p = roster_.renew_card(
        ctx.db,
        person_id,
        cert_no=cert_no,
        cert_issued=cert_issued,
        cert_valid_until=valid_until,
        reason=reason,
        by=ctx.user,
    )
    issued = None
    if secrets is not None:
        from inspector.bundles.credentials import issue_for_person
        from inspector.crypto.identity import CA_FOLDER

        _p, pair = issue_for_person(ctx.db, ca or ctx.data / CA_FOLDER, secrets[0], p.id, secrets[1])
        issued = {"serial": pair.signing.serial, "not_after": pair.signing.not_valid_after.isoformat()}
    if as_json:
        emit_json({**p.as_json(), "earlier_cards": roster_.earlier_cards(ctx.db, p.id), "reissued": issued})
    else:
        click.echo(
            _("已换发证卡：{name} {no}，有效至 {last}").format(
                name=p.name, no=p.cert_no, last=p.cert_last_day.isoformat()
            )
        )
        if issued is not None:
            click.echo(_("已按新证卡重新签发证书：序列号 {s}").format(s=issued["serial"]))
        else:
            click.echo(_("注意：已签发的证书仍只到原证卡到期日为止；请用 --reissue 或 keys issue 重新签发"))


@people.command("reinstate")
@click.argument("person_id")
@pass_context
def people_reinstate(ctx: Context, person_id: str) -> None:
    """恢复督导员资格。"""
    from inspector.centre import people as roster_

    roster_.set_active(ctx.db, person_id, True)
    click.echo(_("已恢复：{id}").format(id=person_id))


# -- plans -------------------------------------------------------------------------------------------


@click.group()
def plan() -> None:
    """督导计划：督导对象、抽取记录、评估。"""


@plan.command("new")
@click.option("--rubric", "rubric_id", required=True, help="评估表编号")
@click.option("--title", required=True, help="计划名称")
@click.option("--kind", type=PLAN_KINDS, required=True, help="routine 日常督导 / special 专项督导")
@click.option("--year", type=int, default=None, help="年度（默认：开始日期或今天所在年）")
@click.option("--region", default=None, help="地区")
@click.option("--starts", default=None, help="开始日期 YYYY-MM-DD")
@click.option("--ends", default=None, help="结束日期 YYYY-MM-DD")
@click.option("--rulebook", "rulebook_id", default=None, help="规则册编号（默认：评估表所属文件的规则册）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def plan_new(
    ctx: Context,
    rubric_id: str,
    title: str,
    kind: str,
    year: int | None,
    region: str | None,
    starts: str | None,
    ends: str | None,
    rulebook_id: str | None,
    as_json: bool,
) -> None:
    """新建督导计划。"""
    from inspector.centre import plans as plans_

    p = plans_.new_plan(
        ctx.db,
        rubric_id,
        title,
        kind,
        year=year,
        region=region,
        starts=starts,
        ends=ends,
        rulebook=rulebook_id,
    )
    if as_json:
        emit_json({**p.as_json(), "rulebook": plans_.plan_rulebook(ctx.db, p).id})
    else:
        click.echo(p.id)


@plan.command("add-target")
@click.argument("plan_id")
@click.option("--org", "org_id", required=True, help="机构编号")
@click.option("--date", "visit_date", default=None, help="督导日期 YYYY-MM-DD（可在抽取时统一给出）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def plan_add_target(ctx: Context, plan_id: str, org_id: str, visit_date: str | None, as_json: bool) -> None:
    """把一个机构列为计划的督导对象。"""
    from inspector.centre import plans as plans_

    t = plans_.add_target(ctx.db, plan_id, org_id, visit_date)
    if as_json:
        emit_json(t.as_json())
    else:
        click.echo(f"{t.plan_id}  {t.org_id}  {t.visit_date or '-'}")


@plan.command("list")
@click.option("--ids", "ids_only", is_flag=True, help="只输出编号，每行一个（用于脚本：PLAN=$(…)）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def plan_list(ctx: Context, ids_only: bool, as_json: bool) -> None:
    """列出督导计划。"""
    from inspector.centre import plans as plans_

    found = plans_.list_plans(ctx.db)
    if ids_only and not as_json:
        for p in found:
            click.echo(p.id)
        return
    if as_json:
        emit_json(
            [
                {
                    **p.as_json(),
                    "rulebook": plans_.plan_rulebook(ctx.db, p).id,
                    "targets": len(plans_.targets(ctx.db, p.id)),
                }
                for p in found
            ]
        )
        return
    for p in found:
        click.echo(
            f"{p.id}  {p.year}  {plans_.kind_label(p.kind)}  {p.title}  {plans_.plan_rulebook(ctx.db, p).id}"
        )


@plan.command("show")
@click.argument("plan_id")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def plan_show(ctx: Context, plan_id: str, as_json: bool) -> None:
    """查看计划：督导对象、督导组与抽取记录。"""
    from inspector.centre import plans as plans_
    from inspector.centre.overview import plan_kind_name, plan_rows, target_state_name

    (overview,) = plan_rows(ctx.db, plan_id)
    p = overview.plan
    targets = []
    for t in overview.targets:
        lead = plans_.leader_of(ctx.db, plan_id, t.org_id) if t.team else None
        targets.append(
            {
                **t.as_json(p.id),
                "leader": lead[0] if lead else None,
                "leader_chosen": lead[1] if lead else None,
            }
        )
    data = {
        **p.as_json(),
        "rulebook": plans_.plan_rulebook(ctx.db, p).id,
        "targets": targets,
        "dispatches": [
            {
                "id": d.id,
                "seed": d.seed,
                "team_size": d.team_size,
                "created_at": d.created_at,
                "targets": len(d.record["targets"]),
            }
            for d in plans_.dispatches(ctx.db, plan_id)
        ],
    }  # fmt: skip
    if as_json:
        emit_json(data)
        return
    book = plans_.plan_rulebook(ctx.db, p).id
    click.echo(f"{p.title}  {plan_kind_name(p.kind)}  {overview.rubric_title}  {book}")
    for t in overview.targets:
        team = "、".join(t.team_names) or "—"
        click.echo(f"  {t.org_name}  {t.visit_date or '—'}  {target_state_name(t.state)}  {team}")


@plan.command("record")
@click.argument("plan_id")
@click.option("--out", "out", default=None, type=click.Path(path_type=Path), help="写入文件（JSON）而非屏幕")
@pass_context
def plan_record(ctx: Context, plan_id: str, out: Path | None) -> None:
    """输出计划的抽取公开记录（种子、名册、每组及其候选池），供公布与复核。"""
    import json

    from inspector.centre import plans as plans_
    from inspector.fileio import write_text_atomic

    plans_.get_plan(ctx.db, plan_id)
    records = [
        {**d.record, "id": d.id, "assignments": d.assignments} for d in plans_.dispatches(ctx.db, plan_id)
    ]
    if out is None:
        emit_json(records)
    else:
        write_text_atomic(out, json.dumps(records, ensure_ascii=False, indent=2) + "\n")


@plan.command("verify")
@click.argument("plan_id")
@pass_context
def plan_verify(ctx: Context, plan_id: str) -> None:
    """按公开记录重新抽取，核对与公布的结果一致（督导组，以及双随机抽取的机构）。"""
    from inspector.centre import plans as plans_
    from inspector.centre.org_draw import org_draws, verify_org_draw

    for od in org_draws(ctx.db, plan_id):
        problems = verify_org_draw(ctx.db, od["id"])
        if problems:
            raise InspectorError(problems[0], od["id"])
        click.echo(_("一致：{id}（种子 {seed}）").format(id=od["id"], seed=od["seed"]))
    for d in plans_.dispatches(ctx.db, plan_id):
        problems = plans_.verify_dispatch(ctx.db, d.id)
        if problems:
            raise InspectorError(problems[0], d.id)
        click.echo(_("一致：{id}（种子 {seed}）").format(id=d.id, seed=d.seed))


@plan.command("withdraw")
@click.argument("plan_id")
@click.option("--org", "org_id", required=True, help="机构编号")
@click.option("--reason", required=True, help="理由")
@pass_context
def plan_withdraw(ctx: Context, plan_id: str, org_id: str, reason: str) -> None:
    """撤回一个督导对象的督导组（记录保留），之后可重新抽取。"""
    from inspector.centre import plans as plans_

    plans_.withdraw(ctx.db, plan_id, org_id, reason)
    click.echo(_("已撤回：{org}").format(org=org_id))


@plan.command("start-eval")
@click.argument("plan_id")
@click.option("--org", "org_id", required=True, help="机构编号")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def plan_start_eval(ctx: Context, plan_id: str, org_id: str, as_json: bool) -> None:
    """按督导组和督导日期新建该对象的检查评估。"""
    from inspector.centre import plans as plans_

    e = plans_.start_evaluation(ctx.db, plan_id, org_id, ctx.user)
    if as_json:
        emit_json(e.summary())
    else:
        click.echo(e.id)


@plan.command("draw-orgs")
@click.argument("plan_id")
@click.option("--seed", required=True, help="随机种子（公布，用于复核）")
@click.option("--number", type=int, default=None, help="抽取的机构数")
@click.option("--share", default=None, help="抽取比例（0–1，向上取整）")
@click.option("--region", default=None, help="只从该地区的机构中抽取")
@click.option("--category", default=None, help="只从该类别（A–J）的机构中抽取")
@click.option("--date", "visit_date", default=None, help="被抽中机构的督导日期 YYYY-MM-DD")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def plan_draw_orgs(
    ctx: Context,
    plan_id: str,
    seed: str,
    number: int | None,
    share: str | None,
    region: str | None,
    category: str | None,
    visit_date: str | None,
    as_json: bool,
) -> None:
    """双随机：按公布的种子从登记册中随机抽取被督导机构（计划的规则册须有此规定）。"""
    from inspector.centre.org_draw import draw_organisations
    from inspector.store.orgs import org_names

    rec = draw_organisations(
        ctx.db, plan_id, seed=seed, number=number, share=share, region=region, category=category,
        visit_date=visit_date, author=ctx.user,
    )  # fmt: skip
    if as_json:
        emit_json(rec)
        return
    names = org_names(ctx.db)
    for org in rec["drawn"]:
        click.echo(f"{org}  {names.get(org)}")
    click.echo(_("抽取记录：{id}（种子 {seed}，{k} / {n}）").format(
        id=rec["id"], seed=rec["seed"], k=len(rec["drawn"]), n=len(rec["pool"])
    ))  # fmt: skip


@plan.command("step")
@click.argument("plan_id")
@click.option("--org", "org_id", required=True, help="机构编号")
@click.option("--step", "step", default=None, help="记录的步骤名称（不给则只列出各步骤）")
@click.option("--on", "done_on", default=None, help="日期 YYYY-MM-DD（默认今天）")
@click.option("--note", default=None, help="说明（如文书编号）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def plan_step(
    ctx: Context,
    plan_id: str,
    org_id: str,
    step: str | None,
    done_on: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """督导程序：依次记录各步骤的日期（如福建专项督导：初步意见 → 申辩 → 意见书 → 整改报告）。"""
    from inspector.centre.procedure import record_step, target_steps

    if step is not None:
        found = record_step(ctx.db, plan_id, org_id, step, done_on or today(), note, ctx.user)
    else:
        found = target_steps(ctx.db, plan_id, org_id)
    if as_json:
        emit_json([s.as_json() for s in found])
        return
    for s in found:
        click.echo(f"{s.done_on.isoformat() if s.done_on else '—':10}  {s.name}  {s.note or ''}")


@plan.command("leader")
@click.argument("plan_id")
@click.option("--org", "org_id", required=True, help="机构编号")
@click.option("--person", "person_id", required=True, help="督导组中担任组长的督导员编号")
@pass_context
def plan_leader(ctx: Context, plan_id: str, org_id: str, person_id: str) -> None:
    """由中心指定某督导组的组长（不指定时，抽取顺序第一人为组长，并在公开记录中标明为抽取产生）。"""
    from inspector.centre import plans as plans_

    plans_.designate_leader(ctx.db, plan_id, org_id, person_id, ctx.user)
    click.echo(_("已指定组长：{p}").format(p=person_id))


@plan.command("milestones")
@click.argument("plan_id")
@click.option("--today", "on", default=None, help="以该日为准判断逾期 YYYY-MM-DD")
@click.option("--done", "done_name", default=None, help="标记该阶段已完成（阶段名称）")
@click.option("--on", "done_on", default=None, help="完成日期 YYYY-MM-DD（与 --done 一起）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def plan_milestones_cmd(
    ctx: Context, plan_id: str, on: str | None, done_name: str | None, done_on: str | None, as_json: bool
) -> None:
    """计划的工作时间表（规则册中的各阶段截止日期），标出逾期；可标记某阶段完成。"""
    from inspector.centre.milestones import mark_milestone, plan_milestones

    if done_name is not None:
        mark_milestone(ctx.db, plan_id, done_name, done_on or today(), ctx.user)
    found = plan_milestones(ctx.db, plan_id, optional_day(on, "today"))
    if as_json:
        emit_json([m.as_json() for m in found])
        return
    for m in found:
        j = m.as_json()
        click.echo(f"{j['due']}  {m.name}  {j['state_name']}  {j['done_on'] or ''}")


@plan.command("review")
@click.argument("plan_id")
@click.option("--org", "org_id", required=True, help="机构编号")
@click.option(
    "--outcome",
    type=click.Choice(("eligible", "ineligible")),
    required=True,
    help="eligible 符合延续备案条件（出具延续备案回执）；ineligible 不符合延续备案条件",
)
@click.option("--opinion", default=None, help="审核意见（不符合的须写明理由）")
@click.option("--on", "reviewed_on", default=None, help="审核日期 YYYY-MM-DD（默认今天）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def plan_review(
    ctx: Context,
    plan_id: str,
    org_id: str,
    outcome: str,
    opinion: str | None,
    reviewed_on: str | None,
    as_json: bool,
) -> None:
    """记录只审核、不评分的评价机构（重庆：用人单位）的审核意见，不打分。"""
    from inspector.centre.reviews import record_review

    r = record_review(ctx.db, plan_id, org_id, outcome, opinion, reviewed_on or today(), ctx.user)
    if as_json:
        emit_json(r.as_json())
    else:
        click.echo(_("已记录审核意见：{label}（{day}）").format(label=r.label, day=r.reviewed_on.isoformat()))


@plan.command("verdict")
@click.argument("eval_id")
@click.option("--verdict", type=click.Choice(("pass", "fail")), required=True, help="评估工作小组的评定结论")
@click.option("--reason", required=True, help="评定理由")
@click.option("--recommend", is_flag=True, help="推荐参加示范评估（仅合格者）")
@click.option("--opinion", default=None, help="评估工作小组的推荐意见")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def plan_verdict(
    ctx: Context, eval_id: str, verdict: str, reason: str, recommend: bool, opinion: str | None, as_json: bool
) -> None:
    """记录评估工作小组对无分数线评估表的合格/不合格评定及理由（河南 2011）。"""
    from inspector.centre.verdicts import record_verdict

    v = record_verdict(ctx.db, eval_id, verdict, reason, recommend=recommend, opinion=opinion, by=ctx.user)
    if as_json:
        emit_json(v)
    else:
        click.echo(_("已记录评定：{label}").format(label=v["label"]))


@plan.command("link")
@click.argument("plan_id")
@click.option("--org", "org_id", required=True, help="机构编号")
@click.option("--eval", "eval_id", required=True, help="评估编号")
@pass_context
def plan_link(ctx: Context, plan_id: str, org_id: str, eval_id: str) -> None:
    """把一次评估（如从笔记本带回的）关联到计划的督导对象。"""
    from inspector.centre import plans as plans_

    plans_.link_evaluation(ctx.db, plan_id, org_id, eval_id)
    click.echo(_("已关联：{e}").format(e=eval_id))


# -- dispatch ----------------------------------------------------------------------------------------


@click.command("dispatch")
@click.argument("plan_id")
@click.option("--date", "visit_date", default=None, help="督导日期 YYYY-MM-DD（用于未指定日期的对象）")
@click.option("--team-size", type=int, required=True, help="每组人数（专项督导不少于 3 人）")
@click.option("--seed", required=True, help="随机种子（公布，用于复核）")
@click.option("--kind", "kind_required", type=SUPERVISOR_KINDS, default=None, help="只抽取该类督导员")
@click.option(
    "--override-reason", default=None, help="越过“原则上”规则（如小组少于 3 人）的理由，记入公开记录"
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def dispatch_cmd(
    ctx: Context,
    plan_id: str,
    visit_date: str | None,
    team_size: int,
    seed: str,
    kind_required: str | None,
    override_reason: str | None,
    as_json: bool,
) -> None:
    """随机抽取督导组（双随机、一公开），按计划的规则册，并保存公开记录。"""
    from inspector.centre import plans as plans_
    from inspector.centre.overview import dispatch_rows

    rec = plans_.run_dispatch(
        ctx.db, plan_id, team_size=team_size, seed=seed, date=visit_date, kind_required=kind_required,
        author=ctx.user, override_reason=override_reason,
    )  # fmt: skip
    rows = dispatch_rows(ctx.db, rec)
    if as_json:
        emit_json([r.as_json(rec) for r in rows])
        return
    for r in rows:
        click.echo(f"{r.date}  {r.org_name}  {'、'.join(r.team_names)}  → {r.record_due or '—'}")
        for f in r.flags:
            click.echo(
                _("  注意：{name} {y} 年度考核不合格（规则册要求标出，是否委派由中心决定）").format(
                    name=r.names.get(f["person"], f["person"]), y=f["year"]
                )
            )
    click.echo(_("抽取记录：{id}（种子 {seed}）").format(id=rec.id, seed=rec.seed))


# -- rectification ---------------------------------------------------------------------------------


@click.group()
def rectify() -> None:
    """整改跟踪：下发通知、复评、结案。"""


@rectify.command("open")
@click.argument("eval_id")
@click.option("--sent", required=True, help="整改通知书下发日期 YYYY-MM-DD")
@click.option("--deadline", default=None, help="整改期限 YYYY-MM-DD")
@click.option("--months", type=int, default=None, help="整改期（月），如重庆 6 个月")
@click.option("--working-days", type=int, default=None, help="整改期（工作日）")
@click.option("--plan", "plan_id", default=None, help="计划编号")
@click.option("--notice-no", default=None, help="通知书编号")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def rectify_open(
    ctx: Context,
    eval_id: str,
    sent: str,
    deadline: str | None,
    months: int | None,
    working_days: int | None,
    plan_id: str | None,
    notice_no: str | None,
    as_json: bool,
) -> None:
    """记录已下发的整改通知及整改期限。"""
    from inspector.centre import rectifications as rect_

    r = rect_.open_rectification(
        ctx.db, eval_id, notice_sent=sent, deadline=deadline, months=months, working_days=working_days,
        plan_id=plan_id, notice_no=notice_no,
    )  # fmt: skip
    if as_json:
        emit_json(r.as_json(today()))
    else:
        click.echo(f"{r.id}  {r.deadline.isoformat()}")


@rectify.command("recheck")
@click.argument("rect_id")
@click.argument("eval_id")
@pass_context
def rectify_recheck(ctx: Context, rect_id: str, eval_id: str) -> None:
    """关联整改后的复评。"""
    from inspector.centre import rectifications as rect_

    rect_.link_recheck(ctx.db, rect_id, eval_id)
    click.echo(_("已关联复评：{e}").format(e=eval_id))


@rectify.command("close")
@click.argument("rect_id")
@click.option("--result", type=RECTIFICATION_RESULTS, required=True, help="passed 整改合格 / failed 仍不合格")
@click.option("--date", "closed_on", required=True, help="结案日期 YYYY-MM-DD")
@click.option("--note", default=None, help="说明")
@pass_context
def rectify_close(ctx: Context, rect_id: str, result: str, closed_on: str, note: str | None) -> None:
    """整改结案。"""
    from inspector.centre import rectifications as rect_

    rect_.close_rectification(ctx.db, rect_id, result=result, closed_on=closed_on, note=note)
    click.echo(_("已结案：{id}").format(id=rect_id))


# -- results and statistics ----------------------------------------------------------------------------


@click.command("results")
@click.argument("plan_id")
@click.option("--today", "on", default=None, help="按此日期判断逾期（默认今天）")
@click.option("--recheck-seed", default=None, help="抽查复核的随机种子（默认：计划编号）")
@click.option("--recheck-share", type=click.FloatRange(0, 1), default=0.1, show_default=True, help="抽查比例")
@click.option("--out", "out", default=None, type=click.Path(path_type=Path), help="导出 .xlsx 工作簿")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def results_cmd(
    ctx: Context,
    plan_id: str,
    on: str | None,
    recheck_seed: str | None,
    recheck_share: float,
    out: Path | None,
    as_json: bool,
) -> None:
    """计划的结果：各机构状态、得分、结论、否决、自评差异、抽查、整改、示范推荐、公告名单、逾期记录。"""
    from inspector.centre.results import no_cycle_collection, plan_desk

    desk = plan_desk(
        ctx.db, plan_id, on=optional_day(on, "--today"), recheck_seed=recheck_seed,
        recheck_share=Decimal(str(recheck_share)),
    )  # fmt: skip
    if as_json and out is None:
        # written from the desk's plain rows, piece by piece (issue 18 S3): no typed rows, no whole
        # document of 100,000 objects in memory
        from inspector.centre.results_json import desk_json_chunks

        with no_cycle_collection():
            emit_json_pieces(desk_json_chunks(desk, default=json_default), desk.as_json)
        return
    res = desk.typed()
    if out is not None:
        from inspector.centre.workbooks import export_results

        out = _written(out, export_results(res, out))
    if as_json:
        emit_json(res.as_json())
    elif out is None:
        from inspector.centre.workbooks import draft_words, state_names

        names = state_names()
        for t in res.targets:
            total, said = draft_words(t)  # the window's words, as the workbook prints them: 43（暂）, 未完成
            score = "—" if total is None else total if isinstance(total, str) else fmt(total)
            outcome = said or "—"
            if t.vetoes:  # the window's words: 不合格（否决） and the veto ids, not a bare 不合格 beside 87
                outcome = (t.outcome_label or _("否决")) + (_("（否决）") if t.outcome_label else "")
                outcome += "  " + "、".join(t.vetoes)
            due = ""
            if t.decision_due:  # 重庆 三（二）: 10 / 20 working days from the application's receipt
                late = _("（逾期）") if t.decision_overdue else ""
                due = "  " + _("处理期限 {d}{late}").format(d=t.decision_due, late=late)
            click.echo(f"{t.org_name}  {names.get(t.state) or t.state}  {score}  {outcome}{due}")
    else:
        click.echo(_("已导出到 {path}").format(path=out))


@click.command("stats")
@click.option("--rubric", "rubric_id", default=None, help="只统计该评估表")
@click.option("--year", type=int, default=None, help="只统计该年度")
@click.option("--include-unsigned", is_flag=True, help="也统计未签署的评估")
@click.option("--out", "out", default=None, type=click.Path(path_type=Path), help="导出 .xlsx 工作簿")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def stats_cmd(
    ctx: Context,
    rubric_id: str | None,
    year: int | None,
    include_unsigned: bool,
    out: Path | None,
    as_json: bool,
) -> None:
    """统计：失分最多的要求、分数分布、按地区/类别/年度。"""
    from inspector.centre.stats import statistics

    s = statistics(ctx.db, rubric_id=rubric_id, year=year, signed_only=not include_unsigned)
    if out is not None:
        from inspector.centre.workbooks import export_stats

        out = _written(out, export_stats(s, out))
    if as_json:
        emit_json(s.as_json())
    elif out is None:
        click.echo(_("统计 {n} 次评估").format(n=s.evaluations))
        for i in s.items[:10]:
            click.echo(f"  {i.rubric_id} {i.item_id}  {i.failed}/{i.evaluated}  {i.text}")
    else:
        click.echo(_("已导出到 {path}").format(path=out))
