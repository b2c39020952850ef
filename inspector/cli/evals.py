"""``inspector org …``, ``inspector eval …``, ``inspector backup`` and ``inspector restore``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from inspector.cli.common import Context, answers_file, emit_json, pass_context, read_json_file
from inspector.cli.params import CoreChoice
from inspector.cli.score import print_report
from inspector.errors import InspectorError, UsageError
from inspector.i18n import _
from inspector.rubric.points import fmt, json_number

if TYPE_CHECKING:
    from inspector.store.disallowed_marks import DisallowedMark
    from inspector.store.evaluations import EvaluationStore, Fixed

# The store's modules are imported in the commands that use them (issue 18, S1: ``inspector --help``
# and every other command's start do not pay for them).
KINDS = CoreChoice("inspector.store.evaluations", "KINDS")
STATES = CoreChoice("inspector.store.evaluations", "STATES")


def store(ctx: Context) -> EvaluationStore:
    from inspector.store.evaluations import EvaluationStore

    return EvaluationStore(ctx.db, ctx.user)


# -- organisations -------------------------------------------------------------------------------


@click.group()
def org() -> None:
    """机构（鉴定站、评价机构）。"""


@org.command("add")
@click.option("--name", required=True, help="机构名称")
@click.option("--code", default=None, help="机构代码或统一社会信用代码")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def org_add(ctx: Context, name: str, code: str | None, as_json: bool) -> None:
    """登记一个机构。"""
    from inspector.store.orgs import add_org

    o = add_org(ctx.db, name, code)
    if as_json:
        emit_json(o)
    else:
        click.echo(o["id"])  # the id alone, as every command that makes something: ORG=$(inspector org add …)


@org.command("list")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def org_list(ctx: Context, as_json: bool) -> None:
    """列出机构。"""
    from inspector.store.orgs import list_orgs

    orgs = list_orgs(ctx.db)
    if as_json:
        emit_json(orgs)
    else:
        for o in orgs:
            click.echo(f"{o['id']}  {o['code'] or '-'}  {o['name']}")


# -- evaluations ---------------------------------------------------------------------------------


@click.group("eval")
def eval_() -> None:
    """评估：新建、记录、查看、审计、签署、修订。"""


def _member(text: str) -> dict[str, str]:
    name, _sep, role = text.partition(":")
    if not name.strip():
        raise UsageError(_("成员应写成“姓名”或“姓名:角色”"), text)
    return {"name": name.strip(), **({"role": role.strip()} if role.strip() else {})}


@eval_.command("new")
@click.option("--rubric", "rubric_id", required=True, help="评估表编号")
@click.option("--org", "org_id", required=True, help="机构编号")
@click.option("--kind", type=KINDS, default="inspection", show_default=True, help="评估类型")
@click.option("--rubric-version", type=int, default=None, help="评估表版本（默认最新）")
@click.option("--date", "visit_date", default=None, help="评估日期 YYYY-MM-DD")
@click.option("--member", "members", multiple=True, help="评估组成员“姓名:角色”，可多次")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def eval_new(
    ctx: Context,
    rubric_id: str,
    org_id: str,
    kind: str,
    rubric_version: int | None,
    visit_date: str | None,
    members: tuple[str, ...],
    as_json: bool,
) -> None:
    """新建一次评估（钉住所用评估表的版本）。"""
    from inspector.centre.unscored import new_evaluation

    team = [_member(m) for m in members]
    e = new_evaluation(  # refuses an applicant its form reviews without scoring (重庆 用人单位)
        store(ctx), rubric_id, org_id, kind, visit_date=visit_date, team=team, rubric_version=rubric_version
    )
    if as_json:
        emit_json(e.summary())
    else:
        click.echo(e.id)


@eval_.command("list")
@click.option("--state", type=STATES, default=None, help="只列出某一状态")
@click.option("--ids", "ids_only", is_flag=True, help="只输出编号，每行一个（用于脚本：EVAL=$(…)）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def eval_list(ctx: Context, state: str | None, ids_only: bool, as_json: bool) -> None:
    """列出评估及其得分。"""
    from inspector.store.wording import row_words

    s = store(ctx)
    found = s.list_evaluations(state)
    if ids_only and not as_json:
        for e in found:
            click.echo(e.id)
        return
    totals = s.totals(found)
    rows = []
    for e in found:
        t = totals[e.id]
        rows.append(
            {
                **e.summary(),
                "total": json_number(t.total) if t.total is not None else None,
                **({"refused": t.refused} if t.refused else {}),
                "outcome": t.outcome_json(),
                "provisional": t.provisional,
                **({"signed_total_differs": True} if t.differs else {}),
            }
        )
    if as_json:
        emit_json(rows)
        return
    for e in found:
        t = totals[e.id]
        w = row_words(
            state=e.state, kind=e.kind, revision=e.revision, answered=e.answered, items=e.items,
            conflicts=e.conflicts, total=t.total, max_points=t.max_points,
            outcome=t.outcome.label if t.outcome else None, vetoed=t.vetoed,
        )  # fmt: skip
        click.echo(f"{e.id}  {w.state}  {w.progress}  {w.score}  {w.outcome}  {e.org_name}  {e.rubric_id}")


def _evidence_file(entry: Any, base: Path) -> Path | None:
    """A file named by the answers file, which must lie in the answers file's own folder tree:
    an answers file from a stick must not pick up ``/home/…/id_rsa`` or ``../../其他单位/…``
    (absolute names, ``..`` and links out of the folder are refused)."""
    from inspector.rubric.observations import SHA256_HEX

    if isinstance(entry, dict) and "file" in entry:
        entry = entry["file"]
    if isinstance(entry, str) and not SHA256_HEX.match(entry):
        root = base.resolve()
        path = (base / entry).resolve()
        if not path.is_relative_to(root):
            raise UsageError(_("证据文件必须在答案文件所在的文件夹内：{f}").format(f=entry), str(base))
        return path
    return None


def _without_evidence(data: Any, base: Path) -> Any:
    """The answers with evidence set aside, after checking that every named file is there."""
    raw = data.get("answers") if isinstance(data, dict) else None
    entries = raw.items() if isinstance(raw, dict) else enumerate(raw) if isinstance(raw, list) else []
    cleaned: Any = {} if isinstance(raw, dict) else []
    for key, obs in entries:
        if isinstance(obs, dict) and isinstance(obs.get("evidence"), list):
            for entry in obs["evidence"]:
                path = _evidence_file(entry, base)
                if path is not None and not path.is_file():
                    item = obs.get("item", key)
                    raise UsageError(_("证据文件不存在：{path}").format(path=path), str(item))
            obs = {k: v for k, v in obs.items() if k != "evidence"}
        if isinstance(cleaned, dict):
            cleaned[key] = obs
        else:
            cleaned.append(obs)
    return {**data, "answers": cleaned} if raw is not None else data


def _resolve_evidence(obs: Any, base: Path, ctx: Context) -> Any:
    """Evidence given as file paths (relative to the answers file) is stored and named by hash."""
    from inspector.store.evidence import add_evidence

    if not isinstance(obs, dict) or not isinstance(obs.get("evidence"), list):
        return obs
    resolved = []
    for entry in obs["evidence"]:
        path = _evidence_file(entry, base)
        if path is not None:
            caption = str(entry.get("caption", "")) if isinstance(entry, dict) else ""
            digest = add_evidence(ctx.db, ctx.data, path)
            resolved.append(
                {"sha256": digest, "name": path.name, **({"caption": caption} if caption else {})}
            )
        else:
            resolved.append(entry)
    return {**obs, "evidence": resolved}


@eval_.command("record")
@click.argument("eval_id")
@click.option("--answers", "answers", required=True, type=click.Path(path_type=Path), help="答案文件（JSON）")
@pass_context
def eval_record(ctx: Context, eval_id: str, answers: Path) -> None:
    """记录观察结果：每一项单独保存，落盘后打印“recorded 小项编号”。"""
    from inspector.rubric.scoring import parse_answers, score_item
    from inspector.store.evaluations import VETO_PREFIX

    s = store(ctx)
    e = s.get(eval_id)
    rubric = s.rubric(e.rubric_id, e.rubric_version, e.rubric_hash)
    data = read_json_file(answers)
    # Check the whole file first: a refused input changes nothing that is stored. Evidence does
    # not change points: its files are checked for existence here and stored only when recorded.
    with answers_file(answers):
        observations, vetoes = parse_answers(_without_evidence(data, answers.parent), rubric, str(answers))
        for item_id, obs in observations.items():
            score_item(rubric.item(item_id), obs)
    for v in vetoes:
        if rubric.veto(v.id) is None:
            raise UsageError(_("评估表 {r} 没有这个否决项").format(r=rubric.id), v.id)
    raw = data["answers"]
    entries = raw.items() if isinstance(raw, dict) else [(a["item"], a) for a in raw if "item" in a]
    for item_id, given in entries:
        fields = _resolve_evidence({k: v for k, v in given.items() if k != "item"}, answers.parent, ctx)
        s.record(eval_id, item_id, fields)
        click.echo(f"recorded {item_id}")
        sys.stdout.flush()
    for v in vetoes:
        s.set_veto(eval_id, v.id, True, v.note)
        click.echo(f"recorded {VETO_PREFIX}{v.id}")
        sys.stdout.flush()


def fixed_payload_json(f: Fixed) -> dict[str, Any]:
    return {
        "total": json_number(f.total),
        "base": json_number(f.base),
        "bonus": json_number(f.bonus),
        "outcome": {"code": f.outcome_code, "label": f.outcome_label} if f.outcome_code else None,
    }


def evidence_counts(payloads: dict[str, Any]) -> dict[str, int]:
    """How many evidence files each item carries, items without any left out."""
    from inspector.store.evaluations import VETO_PREFIX

    return {
        item_id: len(p["evidence"])
        for item_id, p in payloads.items()
        if not item_id.startswith(VETO_PREFIX) and isinstance(p, dict) and p.get("evidence")
    }


def _show(s: EvaluationStore, data: Path, eval_id: str) -> dict[str, Any]:
    from inspector.store.disallowed_marks import disallowed_marks, scored_as_recorded
    from inspector.store.evaluations import VETO_PREFIX, SignedCheck
    from inspector.store.signing_checks import SignCheck, sign_check
    from inspector.store.visit_evidence import visit_evidence

    e = s.get(eval_id)
    try:
        check = s.signed_check(eval_id)
        blocking: SignCheck | None = sign_check(s, eval_id)
        report, refused = check.report, None
    except InspectorError:  # marks the engine refuses as a whole: shown, with no total, and why
        report, refused = scored_as_recorded(s, eval_id)
        fixed = s.fixed(eval_id)
        why = _("无法按评估表重新计算分数：{m}").format(m=refused)
        check, blocking = SignedCheck(report, fixed, why if fixed else None), None
    current = s.current(eval_id)
    observations = {}
    conflicts = {}
    vetoes = []
    for item_id, cur in current.items():
        if item_id.startswith(VETO_PREFIX):
            if cur.change.payload and cur.change.payload.get("veto"):
                vetoes.append({"id": item_id[len(VETO_PREFIX) :], "note": cur.change.payload.get("note")})
            continue
        if cur.change.payload is not None:
            observations[item_id] = cur.change.payload
        if cur.rivals:
            conflicts[item_id] = [
                {"change": c.id, "author": c.author, "wall_time": c.wall_time, "observation": c.payload}
                for c in (cur.change, *cur.rivals)
            ]
    return {
        **e.summary(),
        "rubric_hash": e.rubric_hash,
        "team": e.team,
        "amend_reason": e.amend_reason,
        "signed_at": e.signed_at,
        "observations": observations,
        "vetoes": vetoes,
        "conflicting": conflicts,
        "signatures": [
            {"author": c.author, "wall_time": c.wall_time, **c.payload} for c in s.signatures(eval_id)
        ],
        "score": report.to_json(refused),
        **(
            {"disallowed": [{"item": m.item_id, "observation": m.payload, "why": m.why} for m in stray]}
            if (stray := disallowed_marks(s, eval_id))
            else {}
        ),
        **(
            {"signed_result": {**fixed_payload_json(check.fixed), "recomputed_differs": check.differs}}
            if check.fixed
            else {}
        ),
        # what stops `eval sign` now (the window's sign page shows the same): empty when it may be signed
        "sign_blockers": (
            ([] if e.signed_at else [_("不能签署：{why}").format(why=refused)])
            if blocking is None
            else []
            if blocking.signed
            else blocking.blockers()
        ),
        "unexplained": [u.item_id for u in blocking.unexplained] if blocking else [],
        # deductions lacking the note/photo their rubric item requires (its `evidence` clause)
        "missing_evidence": [
            {"item": m.item_id, "missing": list(m.missing), "clause": m.clause}
            for m in (blocking.without_evidence if blocking else ())
        ],
        "evidence_counts": evidence_counts(observations),
        # each evidence file (E1, E2… in item order) with captured_at, gps and flags
        "evidence": [x.to_json() for x in visit_evidence(s, data, eval_id)],
    }


@eval_.command("show")
@click.argument("eval_id")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def eval_show(ctx: Context, eval_id: str, as_json: bool) -> None:
    """查看一次评估：当前观察结果与得分。"""
    from inspector.store.disallowed_marks import disallowed_marks
    from inspector.store.signing_checks import refusal, sign_check
    from inspector.store.visit_evidence import visit_evidence
    from inspector.store.wording import kind_label, phase_label, phase_of

    s = store(ctx)
    if as_json:
        emit_json(_show(s, ctx.data, eval_id))
        return
    e = s.get(eval_id)
    state = phase_label(phase_of(e.state, e.answered, e.conflicts))
    click.echo(f"{e.org_name}  {e.rubric_id} v{e.rubric_version}  {kind_label(e.kind)}  {state}")
    stray = disallowed_marks(s, eval_id)
    try:
        check = s.signed_check(eval_id)
    except InspectorError:  # marks the engine refuses as a whole: no total, and which they are
        from inspector.store.disallowed_marks import scored_as_recorded

        _report, why = scored_as_recorded(s, eval_id)  # every such mark named, as --json and the window
        click.echo(_("总分：无（{why}）").format(why=why))
        _print_disallowed(eval_id, stray)
        return
    print_report(check.report, provisional=e.state == "draft")
    _print_disallowed(eval_id, stray)
    if check.fixed:
        click.echo(
            _("签署时确定：总分 {t}，结论 {o}").format(
                t=fmt(check.fixed.total), o=check.fixed.outcome_label or "—"
            )
        )
    if check.differs:
        click.echo(_("注意：{why}").format(why=check.differs))
    blocking = sign_check(s, eval_id)
    if not blocking.signed and not blocking.ok:
        click.echo(refusal(blocking))
    counts = evidence_counts({k: c.change.payload for k, c in s.current(eval_id).items() if c.change.payload})
    if counts:
        click.echo(
            _("证据（每项个数）：{items}").format(items="、".join(f"{i} ×{n}" for i, n in counts.items()))
        )
    for m in blocking.without_evidence:
        click.echo(_("  {id}：{label}（{clause}）").format(id=m.item_id, label=m.label, clause=m.clause))
    flagged = [x for x in visit_evidence(s, ctx.data, eval_id) if x.facts.flags]
    if flagged:
        click.echo(_("需核对的证据（依照片 EXIF 信息）："))
        for x in flagged:
            when = x.facts.captured_text() or _("无拍摄时间")
            click.echo(f"  {x.number}  {x.item_id}  {x.name or x.sha256[:12]}  {when}")
            for code in x.facts.flags:
                click.echo(f"      ※ {x.facts.flag_line(code)}")


def _print_disallowed(eval_id: str, marks: list[DisallowedMark]) -> None:
    from inspector.store.changes import canonical

    if not marks:
        return
    click.echo(_("评估表不允许的记录（重新评分，或用 eval clear 清除）："))
    for m in marks:
        click.echo(f"  {m.item_id}  {canonical(dict(m.payload))}  {m.why}")


@eval_.command("clear")
@click.argument("eval_id")
@click.argument("item_id")
@pass_context
def eval_clear(ctx: Context, eval_id: str, item_id: str) -> None:
    """清除一个小项的当前记录（如评估表不允许或没有的记录）；清除本身记入历史。"""
    from inspector.store.changes import canonical
    from inspector.store.disallowed_marks import clear_mark

    s = store(ctx)
    was = s.current(eval_id).get(item_id)
    c = clear_mark(s, eval_id, item_id)
    before = canonical(dict(was.change.payload)) if was is not None and was.change.payload else ""
    click.echo(_("已清除 {id}（原记录：{was}），更改 {c}").format(id=item_id, was=before, c=c.id[:8]))


@eval_.command("veto")
@click.argument("eval_id")
@click.argument("veto_id")
@click.option("--note", default=None, help="说明")
@click.option("--clear", is_flag=True, help="撤销该否决项")
@pass_context
def eval_veto(ctx: Context, eval_id: str, veto_id: str, note: str | None, clear: bool) -> None:
    """记录（或撤销）一个否决情形。"""
    from inspector.store.evaluations import VETO_PREFIX

    store(ctx).set_veto(eval_id, veto_id, not clear, note)
    click.echo(f"recorded {VETO_PREFIX}{veto_id}")


@eval_.command("attach")
@click.argument("eval_id")
@click.argument("item_id")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--caption", default="", help="说明文字")
@pass_context
def eval_attach(ctx: Context, eval_id: str, item_id: str, file: Path, caption: str) -> None:
    """给某小项的当前观察结果附上证据文件。"""
    from inspector.store.evidence import add_evidence

    s = store(ctx)
    cur = s.current(eval_id).get(item_id)
    if cur is None or cur.change.payload is None:
        raise UsageError(_("该小项尚未记录观察结果，请先评分再附证据"), item_id)
    digest = add_evidence(ctx.db, ctx.data, file)
    payload = dict(cur.change.payload)
    entry = {"sha256": digest, "name": file.name, **({"caption": caption} if caption else {})}
    payload["evidence"] = [*payload.get("evidence", []), entry]
    s.record(eval_id, item_id, payload)
    click.echo(f"recorded {item_id}  {digest}")


@eval_.command("audit")
@click.argument("eval_id")
@click.option("--item", "item_id", default=None, help="只显示某小项的历史")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def eval_audit(ctx: Context, eval_id: str, item_id: str | None, as_json: bool) -> None:
    """校验评估的更改记录（哈希链、当前值、证据文件），并列出更改历史。"""
    from inspector.store.audit import audit_evaluation
    from inspector.store.changes import CREATE, canonical

    s = store(ctx)
    report = audit_evaluation(s, ctx.data, eval_id)
    history = s.changes(eval_id, item_id)
    if as_json:
        emit_json(
            {
                "eval": eval_id,
                "ok": report.ok,
                "changes": report.changes,
                "chains": report.chains,
                "problems": report.problems,
                "history": [c.to_json() for c in history],
            }
        )
    else:
        for c in history:
            what = c.item_id or c.kind
            payload = canonical(c.payload) if c.kind != CREATE and c.payload is not None else ""
            click.echo(f"{c.wall_time}  {c.author}  {c.kind:8} {what}  {payload}")
        click.echo(
            _("校验：{n} 条更改，{k} 条链").format(n=report.changes, k=report.chains)
            + ("  " + _("完好") if report.ok else "")
        )
    if not report.ok:
        raise InspectorError(_("审计未通过：{p}").format(p=report.problems[0]), eval_id)


@eval_.command("sign")
@click.argument("eval_id")
@click.option("--signer", "signers", multiple=True, required=True, help="签署人“姓名:角色”，可多次")
@click.option("--role", default=None, help="数字签名的角色（默认：第一位签署人的角色，或“组长”）")
@click.option(
    "--passphrase-file", type=click.Path(path_type=Path), default=None, help="从文件读取签名证书口令"
)
@pass_context
def eval_sign(
    ctx: Context, eval_id: str, signers: tuple[str, ...], role: str | None, passphrase_file: Path | None
) -> None:
    """签署并锁定一次已完成的评估，生成评分表 PDF，并用本机签名证书加数字签名（与窗口相同）。"""
    from inspector.cli.common import read_passphrase
    from inspector.documents.signing import has_credential, make_score_sheet, unlock_signer

    team = [_member(x) for x in signers]
    s = store(ctx)
    e = s.get(eval_id)
    # The credential is unlocked and checked before the lock: a wrong passphrase changes nothing.
    signer = None
    if has_credential(ctx.data):
        signer = unlock_signer(ctx.data, read_passphrase(passphrase_file, _("签名证书口令")))
    e = s.sign(e.id, team)
    click.echo(_("已签署：{id}").format(id=e.id))
    as_role = role or team[0].get("role") or _("组长")
    path = make_score_sheet(s, ctx.data, e.id, signer, as_role)
    if signer is not None:
        click.echo(_("评分表已生成并加数字签名：{path}").format(path=path))
    else:
        click.echo(_("评分表已生成：{path}").format(path=path))
        click.echo(
            _("注意：本机尚未安装签名证书，评分表没有数字签名；安装证书后可用 inspector pdf sign 签署"),
            err=True,
        )


@eval_.command("move-version")
@click.argument("eval_id")
@click.option("--version", "version", type=int, required=True, help="改用的评估表版本")
@click.option("--reason", required=True, help="理由（记入评估历史）")
@pass_context
def eval_move_version(ctx: Context, eval_id: str, version: int, reason: str) -> None:
    """将未签署的评估改用评估表的另一版本（记入评估历史）。"""
    s = store(ctx)
    before = s.get(eval_id)
    s.move_to_version(eval_id, version, reason)
    after = s.report(eval_id)
    click.echo(
        _("已改用 {id} 第{v}版（原第{old}版）；当前总分 {t}").format(
            id=before.rubric_id, v=version, old=before.rubric_version, t=fmt(after.total)
        )
    )


@eval_.command("amend")
@click.argument("eval_id")
@click.option("--reason", required=True, help="修订理由")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def eval_amend(ctx: Context, eval_id: str, reason: str, as_json: bool) -> None:
    """为已签署的评估建立修订版（原评估保持不变）。"""
    from inspector.centre.unscored import amend_evaluation

    e = amend_evaluation(store(ctx), eval_id, reason)
    if as_json:
        emit_json(e.summary())
    else:
        click.echo(e.id)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def demo(ctx: Context, as_json: bool) -> None:
    """在数据文件夹中填入示例数据（机构、督导员、计划、各种状态的评估），并建立演示中心的 CA 与本机证书。"""
    from inspector.bundles.demo import fill_demo_folder

    made = fill_demo_folder(ctx.db, ctx.data)  # the inspector's sample, the centre's, the demo keys
    centre = made.centre
    from inspector.store.evaluations import count_evaluations
    from inspector.store.orgs import count_orgs

    count = {"orgs": count_orgs(ctx.db), "evaluations": count_evaluations(ctx.db)}
    if as_json:
        emit_json(
            {"orgs": count["orgs"], "evaluations": count["evaluations"], "people": centre.people,
             "plans": centre.plans, "created": centre.created,
             "centre": {"name": made.centre_name, "passphrase": made.passphrase, "created": made.keys_made}}
        )  # fmt: skip
        return
    if centre.created:
        click.echo(
            _("已填入示例：{o} 个机构，{e} 次评估，{p} 名督导员，{n} 个计划（{path}）").format(
                o=count["orgs"], e=count["evaluations"], p=centre.people, n=centre.plans, path=ctx.data
            )
        )
    else:
        click.echo(_("数据文件夹中已有数据，未再填入示例（{path}）").format(path=ctx.data))
    if made.keys_made:
        click.echo(
            _("已建立演示中心“{name}”的 CA 与本机证书；演示口令：{secret}（CA 与证书共用，仅供演示）").format(
                name=made.centre_name, secret=made.passphrase
            )
        )


# -- backup -------------------------------------------------------------------------------------


_BACKUP_PASS = click.option(
    "--passphrase-file",
    type=click.Path(path_type=Path),
    default=None,
    help="备份口令的文件（也可用环境变量 INSPECTOR_BACKUP_PASSPHRASE；交互时会提示输入）",
)


@click.command()
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="备份文件")
@_BACKUP_PASS
@pass_context
def backup(ctx: Context, out: Path, passphrase_file: Path | None) -> None:
    """备份数据文件夹（加密；程序打开时也可安全备份）。口令请告诉将来负责恢复的人。"""
    from inspector.cli.keys import _secret
    from inspector.store.backup import backup as make_backup
    from inspector.store.backup import refuse_on_server

    refuse_on_server(ctx.data)  # said first: no passphrase asked for a backup that cannot be made
    secret = _secret(passphrase_file, "INSPECTOR_BACKUP_PASSPHRASE", _("备份口令"), confirm=True)
    info = make_backup(ctx.db, ctx.data, out, secret)
    click.echo(
        _("已备份 {n} 个文件（{mb:.1f} MB）到 {path}").format(n=info.files, mb=info.bytes / 2**20, path=out)
    )


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@_BACKUP_PASS
@pass_context
def restore(ctx: Context, file: Path, passphrase_file: Path | None) -> None:
    """从备份恢复数据文件夹（原数据库另存一份）；加密的备份需要备份口令。"""
    from inspector.cli.keys import _secret
    from inspector.store.backup import refuse_on_server
    from inspector.store.backup import restore as restore_backup
    from inspector.store.backup_seal import MAGIC

    refuse_on_server(ctx.data)
    secret = None
    try:
        with open(file, "rb") as f:
            encrypted = f.read(len(MAGIC)) == MAGIC
    except OSError:
        encrypted = False  # restore_backup says why it cannot read the file
    if encrypted:
        secret = _secret(passphrase_file, "INSPECTOR_BACKUP_PASSPHRASE", _("备份口令"))
    manifest = restore_backup(file, ctx.data, secret)
    click.echo(_("已恢复：{file}").format(file=file))
    if "kept" in manifest:
        click.echo(_("原数据库已另存为：{path}").format(path=manifest["kept"]))
