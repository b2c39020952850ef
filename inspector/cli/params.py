"""What every command's ids and output files get, set in one place (``inspector.cli.main``).

Every parameter named for an id (``eval_id``, ``plan_id``, ``--person`` …) accepts a unique prefix
(:func:`inspector.store.ids.resolve_id`); every ``--out`` file is refused when its folder does not
exist (:func:`inspector.cli.common.check_out`). Setting them by parameter name, when a command is
loaded, keeps the command modules as they are and covers the commands added later with the same
names.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from inspector.cli.common import Context, check_out

# parameter name → the table its ids live in
ID_PARAMS: dict[str, str] = {
    "eval_id": "evaluations",
    "eval_ids": "evaluations",
    "plan_id": "plans",
    "org_id": "orgs",
    "employer": "orgs",
    "person_id": "people",
    "person": "people",
    "rect_id": "rectifications",
    "serial": "credentials",
    "proposal_id": "register_corrections",
}
OUT_PARAMS = ("out",)
# What each command writes to ``--out``, by its name under the root (a workbook saved as x.csv
# opens as garbage; a bundle not named .inspbundle is not found when its folder is imported).
# ``backup`` names its file freely; ``rubric export`` picks the format by the suffix it is given.
OUT_SUFFIXES: dict[str, tuple[str, ...]] = {
    "org export": (".xlsx",),
    "people export": (".xlsx",),
    "results": (".xlsx",),
    "stats": (".xlsx",),
    "report pdf": (".pdf",),
    "keys slip": (".pdf",),
    "pdf sign": (".pdf",),
    "bundle export": (".inspbundle",),
    "calendar template": (".toml",),
    "plan record": (".json",),
}


class IdParam(click.ParamType):  # type: ignore[type-arg]
    name = "id"

    def __init__(self, table: str) -> None:
        self.table = table

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value is None or ctx is None:
            return value
        obj = ctx.find_object(Context)
        if obj is None:
            return value
        return complete_id(obj, self.table, str(value))


def complete_id(obj: Context, table: str, text: str) -> str:
    """The full id a unique prefix names (:func:`inspector.store.ids.resolve_id`), for the options
    whose value holds an id beside other things (``--role-at ORG:ROLE``, ``--to`` a person or a
    certificate), which the parameter type cannot convert whole."""
    from inspector.store.ids import resolve_id

    return resolve_id(obj.db.conn, table, text)


class CoreChoice(click.Choice):  # type: ignore[type-arg]
    """``click.Choice`` of a core module's constant (``PLAN_KINDS``, ``RATINGS`` …), read when the
    choices are first asked for (parsing, help), not when the command module is imported: a
    command module then imports no core module of its own, and ``inspector results …`` or
    ``inspector --help`` pays only for what it runs (issue 18, S1)."""

    def __init__(self, module: str, name: str) -> None:
        self._source = (module, name)
        self._choices: tuple[Any, ...] | None = None
        super().__init__(())

    @property
    def choices(self) -> tuple[Any, ...]:
        if self._choices is None:
            module, name = self._source
            self._choices = tuple(getattr(importlib.import_module(module), name))
        return self._choices

    @choices.setter
    def choices(self, value: Iterable[Any]) -> None:  # click.Choice.__init__ sets them: read later
        pass


class OutPath(click.ParamType):  # type: ignore[type-arg]
    name = "path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value is None:
            return value
        path = check_out(Path(value))
        names = []
        while ctx is not None and ctx.parent is not None:  # the root's own name is the program's
            names.append(ctx.info_name or "")
            ctx = ctx.parent
        suffixes = OUT_SUFFIXES.get(" ".join(reversed(names)))
        if suffixes and path.suffix.lower() not in suffixes:
            from inspector.errors import UsageError
            from inspector.i18n import _

            raise UsageError(
                _("文件名应以 {s} 结尾（写出的就是这种文件），收到“{name}”").format(
                    s=" / ".join(suffixes), name=path.name
                ),
                "--out",
            )
        return path


def translate_help(command: click.Command) -> None:
    """The command's help and its options' help in the current language (``--lang`` or
    ``INSPECTOR_LANG``). The Chinese texts are the catalogue's keys: kept aside on first use, so
    that a later call in another language starts from them again."""
    from inspector.i18n import _

    sources: dict[str, str | None] = command.__dict__.setdefault(
        "_help_sources", {"help": command.help, "short_help": command.short_help}
    )
    command.help = _(sources["help"]) if sources["help"] else sources["help"]
    command.short_help = _(sources["short_help"]) if sources["short_help"] else sources["short_help"]
    for param in command.params:
        if isinstance(param, click.Option):
            source: str | None = param.__dict__.setdefault("_help_source", param.help)
            param.help = _(source) if source else source


def prepare(command: click.Command) -> None:
    """Give ``command`` (and its subcommands) the id and output parameter types, and its help
    in the current language."""
    for param in command.params:
        if param.name in ID_PARAMS and not isinstance(param.type, IdParam):
            param.type = IdParam(ID_PARAMS[param.name])
        elif param.name in OUT_PARAMS and not isinstance(param.type, OutPath):
            param.type = OutPath()
    translate_help(command)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            prepare(sub)
