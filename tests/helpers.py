"""Running the real ``inspector`` command in a subprocess, as users and acceptance tests do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run(*args: str | Path, data: Path | None = None, input: str | None = None, timeout: float = 120) -> Run:
    env = dict(os.environ)
    if data is not None:
        env["INSPECTOR_DATA"] = str(data)
    env["PYTHONIOENCODING"] = "utf-8"
    p = subprocess.run(
        [sys.executable, "-m", "inspector", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        input=input,
        timeout=timeout,
    )
    return Run(p.returncode, p.stdout, p.stderr)


def refused(result: Run, *words: str) -> None:
    """Exit 1 with exactly one line on stderr that says the given words, nothing on stdout."""
    assert result.code == 1, (result.code, result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    for w in words:
        assert w in lines[0], (w, lines[0])
