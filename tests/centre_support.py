"""Shared set-up for the centre's tests: data folders with or without the demo."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import sqlite_utils

from inspector.centre.demo import fill_centre_demo
from inspector.folder import open_folder
from inspector.store.db import DB_NAME
from inspector.store.rubrics import install_builtin_rubrics

TODAY = "2026-11-22"


def new_db(folder: Path) -> sqlite_utils.Database:
    db = open_folder(folder)
    install_builtin_rubrics(db)
    return db


def demo_folder(folder: Path) -> Path:
    """A data folder with fill_demo and fill_centre_demo in it (closed again)."""
    db = new_db(folder)
    fill_centre_demo(db)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return folder


def copy_folder(source: Path, target: Path) -> sqlite_utils.Database:
    target.mkdir(parents=True)
    shutil.copy(source / DB_NAME, target / DB_NAME)
    return open_folder(target)


def workbook(path: Path, sheets: Mapping[str, Sequence[Sequence[Any]]]) -> Path:
    """A workbook from rows (the first row of each sheet is its header)."""
    wb = openpyxl.Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path
