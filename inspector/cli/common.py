"""What every command shares: the data folder, JSON output, refused input → exit 1."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from inspector.errors import InspectorError, ObservationError, UsageError
from inspector.fileio import read_text_file
from inspector.i18n import _, os_reason
from inspector.paths import data_dir

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    import sqlite_utils


# Commands that only read: a data folder named on the command line (or in INSPECTOR_DATA) that does
# not exist is a typing mistake for them, refused rather than created empty. The commands that set a
# folder up (demo, keys init-ca, bundle import, restore, the window's first run) and those that write
# into it create it; so does the per-user default folder on first use.
READ_ONLY = frozenset(
    {
        "eval list", "eval show", "eval audit", "org list", "org export", "people list", "people show",
        "people export", "plan list", "plan show", "plan record", "plan verify", "results", "stats",
        "bundle export", "keys show", "report pdf", "pdf verify", "pdf sign", "backup", "calendar show",
        "register corrections", "register history",
    }
)  # fmt: skip
# Commands that read only the rubrics (the shipped ones, and those imported into a folder): on a
# folder that does not exist they read the shipped rubrics, and create nothing.
RUBRICS_ONLY = frozenset({"rubric list", "rubric show", "rubric export", "rubric validate", "score"})


def command_path(ctx: click.Context | None) -> str:
    """``eval list`` for ``inspector --data X eval list``: the names below the root."""
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:
        names.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(names)


@dataclass
class Context:
    data: Path
    given_user: str | None = None  # --user / INSPECTOR_USER
    explicit: bool = False  # the folder was named (--data, INSPECTOR_DATA), not the default
    _db: sqlite_utils.Database | None = field(default=None, repr=False)
    _scratch: Any = field(default=None, repr=False)  # a TemporaryDirectory, removed at exit
    _author: str | None = field(default=None, repr=False)

    @property
    def user(self) -> str:
        """Who new changes are signed by: ``--user``, else the installed credential's person, else
        the operating-system user (inspector.folder.folder_author)."""
        if self.given_user:
            return self.given_user
        if self._author is None:
            from inspector.folder import folder_author

            self._author = folder_author(self.data)
        return self._author

    @property
    def db(self) -> sqlite_utils.Database:
        if self._db is None:
            # imported here: `inspector gui` opens the folder on its worker thread, after the
            # window is painted, and should not pay for the store's modules before that
            from inspector.folder import folder_warnings, open_folder

            folder = self.refuse_missing()
            self._db = open_folder(folder, rubrics=True)
            for warning in folder_warnings(folder):
                click.echo(_("注意：") + warning, err=True)
        return self._db

    def refuse_missing(self) -> Path:
        """The folder to open. A read-only command on a named folder that does not exist: say so,
        create nothing; a command that reads only rubrics: a throwaway folder with the shipped ones."""
        if not self.explicit or self.data.is_dir():
            return self.data
        command = command_path(click.get_current_context(silent=True))
        if command in RUBRICS_ONLY:
            import tempfile

            self._scratch = tempfile.TemporaryDirectory(prefix="inspector-")
            return Path(self._scratch.name)
        if command in READ_ONLY:
            raise UsageError(
                _("数据文件夹不存在（拼写有误？）；新建请用 inspector demo、keys init-ca 或 bundle import"),
                str(self.data),
            )
        return self.data


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
    return Context(data_dir(data), user, explicit=bool(data))


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


json_default = _default  # what emit_json's documents are encoded with, for those written in pieces

# Above this size a document is written without indentation: Python's JSON encoder is in C only
# without ``indent`` (the indenting one is pure Python: 4.6 of 6 s of ``results PLAN --json`` for a
# plan of 10,000 stations, issue 18 S1), and such a document is read by programs, not by eye.
INDENT_UP_TO = 1_000_000


def emit_json(value: Any) -> None:
    """One JSON document on stdout, UTF-8, not ASCII-escaped; indented unless it is large."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_default)
    if len(text) <= INDENT_UP_TO:
        text = json.dumps(value, ensure_ascii=False, indent=2, default=_default)
    sys.stdout.buffer.write(text.encode("utf-8") + b"\n")
    sys.stdout.flush()


