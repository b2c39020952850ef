"""``inspector pdf sign FILE …`` and ``inspector pdf verify FILE [--json]``: PAdES signatures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from inspector.cli.common import Context, emit_json, pass_context, read_passphrase
from inspector.errors import InspectorError, SigningError, UsageError, VerificationError
from inspector.i18n import _, os_reason

if TYPE_CHECKING:
    from cryptography import x509


def trusted_cas(ctx: Context, ca_files: tuple[Path, ...]) -> list[bytes]:
    """The CA certificates to trust: those given, else the centre's CA installed in this folder."""
    from inspector.crypto.keys import CA_CERT_FILE, KEYS_DIR

    paths = list(ca_files) or [ctx.data / KEYS_DIR / CA_CERT_FILE]
    pems = []
    for p in paths:
        try:
            pems.append(p.read_bytes())
        except OSError:
            raise UsageError(
                _("没有可信任的中心证书：请用 --ca 给出，或先在本机安装签名证书（keys install）"), str(p)
            ) from None
    return pems


def installed_crls(ctx: Context) -> list[x509.CertificateRevocationList]:
    from inspector.crypto.keys import CRL_FILE, KEYS_DIR, load_crl

    path = ctx.data / KEYS_DIR / CRL_FILE
    return [load_crl(path)] if path.exists() else []


def sign_bytes(ctx: Context, data: bytes, role: str, location: str, passphrase_file: Path | None) -> bytes:
    """Sign with this folder's installed credential, in a new field after any earlier signatures.

    A missing credential is said before a passphrase is asked for."""
    from inspector.documents.signing import has_credential, sign_document, unlock_signer

    if not has_credential(ctx.data):
        raise SigningError(_("本机尚未安装签名证书"), str(ctx.data))
    signer = unlock_signer(ctx.data, read_passphrase(passphrase_file, _("签名证书口令")))
    return sign_document(data, signer, role=role, location=location)


def _name_file(e: InspectorError, file: Path) -> None:
    """A refusal about the file's content ("不是 PDF 文件") names the file, as every refusal names its
    place; one that already names a place (the data folder's missing credential) keeps it."""
    if not e.where:
        e.where = str(file)


@click.group()
def pdf() -> None:
    """PDF 数字签名：签署、验证。"""


@pdf.command("sign")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out", "out", type=click.Path(path_type=Path), default=None, help="输出文件（默认覆盖原文件）"
)
@click.option("--role", required=True, help="签署人的角色，如 组长、组员、机构代表")
@click.option("--location", default=None, help="签署地点（默认：评估现场）")
@click.option("--passphrase-file", type=click.Path(path_type=Path), default=None, help="从文件读取证书口令")
@pass_context
def pdf_sign(
    ctx: Context, file: Path, out: Path | None, role: str, location: str | None, passphrase_file: Path | None
) -> None:
    """用本机安装的签名证书签署 PDF（可多人依次签署）。"""
    from inspector.documents.style import write_pdf
    from inspector.fileio import saved_beside_message

    try:
        data = file.read_bytes()
    except OSError as e:
        raise UsageError(_("无法读取文件：{e}").format(e=os_reason(e)), str(file)) from None
    try:
        signed = sign_bytes(ctx, data, role, location or _("评估现场"), passphrase_file)
    except InspectorError as e:
        _name_file(e, file)
        raise
    target = out or file
    written = write_pdf(target, signed)
    if written != target:
        click.echo(saved_beside_message(target, written))
    click.echo(_("已签署：{path}").format(path=written))


@pdf.command("verify")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--ca", "ca_files", multiple=True, type=click.Path(path_type=Path), help="可信任的中心 CA 证书")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def pdf_verify(ctx: Context, file: Path, ca_files: tuple[Path, ...], as_json: bool) -> None:
    """验证 PDF 中的数字签名：是否完整、是否可信、签署后是否被改动。"""
    from inspector.crypto.pdfsign import verify_pdf

    try:
        data = file.read_bytes()
    except OSError as e:
        raise UsageError(_("无法读取文件：{e}").format(e=os_reason(e)), str(file)) from None
    try:
        result = verify_pdf(data, trusted_cas(ctx, ca_files), crls=installed_crls(ctx))
    except InspectorError as e:
        _name_file(e, file)
        raise
    if as_json:
        emit_json(result)
    else:
        for s in result["signers"]:
            mark = "✓" if s["intact"] and s["trusted"] else "✗"
            click.echo(f"{mark} {s['name']}（{s.get('role') or '—'}）{s['signed_at']}  {s['certificate']}")
        if result["modified_after_signing"]:
            click.echo(_("签署后文件被改动"))
    if not result["valid"]:
        why = _("签署后文件被改动") if result["modified_after_signing"] else _("签名无效或不可信")
        if not result["signers"]:
            why = _("文件中没有数字签名")
        raise VerificationError(why, str(file))
    if not as_json:
        click.echo(_("签名有效"))
