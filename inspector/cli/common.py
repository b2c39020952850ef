"""What every command shares: the data folder, JSON output, refused input → exit 1."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from inspector.errors import InspectorError, UsageError
from inspector.i18n import _
from inspector.paths import data_dir

if TYPE_CHECKING:
    import sqlite_utils


@dataclass
class Context:
    data: Path
    user: str | None = None
    _db: sqlite_utils.Database | None = field(default=None, repr=False)

    @property
    def db(self) -> sqlite_utils.Database:
        if self._db is None:
            # imported here: `inspector gui` opens the folder on its worker thread, after the
            # window is painted, and should not pay for the store's modules before that
            from inspector.folder import open_folder

            self._db = open_folder(self.data, rubrics=True)
        return self._db


pass_context = click.make_pass_decorator(Context)


class Group(click.Group):
    """A click group that turns a refused input into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InspectorError as e:
            click.echo(_("错误：") + str(e), err=True)
            ctx.exit(1)


def make_context(data: str | None, user: str | None = None) -> Context:
    return Context(data_dir(data), user)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def emit_json(value: Any) -> None:
    """One JSON document on stdout, UTF-8, not ASCII-escaped."""
    text = json.dumps(value, ensure_ascii=False, indent=2, default=_default)
    sys.stdout.buffer.write(text.encode("utf-8") + b"\n")
    sys.stdout.flush()


def read_json_file(path: Path) -> Any:
    """A JSON file with exact decimals; a malformed one is refused with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(_("无法读取文件：{e}").format(e=e.strerror or e), str(path)) from None
    except UnicodeDecodeError:
        raise UsageError(_("文件不是 UTF-8 编码"), str(path)) from None
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as e:
        raise UsageError(_("JSON 格式错误：{msg}").format(msg=e.msg), f"{path}:{e.lineno}") from None
    except RecursionError:
        raise UsageError(_("JSON 嵌套过深"), str(path)) from None


def read_passphrase(passphrase_file: Path | None, prompt: str) -> str:
    """A passphrase from a file (first line), ``INSPECTOR_PASSPHRASE``, or a hidden prompt.

    Never from a command-line argument: those end up in shell history and process lists.
    """
    import os

    if passphrase_file is not None:
        try:
            return passphrase_file.read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError, UnicodeDecodeError):
            raise UsageError(_("无法从文件读取口令"), str(passphrase_file)) from None
    env = os.environ.get("INSPECTOR_PASSPHRASE")
    if env:
        return env
    if not sys.stdin.isatty():
        raise UsageError(_("需要口令：请用 --passphrase-file 或环境变量 INSPECTOR_PASSPHRASE 提供"))
    value: str = click.prompt(prompt, hide_input=True)
    return value
