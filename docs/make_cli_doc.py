"""Write docs/cli.md from the click commands themselves: every command, its arguments and options,
in English and in Chinese (the program's two languages). ``tests/test_docs.py`` checks that the page
is current. Usage: ``.venv/bin/python docs/make_cli_doc.py`` (after adding or changing a command).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's inspector, run as a script from anywhere

from inspector import i18n  # noqa: E402
from inspector.cli.main import cli  # noqa: E402

OUT = ROOT / "docs" / "cli.md"
HEAD = """# The command line

Generated from the program by `python docs/make_cli_doc.py`; do not edit by hand (a test compares
this page with the commands). `inspector --help` and `inspector COMMAND --help` say the same, in
Chinese, or in English with `inspector --lang en …` (or `INSPECTOR_LANG=en`).

Conventions: `--data DIR` (or `INSPECTOR_DATA`) chooses the data folder; `--json` prints one JSON
document on stdout; exit 0 on success, 1 on a refused input (one line on stderr naming the place), 2 on
wrong usage. Every id may be shortened to any unique prefix; an output file whose folder does not exist
(a USB stick not mounted) is refused. Commands that only read refuse a named data folder that does not
exist; `demo`, `keys init-ca`, `bundle import` and the commands that write create it.
"""


def walk(
    ctx: click.Context, command: click.Command, path: list[str]
) -> Iterator[tuple[list[str], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from walk(ctx, sub, [*path, name])


def _texts(language: str) -> dict[tuple[str, ...], tuple[str, dict[str, str]]]:
    """Each command's help and its options' help, in one language."""
    i18n.set_language(language)
    ctx = click.Context(cli, info_name="inspector")
    out = {}
    for path, command in walk(ctx, cli, []):
        from inspector.cli.params import translate_help

        translate_help(command)
        helps = {p.name or "": p.help or "" for p in command.params if isinstance(p, click.Option)}
        out[tuple(path)] = ((command.help or "").strip(), helps)
    return out


def _usage(ctx: click.Context, command: click.Command, path: list[str]) -> str:
    pieces = command.collect_usage_pieces(ctx)
    return " ".join(["inspector", *path, *pieces])


def _option_names(p: click.Parameter) -> str:
    names = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
    if isinstance(p, click.Option) and not p.is_flag:
        names += f" {p.make_metavar(click.Context(click.Command('x')))}"
    return names


def _detail(p: click.Option) -> str:
    if p.required:
        return "required"
    if p.show_default and p.default is not None and not p.is_flag:
        return f"default {p.default}"
    return ""


def render() -> str:
    before = i18n.language()
    try:
        english, chinese = _texts("en"), _texts("zh")
    finally:
        i18n.set_language(before)
    ctx = click.Context(cli, info_name="inspector")
    parts = [HEAD]
    for path, command in walk(ctx, cli, []):
        key = tuple(path)
        en_help, en_opts = english[key]
        zh_help, zh_opts = chinese[key]
        title = " ".join(["inspector", *path])
        parts.append(f"\n{'#' * min(2 + len(path), 4)} `{title}`\n")
        parts.append(f"\n```\n{_usage(ctx, command, path)}\n```\n")
        if en_help:
            parts.append(f"\n{en_help}\n")
        if zh_help and zh_help != en_help:
            parts.append(f"\n{zh_help}\n")
        arguments = [p for p in command.params if isinstance(p, click.Argument)]
        if arguments:
            parts.append("\nArguments: " + ", ".join(f"`{p.human_readable_name}`" for p in arguments) + "\n")
        options = [p for p in command.params if isinstance(p, click.Option)]
        if options:
            parts.append("\n| option | | help | 说明 |\n|---|---|---|---|\n")
            for p in options:
                name = p.name or ""
                cells = [_option_names(p), _detail(p), en_opts.get(name, ""), zh_opts.get(name, "")]
                parts.append(
                    "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |\n"
                )
    return "".join(parts)


def main() -> None:
    OUT.write_text(render(), encoding="utf-8")
    print(OUT)


if __name__ == "__main__":
    main()
