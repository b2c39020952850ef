"""Reading and writing a rubric in either of its file forms, chosen by the file's extension."""

from __future__ import annotations

from pathlib import Path

from inspector.errors import RubricError
from inspector.fileio import atomic_path, write_text_atomic
from inspector.i18n import _
from inspector.rubric.model import Rubric
from inspector.rubric.toml_form import dump_rubric_toml, load_rubric_file

FORMATS = (".toml", ".xlsx")


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise RubricError(
            _("不支持的文件类型“{s}”：评估表文件应为 .toml 或 .xlsx").format(s=suffix or "—"), str(path)
        )
    return suffix


def read_rubric(path: Path) -> Rubric:
    if _kind(path) == ".xlsx":
        from inspector.rubric.xlsx_form import import_rubric_xlsx  # openpyxl is slow to import

        return import_rubric_xlsx(path)
    return load_rubric_file(path)


def write_rubric(rubric: Rubric, path: Path) -> None:
    if _kind(path) == ".xlsx":
        from inspector.rubric.xlsx_form import export_rubric_xlsx

        with atomic_path(path) as tmp:
            export_rubric_xlsx(rubric, tmp)
    else:
        write_text_atomic(path, dump_rubric_toml(rubric))
