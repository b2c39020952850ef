"""click's own words (Usage:, Options, Show this message and exit., Error: …) in the user's language.

click marks them for gettext (``from gettext import gettext as _`` in each of its modules) and ships
no catalogue, so a Chinese command line said "Usage:" and "Missing argument". The program's
catalogue is Chinese-first (:mod:`inspector.i18n`): each English msgid is mapped here to a Chinese
source string, which ``_()`` turns back into English for ``--lang en``. A msgid not listed stays as
click wrote it.
"""

from __future__ import annotations

import importlib

import click

from inspector.i18n import _

# click's modules that bind gettext's _ (and ngettext) at import (click 8.1-8.2)
_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.types",
)


def _words() -> dict[str, str]:
    return {
        "Usage:": _("用法："),
        "Options": _("选项"),
        "Commands": _("命令"),
        "Positional arguments": _("位置参数"),
        "Show this message and exit.": _("显示此帮助并退出。"),
        "Show the version and exit.": _("显示版本并退出。"),
        "Error: {message}": _("错误：{message}"),
        "Try '{command} {option}' for help.": _("用“{command} {option}”查看帮助。"),
        "Missing argument": _("缺少参数"),
        "Missing option": _("缺少选项"),
        "Missing parameter": _("缺少参数"),
        "Missing command.": _("缺少命令。"),
        "No such command {name!r}.": _("没有命令 {name!r}。"),
        "No such option {name!r}.": _("没有选项 {name!r}。"),
        "Did you mean {possibility}?": _("是不是 {possibility}？"),
        "(Did you mean one of: {possibilities}?)": _("（是不是其中之一：{possibilities}？）"),
        "Option {name!r} requires an argument.": _("选项 {name!r} 需要一个值。"),
        "Option {name!r} requires {nargs} arguments.": _("选项 {name!r} 需要 {nargs} 个值。"),
        "Option {name!r} does not take a value.": _("选项 {name!r} 不带值。"),
        "Got unexpected extra argument ({args})": _("多余的参数（{args}）"),
        "Got unexpected extra arguments ({args})": _("多余的参数（{args}）"),
        "Invalid value for {param_hint}: {message}": _("{param_hint} 的值无效：{message}"),
        "Invalid value: {message}": _("值无效：{message}"),
        # number_type is click's English type name (integer, float): left out
        "{value!r} is not a valid {number_type}.": _("{value!r} 不是有效的数字。"),
        "{value!r} is not one of {choices}.": _("{value!r} 不是 {choices} 之一。"),
        "{value!r} is not {choice}.": _("{value!r} 不是 {choice}。"),
        "{value} is not in the range {range}.": _("{value} 不在 {range} 范围内。"),
        "{value!r} is not a valid boolean. Recognized values: {states}": _(
            "{value!r} 不是有效的是/否值，可用：{states}"
        ),
        # click names the path by its type ("File", "Directory"), also the metavar in the help
        # (DIRECTORY), made once at import, before --lang: the name is left out of the messages
        "{name} {filename!r} does not exist.": _("{filename!r} 不存在。"),
        "{name} {filename!r} is a file.": _("{filename!r} 是文件，不是文件夹。"),
        "{name} {filename!r} is a directory.": _("{filename!r} 是文件夹，不是文件。"),
        "{name} {filename!r} is not readable.": _("{filename!r} 无法读取。"),
        "{name} {filename!r} is not writable.": _("{filename!r} 无法写入。"),
        "Could not open file {filename!r}: {message}": _("无法打开文件 {filename!r}：{message}"),
        "Aborted!": _("已取消。"),
        "default: {default}": _("默认：{default}"),
        "env var: {var}": _("环境变量：{var}"),
        "required": _("必填"),
    }


def _gettext(message: str) -> str:
    return _words().get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def install() -> None:
    """Point click's gettext names at :func:`_gettext`: looked up at each call, so ``--lang``
    given after the import still applies."""
    for name in _MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = _gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]


def refresh_help_option(command: click.Command, ctx: click.Context) -> None:
    """The root's ``--help`` line in the language ``--lang`` chose: click made its option (and
    its help text) before ``--lang`` was read."""
    option = command.get_help_option(ctx)
    if option is not None:
        option.help = _gettext("Show this message and exit.")
