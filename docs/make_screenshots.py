"""Make the user guide's screenshots with ``inspector gui --screenshot`` on a fresh demo folder,
so that they show the window as it is now. Usage: ``.venv/bin/python docs/make_screenshots.py``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "screenshots"


def inspector(home: Path, *args: str) -> str:
    # The default per-user folder under a throwaway home: the status bar reads
    # "~/.local/share/inspector", as on a user's computer, not a temporary path.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INSPECTOR_", "XDG_"))}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", INSPECTOR_LANG="zh")
    done = subprocess.run([sys.executable, "-m", "inspector", *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"inspector {' '.join(args)}: {done.stderr}")
    return done.stdout


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        inspector(home, "demo")
        evals = json.loads(inspector(home, "eval", "list", "--json"))
        in_progress = next(e for e in evals if e["kind"] == "inspection" and 0 < e["answered"] < e["items"])
        complete = next(e for e in evals if e["state"] == "complete" and e["kind"] == "inspection")
        recheck = next(e for e in evals if e["kind"] == "recheck")
        shots = {
            "home": ("--view", "home"),
            "scoring": ("--eval", in_progress["id"], "--view", "scoring"),
            "recheck": ("--eval", recheck["id"], "--view", "scoring"),
            "finish": ("--eval", complete["id"], "--view", "finish"),
            "signoff": ("--eval", complete["id"], "--view", "signoff"),
            "register": ("--view", "register"),
            "roster": ("--view", "roster"),
            "plans": ("--view", "plans"),
            "results": ("--view", "results"),
            "stats": ("--view", "stats"),
        }
        for name, args in shots.items():
            inspector(home, "gui", *args, "--screenshot", str(OUT / f"{name}.png"))
            print(OUT / f"{name}.png")


if __name__ == "__main__":
    main()
