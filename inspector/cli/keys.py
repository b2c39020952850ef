"""``inspector keys init-ca|issue|install|revoke|show``: the centre's CA and this folder's credentials.

Passphrases never come from a command-line argument (shell history, process lists): from a file,
an environment variable, or a hidden prompt. Three secrets are involved: the CA's
(``--ca-passphrase-file`` / ``INSPECTOR_CA_PASSPHRASE``), this folder's own credential's
(``--passphrase-file`` / ``INSPECTOR_PASSPHRASE``), and, when issuing, the person's
(``--person-passphrase-file`` / ``INSPECTOR_PERSON_PASSPHRASE``), which the centre tells the person
separately from the stick that carries the credential.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from inspector.cli.common import Context, emit_json, pass_context, read_passphrase
from inspector.errors import UsageError
from inspector.fileio import read_text_file
from inspector.i18n import _

_OPTION_OF = {
    "INSPECTOR_CA_PASSPHRASE": "--ca-passphrase-file",
    "INSPECTOR_PERSON_PASSPHRASE": "--person-passphrase-file",
    "INSPECTOR_PASSPHRASE": "--passphrase-file",
    "INSPECTOR_BACKUP_PASSPHRASE": "--passphrase-file",
}


def _secret(path: Path | None, env: str, prompt: str, *, confirm: bool = False) -> str:
    if path is not None:
        try:
            return read_text_file(path).splitlines()[0]  # a BOM or UTF-16 from Notepad is no part of it
        except (OSError, IndexError, UnicodeDecodeError):
            raise UsageError(_("无法从文件读取口令"), str(path)) from None
    if os.environ.get(env):
        return os.environ[env]
    if not sys.stdin.isatty():
        raise UsageError(
            _("需要口令：请用 {opt} 或环境变量 {env} 提供").format(
                opt=_OPTION_OF.get(env, "--passphrase-file"), env=env
            )
        )
    value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    return value


def _ca_folder(ctx: Context, ca: Path | None) -> Path:
    from inspector.crypto.identity import CA_FOLDER

    return ca if ca is not None else ctx.data / CA_FOLDER


_CA_OPT = click.option(
    "--ca",
    "ca",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="CA 文件夹（默认：数据文件夹下的 ca/）",
)
_CA_PASS = click.option(
    "--ca-passphrase-file",
    type=click.Path(path_type=Path),
    default=None,
    help="从文件读取 CA 口令（也可用环境变量 INSPECTOR_CA_PASSPHRASE）",
)


@click.group()
def keys() -> None:
    """证书：中心的 CA、签发与吊销督导员证书、本机安装的证书。"""


@keys.command("init-ca")
@click.option("--name", required=True, help="中心名称（写入 CA 证书）")
@_CA_OPT
@_CA_PASS
@click.option(
    "--passphrase-file",
    type=click.Path(path_type=Path),
    default=None,
    help="本机（中心）证书的口令文件（默认与 CA 口令相同；也可用 INSPECTOR_PASSPHRASE）",
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def keys_init_ca(
    ctx: Context,
    name: str,
    ca: Path | None,
    ca_passphrase_file: Path | None,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """创建中心的 CA，并把本数据文件夹设为中心（签发并安装中心自己的签名和加密证书）。"""
    from inspector.crypto.identity import init_centre
    from inspector.crypto.keys import group_fingerprint

    secret = _secret(ca_passphrase_file, "INSPECTOR_CA_PASSPHRASE", _("CA 口令"), confirm=True)
    own = None
    if passphrase_file is not None or os.environ.get("INSPECTOR_PASSPHRASE"):
        own = read_passphrase(passphrase_file, "")
    info, identity = init_centre(ctx.data, _ca_folder(ctx, ca), name, secret, own)
    out = {
        "ca": {
            "name": info.name,
            "folder": str(info.folder),
            "fingerprint": info.fingerprint,
            "not_after": info.not_valid_after.isoformat(),
        },
        "identity": identity.as_json(),
    }
    if as_json:
        emit_json(out)
    else:
        click.echo(
            _(
                "已创建中心 CA：{name}\nCA 证书指纹（印在每位督导员的派发单上，keys slip；"
                "督导员首次导入时逐字核对）：\n  {fp}"
            ).format(name=info.name, fp=group_fingerprint(info.fingerprint))
        )


@keys.command("issue")
@click.option("--person", required=True, help="督导员的名册编号（people）")
@click.option("--role", default=None, help="证书上的角色（默认：外督或内督，按名册）")
@click.option("--days", type=int, default=3 * 365, show_default=True, help="有效天数（不超过证卡有效期止日）")
@_CA_OPT
@_CA_PASS
@click.option(
    "--person-passphrase-file",
    type=click.Path(path_type=Path),
    default=None,
    help="督导员证书口令的文件（也可用 INSPECTOR_PERSON_PASSPHRASE）；另行告知本人",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="另存 .p12 文件到此文件夹",
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def keys_issue(
    ctx: Context,
    person: str,
    role: str | None,
    days: int,
    ca: Path | None,
    ca_passphrase_file: Path | None,
    person_passphrase_file: Path | None,
    out_dir: Path | None,
    as_json: bool,
) -> None:
    """给督导员签发签名证书和加密证书（随派发数据包带到其电脑）。"""
    from inspector.bundles.credentials import issue_for_person
    from inspector.centre.people import get_person
    from inspector.crypto.identity import describe
    from inspector.fileio import write_bytes_atomic

    get_person(ctx.db, person)  # an unknown person is said before any passphrase is asked
    ca_secret = _secret(ca_passphrase_file, "INSPECTOR_CA_PASSPHRASE", _("CA 口令"))
    secret = _secret(person_passphrase_file, "INSPECTOR_PERSON_PASSPHRASE", _("督导员证书口令"), confirm=True)
    p, pair = issue_for_person(ctx.db, _ca_folder(ctx, ca), ca_secret, person, secret, role=role, days=days)
    if out_dir is not None:
        write_bytes_atomic(out_dir / f"{pair.signing.serial}.signing.p12", pair.signing.p12)
        write_bytes_atomic(out_dir / f"{pair.signing.serial}.encryption.p12", pair.encryption.p12)
    from cryptography import x509

    out = {
        "person": p.id,
        "signing": describe(x509.load_pem_x509_certificate(pair.signing.certificate_pem)),
        "encryption": describe(x509.load_pem_x509_certificate(pair.encryption.certificate_pem)),
    }
    if as_json:
        emit_json(out)
    else:
        click.echo(
            _("已签发：{name}，证书序列号 {s}，有效期至 {t}").format(
                name=p.name, s=pair.signing.serial, t=pair.signing.not_valid_after.date().isoformat()
            )
        )


@keys.command("slip")
@click.option("--person", required=True, help="督导员的名册编号（people）")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="输出 PDF")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def keys_slip(ctx: Context, person: str, out: Path, as_json: bool) -> None:
    """打印督导员派发单（一页 PDF）：中心 CA 证书指纹与其证书，供首次导入时核对。"""
    from inspector.crypto.identity import load_identity
    from inspector.crypto.keys import fingerprint
    from inspector.documents.slip import render_slip
    from inspector.documents.style import write_pdf

    write_pdf(out, render_slip(ctx.db, ctx.data, person))
    identity = load_identity(ctx.data)
    assert identity is not None  # render_slip refused a folder without one
    fp = fingerprint(identity.ca)
    if as_json:
        emit_json({"file": str(out), "person": person, "ca_fingerprint": fp})
    else:
        click.echo(_("已写入派发单：{path}\nCA 证书指纹：{fp}").format(path=out, fp=fp))


@keys.command("install")
@click.argument("signing", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("encryption", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--passphrase-file", type=click.Path(path_type=Path), default=None, help="证书口令的文件")
@click.option(
    "--ca-fingerprint", default=None, help="本机尚未信任中心时：中心给出的 CA 证书指纹（派发单上印有）"
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def keys_install(
    ctx: Context,
    signing: Path,
    encryption: Path,
    passphrase_file: Path | None,
    ca_fingerprint: str | None,
    as_json: bool,
) -> None:
    """在本机安装证书（签名 .p12 与加密 .p12）；通常由派发数据包自动安装。"""
    from inspector.bundles.opening import normal_fingerprint
    from inspector.crypto.identity import install_pair, load_identity, open_pair
    from inspector.crypto.keys import fingerprint, group_fingerprint

    pair = open_pair(
        signing.read_bytes(), encryption.read_bytes(), read_passphrase(passphrase_file, _("证书口令"))
    )
    if load_identity(ctx.data) is None:  # the first trust anchor is a decision, as on import
        fp = fingerprint(pair.ca)
        if ca_fingerprint is None and sys.stdin.isatty():
            click.echo(
                _("本机尚未信任任何中心。证书文件中的中心 CA 证书指纹：\n  {fp}").format(
                    fp=group_fingerprint(fp)
                )
            )
            if click.confirm(_("与中心给您的派发单上印的指纹逐字一致吗？"), default=False):
                ca_fingerprint = fp
        if ca_fingerprint is None:
            raise UsageError(
                _(
                    "首次安装证书：请把中心 CA 证书指纹 {fp} 与派发单逐字核对后用 --ca-fingerprint 给出"
                ).format(fp=group_fingerprint(fp))
            )
        if normal_fingerprint(ca_fingerprint) != fp:
            raise UsageError(
                _("中心 CA 证书指纹与您核对的指纹不符（证书文件中为 {fp}）：不予信任").format(
                    fp=group_fingerprint(fp)
                )
            )
    identity = install_pair(ctx.data, pair)
    if as_json:
        emit_json(identity.as_json())
    else:
        click.echo(_("已安装：{name}").format(name=identity.name))


@keys.command("revoke")
@click.argument("serial")
@click.option(
    "--reason",
    default="unspecified",
    show_default=True,
    help="吊销原因：未说明、密钥泄露、信息变更、已被取代、停止使用、暂停（或 RFC 5280 的英文名称）",
)
@_CA_OPT
@_CA_PASS
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def keys_revoke(
    ctx: Context, serial: str, reason: str, ca: Path | None, ca_passphrase_file: Path | None, as_json: bool
) -> None:
    """吊销一份证书（及同一人的配对证书），并更新本机的吊销列表；随下一次派发带到各电脑。"""
    from inspector.crypto.identity import revoke_pair
    from inspector.crypto.keys import revocation_reason

    revocation_reason(reason)  # a mistyped reason is said before the CA passphrase is asked for
    secret = _secret(ca_passphrase_file, "INSPECTOR_CA_PASSPHRASE", _("CA 口令"))
    serials = revoke_pair(ctx.db, ctx.data, _ca_folder(ctx, ca), secret, serial, reason)
    if as_json:
        emit_json({"revoked": serials})
    else:
        click.echo(_("已吊销：{s}").format(s="、".join(serials)))


@keys.command("show")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def keys_show(ctx: Context, as_json: bool) -> None:
    """本机的证书、角色与已知的对方证书。"""
    from inspector.crypto.identity import issued_credentials, list_peers, load_identity

    identity = load_identity(ctx.data)
    peers = [
        {
            k: r[k]
            for k in (
                "fingerprint",
                "purpose",
                "name",
                "person_id",
                "roster_id",
                "role",
                "centre",
                "serial",
                "not_after",
            )
        }
        for r in list_peers(ctx.db)
    ]
    issued = [
        {
            "serial": r["serial"],
            "name": r["name"],
            "person": r["roster_id"],
            "not_after": r["not_after"],
            "revoked_at": r["revoked_at"],
        }
        for r in issued_credentials(ctx.db)
    ]
    out: dict[str, Any] = {
        "identity": identity.as_json() if identity else None,
        "peers": peers,
        "issued": issued,
    }
    if as_json:
        emit_json(out)
        return
    if identity is None:
        click.echo(_("本机尚未安装证书"))
    else:
        s = identity.as_json()["signing"]
        click.echo(
            _("本机：{name}（{role}），签名证书序列号 {serial}，有效期至 {t}").format(
                name=s["name"],
                role=_("中心") if identity.role == "centre" else _("督导员"),
                serial=s["serial"],
                t=s["not_after"][:10],
            )
        )
    if issued:
        click.echo(_("已签发的证书（吊销时用序列号或其前几位）："))
        for c in issued:
            state = _("已吊销") if c["revoked_at"] else _("有效期至 {t}").format(t=c["not_after"][:10])
            click.echo(f"  {c['serial']}  {c['name']}  {state}")
    if peers:
        click.echo(_("已知的对方证书："))
    for p in peers:
        purpose = _("签名") if p["purpose"] == "signing" else _("加密")
        click.echo(f"  {p['serial'] or '—'}  {p['name']}  {purpose}")
