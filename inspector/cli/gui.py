"""``inspector gui``: the window. Qt is imported only when this command runs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from inspector.cli.common import Context, pass_context
from inspector.cli.fast import GUI_VIEWS


@click.command()
@click.option("--screenshot", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="渲染一次主窗口，写入 PNG 文件后退出")  # fmt: skip
@click.option("--eval", "eval_id", default=None, help="打开这次评估（默认：首页）")
@click.option(
    "--view",
    type=click.Choice(GUI_VIEWS),
    default=None,
    help="打开时显示的页面（有 --eval 时默认为评分）；中心：register 机构登记、roster 督导员名册、"
    "plans 督导计划、results 结果汇总、stats 统计",
)
@pass_context
def gui(ctx: Context, screenshot: Path | None, eval_id: str | None, view: str | None) -> None:
    """打开评估窗口。"""
    import gc

    gc.disable()  # from here, as ui/collector.py keeps it while the window runs (inspector/cli/fast.py)
    from ui.app import run_gui

    chosen = view or ("scoring" if eval_id else "home")
    sys.exit(run_gui(ctx.data, user=ctx.user, eval_id=eval_id, view=chosen, screenshot=screenshot))
