"""Entry point: ``inspector [--data DIR] COMMAND …``."""

from __future__ import annotations

import click

from inspector import __version__
from inspector.cli.common import Group, make_context
from inspector.cli.evals import backup, demo, eval_, org, restore
from inspector.cli.rubric import rubric
from inspector.cli.score import score
from inspector.i18n import _, set_language


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data",
    "data",
    envvar="INSPECTOR_DATA",
    type=click.Path(file_okay=False),
    help="数据文件夹（默认为系统的用户数据文件夹；也可用环境变量 INSPECTOR_DATA）",
)
@click.option(
    "--user", envvar="INSPECTOR_USER", default=None, help="记录更改时署名的用户（默认为系统用户名）"
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="界面语言")
@click.version_option(__version__, prog_name="inspector", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, data: str | None, user: str | None, lang: str | None) -> None:
    """职业技能鉴定质量督导 — 离线评估工具。"""
    if lang:
        set_language(lang)
    ctx.obj = make_context(data, user)


cli.add_command(rubric)
cli.add_command(score)
cli.add_command(org)
cli.add_command(eval_)
cli.add_command(backup)
cli.add_command(restore)
cli.add_command(demo)


def main() -> None:
    cli(prog_name="inspector")


__all__ = ["_", "cli", "main"]