def emit_json_pieces(pieces: Iterable[str], whole: Callable[[], Any]) -> None:
    """What :func:`emit_json` writes for the document whose compact text ``pieces`` spell (made with
    :func:`_default`), written as they come once it is past :data:`INDENT_UP_TO` (issue 18 S3: a
    plan of 100,000 stations, 90 MB, never held whole); a smaller one is indented as
    :func:`emit_json` indents it, from ``whole()`` (the same document as objects)."""
    out = sys.stdout.buffer
    held: list[str] = []
    size = 0
    it = iter(pieces)
    for piece in it:
        held.append(piece)
        size += len(piece)
        if size > INDENT_UP_TO:
            break
    else:
        emit_json(whole())
        return
    out.write("".join(held).encode("utf-8"))
    del held
    batch: list[str] = []
    for piece in it:
        batch.append(piece)
        if len(batch) >= 64:
            out.write("".join(batch).encode("utf-8"))
            batch.clear()
    out.write("".join(batch).encode("utf-8") + b"\n")
    sys.stdout.flush()


def read_json_file(path: Path) -> Any:
    """A JSON file with exact decimals; a malformed one is refused with its line."""
    try:
        text = read_text_file(path)  # as Notepad or PowerShell saved it: a BOM, or UTF-16
    except OSError as e:
        raise UsageError(_("无法读取文件：{e}").format(e=os_reason(e)), str(path)) from None
    except UnicodeDecodeError:
        raise UsageError(_("文件不是 UTF-8 编码"), str(path)) from None
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as e:
        raise UsageError(_("JSON 格式错误：{msg}").format(msg=e.msg), f"{path}:{e.lineno}") from None
    except RecursionError:
        raise UsageError(_("JSON 嵌套过深"), str(path)) from None
    except ValueError:  # an integer of more than 4300 digits (Python's int_max_str_digits)
        raise UsageError(_("JSON 中有位数过多的整数"), str(path)) from None


@contextmanager
def answers_file(path: Path) -> Iterator[None]:
    """An observation refused while an answers file is checked names the file, the item's line
    (where its id first appears as a JSON string) and the item."""
    try:
        yield
    except ObservationError as e:
        if not e.where:
            raise
        try:
            text = read_text_file(path)
        except (OSError, UnicodeDecodeError):
            text = ""
        at = text.find(json.dumps(e.where, ensure_ascii=False))
        place = f"{path}:{text.count(chr(10), 0, at) + 1}" if at >= 0 else str(path)
        raise ObservationError(e.message, f"{place}: {e.where}") from None


def read_passphrase(passphrase_file: Path | None, prompt: str) -> str:
    """A passphrase from a file (first line), ``INSPECTOR_PASSPHRASE``, or a hidden prompt.

    Never from a command-line argument: those end up in shell history and process lists.
    """
    import os

    if passphrase_file is not None:
        try:
            return read_text_file(passphrase_file).splitlines()[0]
        except (OSError, IndexError, UnicodeDecodeError):
            raise UsageError(_("无法从文件读取口令"), str(passphrase_file)) from None
    env = os.environ.get("INSPECTOR_PASSPHRASE")
    if env:
        return env
    if not sys.stdin.isatty():
        raise UsageError(_("需要口令：请用 --passphrase-file 或环境变量 INSPECTOR_PASSPHRASE 提供"))
    value: str = click.prompt(prompt, hide_input=True)
    return value


def check_out(path: Path) -> Path:
    """An output file whose folder exists: a stick that is not mounted leaves its mount point
    missing (or empty), and creating the folder would put the file on the local disk unnoticed."""
    parent = path.expanduser().absolute().parent
    if not parent.is_dir():
        raise UsageError(_("U 盘未插入或路径不存在：{path}").format(path=parent), str(path))
    if path.is_dir():
        raise UsageError(_("输出路径是一个文件夹，请给出文件名"), str(path))
    return path
