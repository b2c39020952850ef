"""``inspector bundle export|import|verify|inspect``: USB sync bundles (docs/bundle-format.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from inspector.cli.common import Context, emit_json, pass_context, read_passphrase
from inspector.cli.params import complete_id
from inspector.errors import BundleError, InspectorError
from inspector.i18n import _

_PASS_HELP = "从文件读取本机证书口令（也可用环境变量 INSPECTOR_PASSPHRASE；交互时会提示输入）"


@click.group()
def bundle() -> None:
    """U 盘同步数据包：派发（中心 → 督导员）与结果（督导员 → 中心或组长）。"""


def _recipient(ctx: Context, to: str | None) -> str | None:
    """``--to``: a roster id may be a unique prefix, as every id option's; a certificate file or a
    fingerprint written with colons is left as typed (a name matches no id and stays too)."""
    if to is None or to.endswith((".pem", ".crt")) or ":" in to:
        return to
    return complete_id(ctx, "people", to)


@bundle.command("export")
@click.option(
    "--kind",
    type=click.Choice(["assignment", "results", "self-assessment-request", "self-assessment"]),
    required=True,
    help="数据包类型",
)
@click.option("--eval", "eval_ids", multiple=True, help="只导出这些评估（可多次给出）")
@click.option("--plan", "plan_id", default=None, help="派发：计划编号（与 --person 一起）")
@click.option("--person", default=None, help="派发：督导员（名册编号）")
@click.option("--org", "org_id", default=None, help="自评通知：鉴定站（所）的机构编号（与 --plan 一起）")
@click.option(
    "--to", "to", default=None, help="收件人：证书文件、证书指纹、人员编号或姓名（结果默认发给中心）"
)
@click.option("--full", is_flag=True, help="结果：发送全部内容，而不只是对方还没有的部分")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="输出文件（.inspbundle）")
@click.option("--passphrase-file", type=click.Path(path_type=Path), default=None, help=_PASS_HELP)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def bundle_export(
    ctx: Context,
    kind: str,
    eval_ids: tuple[str, ...],
    plan_id: str | None,
    person: str | None,
    org_id: str | None,
    to: str | None,
    full: bool,
    out: Path,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """导出数据包：加密给收件人，签名，写入后读回校验。"""
    from inspector.bundles.export import export_bundle
    from inspector.crypto.identity import load_identity, unlock_identity

    if load_identity(ctx.data) is None:  # say so before asking for a passphrase
        unlock_identity(ctx.data, "")
    keyring = unlock_identity(ctx.data, read_passphrase(passphrase_file, _("本机证书口令")))
    report = export_bundle(
        ctx.db,
        ctx.data,
        keyring,
        kind,
        out,
        eval_ids=list(eval_ids) or None,
        plan_id=plan_id,
        person=person,
        to=_recipient(ctx, to),
        full=full,
        author=ctx.user,
        org=org_id,
    )
    if as_json:
        emit_json(report.as_json())
        return
    click.echo(
        _("已导出：{path}（{kb} KB）给 {who}：{n} 个评估，{c} 条更改，{e} 个证据文件").format(
            path=out,
            kb=max(1, report.size // 1024),
            who=report.recipient.get("name"),
            n=report.counts["evaluations"],
            c=report.counts["changes"],
            e=report.counts["evidence"],
        )
    )
    for w in report.warnings:
        click.echo(_("注意：") + w, err=True)


@bundle.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--passphrase-file", type=click.Path(path_type=Path), default=None, help=_PASS_HELP)
@click.option(
    "--ca-fingerprint",
    default=None,
    help="首次导入派发数据包时：中心给出的 CA 证书指纹（派发单上印有；无终端时必须给出）",
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def bundle_import(
    ctx: Context,
    files: tuple[Path, ...],
    passphrase_file: Path | None,
    ca_fingerprint: str | None,
    as_json: bool,
) -> None:
    """导入数据包：先完整校验，再一次性写入；重复导入不会改变任何内容。

    可一次给出多个文件或一个文件夹（其中的全部数据包），口令只问一次、证书只解锁一次；
    逐个导入，每个数据包各自完整写入或完全不写，遇到被拒绝的数据包即停止（之前的已导入）。
    """
    from inspector.bundles.format import SUFFIX
    from inspector.bundles.importer import conflict_line

    paths: list[Path] = []
    for f in files:
        paths.extend(sorted(f.glob(f"*{SUFFIX}")) if f.is_dir() else [f])
    if not paths:
        raise BundleError(_("文件夹中没有数据包（*{s}）").format(s=SUFFIX), str(files[0]))
    state: dict[str, Any] = {"passphrase": None, "keyring": None, "ca": ca_fingerprint}
    reports = []
    for path in paths:
        try:
            report = _import_one(ctx, path, passphrase_file, state)
        except InspectorError as e:
            # the refusal names the file as well as the member: of several files, the user must
            # know which one was refused (the ones before it are imported and were reported)
            if str(path) not in str(e):
                e.where = f"{path}: {e.where}" if e.where else str(path)
            raise
        reports.append(report)
        if not as_json:  # said as each is imported, so a later refusal does not hide them
            for line in report.summary():
                click.echo(line)
            for c in report.conflicts:
                click.echo(conflict_line(c))
    if as_json:
        # one file: the report as before (the contract's shape); several: the list of them
        emit_json(
            reports[0].as_json()
            if len(files) == 1 and not files[0].is_dir()
            else [r.as_json() for r in reports]
        )
        return


def _import_one(ctx: Context, file: Path, passphrase_file: Path | None, state: dict[str, Any]) -> Any:
    """One file of ``bundle import``; ``state`` carries the passphrase and the unlocked key between
    files, so that a stick of a thousand bundles asks once and unlocks once (issue 18, P4)."""
    import sys

    from inspector.bundles.importer import already_imported, import_bundle
    from inspector.bundles.opening import first_anchor, read_checked
    from inspector.crypto.identity import load_identity, unlock_identity
    from inspector.crypto.keys import group_fingerprint
    from inspector.errors import SigningError

    container = read_checked(file)  # a refused file is refused before any passphrase is asked
    if not already_imported(ctx.db, container.manifest.bundle):
        anchor = first_anchor(container, ctx.data)
        if anchor is not None and state["ca"] is None and sys.stdin.isatty():
            # the first trust anchor is the user's decision, made by comparing with the slip
            click.echo(
                _("本机尚未信任任何中心。数据包中的中心 CA 证书指纹：\n  {fp}").format(
                    fp=group_fingerprint(anchor, per_line=8).replace("\n", "\n  ")
                )
            )
            if click.confirm(_("与中心给您的派发单上印的指纹逐字一致吗？"), default=False):
                state["ca"] = anchor
        if state["passphrase"] is None:
            state["passphrase"] = read_passphrase(passphrase_file, _("本机证书口令"))
        identity = load_identity(ctx.data)
        keyring = state["keyring"]
        if identity is not None and (keyring is None or keyring.identity is not identity):
            # unlocked once, again only if an import changed the identity; a wrong passphrase is
            # left to import_bundle, which refuses it with its own message
            try:
                state["keyring"] = unlock_identity(ctx.data, state["passphrase"])
            except SigningError:
                state["keyring"] = None
    return import_bundle(
        ctx.db,
        ctx.data,
        file,
        passphrase=state["passphrase"],
        keyring=state["keyring"],
        ca_fingerprint=state["ca"],
    )


def _verify(
    ctx: Context, file: Path, passphrase_file: Path | None, ca_fingerprint: str | None = None
) -> dict[str, Any]:
    """What ``verify`` reports: every check that this folder can make, the first failure named."""
    import os

    from inspector.bundles.importer import Rubrics, prepare
    from inspector.bundles.opening import open_bundle, read_checked
    from inspector.crypto import keys
    from inspector.crypto.identity import load_identity

    result: dict[str, Any] = {
        "valid": False,
        "bundle": None,
        "kind": None,
        "sender": None,
        "recipient": None,
        "counts": None,
        "created": None,
        "problems": [],
        "checked": [],
        "decrypted": False,
        "would_hold": None,  # after a dry run: how many changes an import would hold apart
        "warnings": [],
    }
    try:
        c = read_checked(file)
    except BundleError as e:
        result["problems"].append(str(e))
        return result
    m = c.manifest
    result.update(
        bundle=m.bundle,
        kind=m.kind,
        sender=m.sender,
        recipient=m.recipient,
        counts=m.counts,
        created=m.data["created"],
    )
    identity = load_identity(ctx.data)
    mine = bool(
        identity
        and identity.encryption
        and keys.fingerprint(identity.encryption) == m.recipient["certificate"]
    )
    have_secret = passphrase_file is not None or bool(os.environ.get("INSPECTOR_PASSPHRASE"))
    try:
        if have_secret and (mine or "credentials/signing.p12" in c.outer):
            secret = read_passphrase(passphrase_file, "")
            opened = open_bundle(
                file, ctx.data, passphrase=secret, container=c, ca_fingerprint=ca_fingerprint
            )
            prepared = prepare(ctx.db, Rubrics(ctx.db), opened)
            result["would_hold"] = len(prepared.verdict.holds) if prepared.verdict is not None else 0
            c.checked.append("content")
            result["decrypted"] = True
        else:
            from inspector.bundles.opening import carried_crl, check_sender, newest_crl, trust_of

            ca = trust_of(c, identity, None)
            crl = newest_crl(identity.crl if identity else None, carried_crl(c, ca))
            check_sender(c, ca, crl)
        result["valid"] = True
    except BundleError as e:
        result["problems"].append(str(e))
    result["checked"] = c.checked
    result["warnings"] = list(c.warnings)
    return result


def bundle_kind_label(kind: str) -> str:
    return {
        "assignment": _("派发"),
        "results": _("结果"),
        "self-assessment-request": _("自评通知"),
        "self-assessment": _("自查自评"),
    }.get(kind, kind)


def check_label(check: str) -> str:
    return {
        "container": _("结构"), "manifest": _("清单"), "signature": _("签名"), "hashes": _("哈希"),
        "sender": _("发件人证书"), "content": _("内容"), "recipient": _("收件人"), "decrypted": _("解密"),
        "members": _("成员文件"),
    }.get(check, check)  # fmt: skip


@bundle.command("verify")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--passphrase-file",
    type=click.Path(path_type=Path),
    default=None,
    help="本机是收件人时，用此口令解密并校验全部内容（也可用 INSPECTOR_PASSPHRASE）",
)
@click.option("--ca-fingerprint", default=None, help="本机尚未信任中心时：中心给出的 CA 证书指纹")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def bundle_verify(
    ctx: Context, file: Path, passphrase_file: Path | None, ca_fingerprint: str | None, as_json: bool
) -> None:
    """校验数据包：结构、签名、发件人证书、哈希；有口令且本机是收件人时解密并校验全部内容。"""
    result = _verify(ctx, file, passphrase_file, ca_fingerprint)
    if as_json:
        emit_json(result)
    elif result["valid"]:
        click.echo(
            _("有效：{kind} 数据包 {id}，发件人 {who}，已校验：{checked}").format(
                kind=bundle_kind_label(result["kind"]),
                id=result["bundle"],
                who=result["sender"]["name"],
                checked="、".join(check_label(c) for c in result["checked"]),
            )
        )
        if result["would_hold"]:
            click.echo(_("导入时将搁置 {n} 条不合规则的更改").format(n=result["would_hold"]))
        for w in result["warnings"]:
            click.echo(_("注意：") + w, err=True)
    if not result["valid"]:
        if not as_json:
            click.echo(_("错误：") + result["problems"][0], err=True)
        raise SystemExit(1)


@bundle.command("inspect")
@click.argument("file", type=click.Path(path_type=Path))
@pass_context
def bundle_inspect(ctx: Context, file: Path) -> None:
    """列出数据包的清单（不解密）。"""
    from inspector.bundles.opening import read_checked

    m = read_checked(file).manifest
    s, r = m.sender, m.recipient
    lines = [
        _("数据包 {id}（{kind}，格式 {f}）").format(
            id=m.bundle, kind=bundle_kind_label(m.kind), f=m.data["format"]
        ),
        _("创建时间：{t}").format(t=m.data["created"]),
        _("发件人：{name}（{role}，证书 {fp}…，设备 {d}）").format(
            name=s["name"], role=s.get("role") or "—", fp=s["certificate"][:16], d=s["device"][:8]
        ),
        _("收件人：{name}（证书 {fp}…）").format(name=r["name"], fp=r["certificate"][:16]),
        _("数量：") + "，".join(f"{k} {v}" for k, v in m.counts.items()),
        _("完整导出：{full}").format(full=_("是") if m.data["full"] else _("否（增量）")),
        _("加密内容：{n} 字节，SHA-256 {h}").format(n=m.payload.size, h=m.payload.sha256),
    ]
    for name, spec in sorted(m.members.items()):
        lines.append(f"  {name}  {spec.size}  {spec.sha256[:16]}…")
    for name, spec in sorted(m.outer.items()):
        lines.append(f"  [{name}]  {spec.size}  {spec.sha256[:16]}…")
    click.echo("\n".join(lines))


@bundle.command("held")
@click.option("--all", "everything", is_flag=True, help="也列出已接受或已拒绝的")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def bundle_held(ctx: Context, everything: bool, as_json: bool) -> None:
    """列出导入时被搁置的更改（不合“谁可以改什么”的规则）：规则、理由、来自谁。"""
    from inspector.bundles.held import held_changes, kind_label

    found = held_changes(ctx.db, everything=everything)
    if as_json:
        emit_json([h.as_json() for h in found])
        return
    if not found:
        click.echo(_("没有被搁置的更改"))
        return
    for h in found:
        c = h.change
        what = c.item_id or c.kind
        state = {None: _("待决定"), "accepted": _("已接受"), "rejected": _("已拒绝")}[h.decision]
        click.echo(
            _("#{id} [{state}] {org} 评估 {e} {what}（{kind}）来自 {who}：{rule}：{reason}").format(
                id=h.id,
                state=state,
                org=h.org_name or "—",
                e=c.eval_id[:8],
                what=what,
                kind=kind_label(c.kind),
                who=h.sender.get("name", "?"),
                rule=h.as_json()["rule_label"],
                reason=h.reason,
            )
        )


def _decide(ctx: Context, hold_id: int, reason: str, as_json: bool, accept: bool) -> None:
    from inspector.bundles.held import accept_held, reject_held

    ids = (accept_held if accept else reject_held)(ctx.db, hold_id, reason, ctx.user)
    if as_json:
        emit_json({"decision": "accepted" if accept else "rejected", "ids": ids})
        return
    done = _("已接受") if accept else _("已拒绝")
    click.echo(_("{done}：{ids}").format(done=done, ids="、".join(f"#{i}" for i in ids)))


@bundle.command("accept")
@click.argument("hold_id", type=int)
@click.option("--reason", required=True, help="接受的理由（记录在案）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def bundle_accept(ctx: Context, hold_id: int, reason: str, as_json: bool) -> None:
    """接受一条被搁置的更改：并入评估（已签署的评估不接受：请另建修订版）。"""
    _decide(ctx, hold_id, reason, as_json, True)


@bundle.command("reject")
@click.argument("hold_id", type=int)
@click.option("--reason", required=True, help="拒绝的理由（记录在案）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def bundle_reject(ctx: Context, hold_id: int, reason: str, as_json: bool) -> None:
    """拒绝一条被搁置的更改：不并入，留档。"""
    _decide(ctx, hold_id, reason, as_json, False)
