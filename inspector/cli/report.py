"""``inspector report pdf EVAL_ID --out FILE [--kind sheet|notice|record|self|opinion] [--draft]``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from inspector.cli.common import Context, pass_context
from inspector.errors import UsageError
from inspector.i18n import _


@click.group()
def report() -> None:
    """打印文书：评分表、整改通知书、督导情况记录表、自查自评报告、质量督导意见书（PDF）。"""


@report.command("pdf")
@click.argument("eval_id")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="输出的 PDF 文件")
@click.option(
    "--kind",
    type=click.Choice(["sheet", "notice", "record", "self", "opinion"]),
    default="sheet",
    show_default=True,
    help="sheet 评分表（记录类评估表即督导情况记录表）；notice 整改通知书；"
    "record 督导情况记录表；self 自查自评报告；opinion 质量督导意见书（福建专项督导）",
)
@click.option("--draft", is_flag=True, help="强制加“草稿”水印（未签署的评估总是加水印）")
@click.option(
    "--date",
    "issued",
    default=None,
    help="通知书、意见书落款日期 YYYY-MM-DD（默认今天；意见书已记录的以记录为准）",
)
@click.option(
    "--opinion", default=None, help="意见书：委派机构综合分析后的督导意见（可选，印在督导发现的问题之后）"
)
@click.option("--sign", "role", default=None, help="生成后用本机签名证书以此角色签署（如 组长）")
@click.option("--passphrase-file", type=click.Path(path_type=Path), default=None, help="从文件读取证书口令")
@pass_context
def report_pdf(
    ctx: Context,
    eval_id: str,
    out: Path,
    kind: str,
    draft: bool,
    issued: str | None,
    opinion: str | None,
    role: str | None,
    passphrase_file: Path | None,
) -> None:
    """生成一次评估的 PDF 文书；加 --sign 时随即数字签名（其他人可用 pdf sign 依次签署）。"""
    from inspector.documents.others import render_document  # reportlab loads only when a PDF is made
    from inspector.documents.style import write_pdf
    from inspector.fileio import saved_beside_message
    from inspector.store.evaluations import EvaluationStore

    day = None
    if issued is not None:
        try:
            day = dt.date.fromisoformat(issued)
        except ValueError:
            from inspector.clock import not_a_real_date

            if not_a_real_date(issued):
                raise UsageError(_("“{v}”不是真实存在的日期").format(v=issued), issued) from None
            raise UsageError(_("日期应写成 YYYY-MM-DD"), issued) from None
    if out.is_dir():
        raise UsageError(_("输出路径是一个文件夹，请给出文件名"), str(out))
    store = EvaluationStore(ctx.db, ctx.user)
    data = render_document(
        store, ctx.data, eval_id, kind, draft=True if draft else None, issued=day, opinion=opinion
    )
    if role is not None:
        from inspector.cli.pdf import sign_bytes

        data = sign_bytes(ctx, data, role, store.get(eval_id).org_name, passphrase_file)
    written = write_pdf(out, data)
    if written != out:
        click.echo(saved_beside_message(out, written))
    click.echo(_("已生成：{path}（{kb} KB）").format(path=written, kb=max(1, len(data) // 1024)))
