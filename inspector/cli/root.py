"""The command line's root group: ``inspector [--data DIR] [--user NAME] [--lang zh|en] COMMAND …``.

Commands are imported when they are invoked, not at start: the window (``inspector gui``) should
not pay for the PDF, workbook and centre modules before its first paint. This module (and click
with it) is itself imported only when :mod:`inspector.cli.main` needs it: a plain
``inspector gui`` starts without it (:mod:`inspector.cli.fast`).
"""

from __future__ import annotations

import importlib

import click

from inspector import __version__
from inspector.cli import click_words
from inspector.cli.common import Group, make_context
from inspector.cli.params import prepare, translate_help
from inspector.i18n import _, set_language

click_words.install()  # click's own Usage:, Options, Error: … in the user's language

# name → (module, attribute); the order is the order of ``inspector --help``
COMMANDS: dict[str, tuple[str, str]] = {
    "gui": ("inspector.cli.gui", "gui"),
    "demo": ("inspector.cli.evals", "demo"),
    "rubric": ("inspector.cli.rubric", "rubric"),
    "score": ("inspector.cli.score", "score"),
    "org": ("inspector.cli.evals", "org"),
    "eval": ("inspector.cli.evals", "eval_"),
    "report": ("inspector.cli.report", "report"),
    "pdf": ("inspector.cli.pdf", "pdf"),
    "people": ("inspector.cli.centre", "people"),
    "plan": ("inspector.cli.centre", "plan"),
    "dispatch": ("inspector.cli.centre", "dispatch_cmd"),
    "rectify": ("inspector.cli.centre", "rectify"),
    "results": ("inspector.cli.centre", "results_cmd"),
    "stats": ("inspector.cli.centre", "stats_cmd"),
    "bundle": ("inspector.cli.bundle", "bundle"),
    "keys": ("inspector.cli.keys", "keys"),
    "station": ("inspector.cli.station", "station"),
    "calendar": ("inspector.cli.calendar", "calendar"),
    "rulebook": ("inspector.cli.rulebook", "rulebook"),
    "centre": ("inspector.cli.move", "centre"),
    "register": ("inspector.cli.register", "register"),
    "backup": ("inspector.cli.evals", "backup"),
    "restore": ("inspector.cli.evals", "restore"),
}
# subcommands that live with the centre but belong under another group
EXTRA: dict[str, list[tuple[str, str]]] = {
    "org": [
        ("inspector.cli.centre", "org_import"),
        ("inspector.cli.centre", "org_export"),
        ("inspector.cli.centre", "org_set"),
    ],
    "keys": [("inspector.cli.station", "keys_issue_station")],
    "plan": [("inspector.cli.station", "plan_requests")],
}


def _choose_language(value: str | None) -> str | None:
    if value:
        set_language(value)
    return value


class LazyGroup(Group):
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        translate_help(self)
        click_words.refresh_help_option(self, ctx)
        super().format_help(ctx, formatter)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name]
        command: click.Command = getattr(importlib.import_module(module), attr)
        if isinstance(command, click.Group):
            for extra_module, extra_attr in EXTRA.get(name, []):
                sub = getattr(importlib.import_module(extra_module), extra_attr)
                command.add_command(sub)
        prepare(command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data",
    "data",
    envvar="INSPECTOR_DATA",
    type=click.Path(file_okay=False),
    help="数据文件夹（默认为系统的用户数据文件夹；也可用环境变量 INSPECTOR_DATA）",
)
@click.option(
    "--db",
    "db",
    envvar="INSPECTOR_DB",
    default=None,
    help="中心的 PostgreSQL 数据库（postgresql://用户@服务器/库名；也可用环境变量 INSPECTOR_DB）；"
    "不给则用数据文件夹里的数据库",
)
@click.option(
    "--user",
    envvar="INSPECTOR_USER",
    default=None,
    help="记录更改时署名的用户（默认为本机所装证书的持有人，未装证书时为系统用户名）",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    is_eager=True,  # before --help, so that `inspector --lang en --help` is English
    expose_value=True,
    callback=lambda _ctx, _param, value: _choose_language(value),
    help="界面语言",
)
@click.version_option(__version__, prog_name="inspector", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, data: str | None, db: str | None, user: str | None, lang: str | None) -> None:
    """职业技能鉴定质量督导 — 离线评估工具。"""
    if lang:
        set_language(lang)
    if db:
        use_server(db)
    ctx.obj = make_context(data, user)


def use_server(url: str) -> None:
    """Every database this command opens is the centre's on the server (inspector.store.db.server_url
    reads it; a worker subprocess inherits it)."""
    import os

    from inspector.store.db import SERVER_ENV

    if not url.startswith(("postgresql://", "postgres://")):
        raise click.BadParameter(_("应为 postgresql://… 形式的地址"), param_hint="--db")
    os.environ[SERVER_ENV] = url


__all__ = ["COMMANDS", "cli"]
