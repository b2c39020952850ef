"""Make the user guide's screenshots with ``inspector gui --screenshot`` on a fresh demo folder,
so that they show the window as it is now. Usage: ``.venv/bin/python docs/make_screenshots.py``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "screenshots"


def inspector(home: Path, *args: str, secrets: dict[str, str] | None = None) -> str:
    # The default per-user folder under a throwaway home: the status bar reads
    # "~/.local/share/inspector", as on a user's computer, not a temporary path.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INSPECTOR_", "XDG_"))}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", INSPECTOR_LANG="zh", **(secrets or {}))
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
        station_shots(home)


def station_shots(home: Path) -> None:
    """The station's side (issue 19): the demo centre asks 泸州 for its self-assessment; a fresh
    station folder imports the request and fills part of the form."""
    demo = {"INSPECTOR_CA_PASSPHRASE": "demo-1234", "INSPECTOR_PASSPHRASE": "demo-1234"}
    station_secret = "station-1234"
    plans = json.loads(inspector(home, "plan", "list", "--json"))
    plan = next(p["id"] for p in plans if "下半年" in p["title"])
    desk = json.loads(inspector(home, "results", plan, "--json"))
    org = next(t["org"] for t in desk["targets"] if t["org_name"].startswith("泸州"))
    inspector(
        home, "keys", "issue-station", "--org", org, "--name", "王站长",
        secrets={**demo, "INSPECTOR_PERSON_PASSPHRASE": station_secret},
    )  # fmt: skip
    request = home / "request.inspbundle"
    inspector(
        home, "bundle", "export", "--kind", "self-assessment-request", "--plan", plan, "--org", org,
        "--out", str(request), secrets=demo,
    )  # fmt: skip
    ca = json.loads(inspector(home, "keys", "show", "--json"))["identity"]["ca"]["certificate"]
    station = ["--data", str(home / "station")]
    mine = {"INSPECTOR_PASSPHRASE": station_secret}
    inspector(home, *station, "bundle", "import", str(request), "--ca-fingerprint", ca, secrets=mine)
    eval_id = json.loads(inspector(home, *station, "station", "start", "--json"))["eval"]
    answers = json.loads((HERE / "examples" / "answers-sichuan-2017.json").read_text(encoding="utf-8"))
    part = home / "part.json"
    part.write_text(json.dumps({"answers": dict(list(answers["answers"].items())[:20])}), encoding="utf-8")
    inspector(home, *station, "eval", "record", eval_id, "--answers", str(part))
    # a register correction the station proposes, listed on its home page until the bundle carries it
    inspector(  # proposed by the station's head, as a station's user would be named (not the OS account)
        home, *station, "register", "propose", "负责人", "张新", "--reason", "原负责人退休",
        secrets={"INSPECTOR_USER": "王站长"},
    )  # fmt: skip
    for name, args in {
        "station-home": ("--view", "home"),
        "station-scoring": ("--eval", eval_id, "--view", "scoring"),
    }.items():
        inspector(home, *station, "gui", *args, "--screenshot", str(OUT / f"{name}.png"))
        print(OUT / f"{name}.png")
    inspector(home, "gui", "--view", "results", "--screenshot", str(OUT / "results.png"))
    corrections_shot(home, eval_id, answers, mine)


def corrections_shot(home: Path, eval_id: str, answers: dict[str, Any], mine: dict[str, str]) -> None:
    """The centre's register page with the corrections stations sent, as they arrive: 泸州 finishes
    and signs its self-assessment, its bundle carries the proposed 负责人 change to the demo centre
    (which already holds 德阳's), and the window opens on the demo's own folder (its status bar
    shows the folder a user's would: ~/.local/share/inspector, not a temporary path)."""
    station = ["--data", str(home / "station")]
    full = home / "full.json"
    full.write_text(json.dumps({"answers": answers["answers"]}), encoding="utf-8")
    inspector(home, *station, "eval", "record", eval_id, "--answers", str(full))
    inspector(home, *station, "eval", "sign", eval_id, "--signer", "王站长:站长", secrets=mine)
    answer = home / "answer.inspbundle"
    inspector(
        home, *station, "bundle", "export", "--kind", "self-assessment", "--out", str(answer), secrets=mine
    )
    inspector(home, "bundle", "import", str(answer), secrets={"INSPECTOR_PASSPHRASE": "demo-1234"})
    shot = OUT / "register-corrections.png"
    inspector(home, "gui", "--view", "register", "--screenshot", str(shot))
    print(shot)


if __name__ == "__main__":
    main()
