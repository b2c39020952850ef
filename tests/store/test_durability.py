"""Kill the recording process at random moments: nothing acknowledged is ever lost.

``inspector eval record`` prints ``recorded ITEM`` only after the item's change is committed with
``synchronous=FULL``. SIGKILL gives the process no chance to clean up, like a dead battery short of
the disk's own cache; after each kill the database must pass ``integrity_check``, the audit must
hold, and every acknowledged item must carry the value of its round.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import run

RUBRIC = "sichuan-2017-inspection"


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_at_random_moments_loses_nothing_acknowledged(tmp_path: Path) -> None:
    data = tmp_path / "data"
    org = run("org", "add", "--name", "测试鉴定站", "--json", data=data).json()["id"]
    eval_id = run("eval", "new", "--rubric", RUBRIC, "--org", org, "--json", data=data).json()["id"]
    items = [
        i["id"]
        for s in run("rubric", "show", RUBRIC, "--json", data=data).json()["sections"]
        for i in s["items"]
    ]
    rng = random.Random(1122)
    env = {**os.environ, "INSPECTOR_DATA": str(data)}
    acknowledged: dict[str, int] = {}
    kills = 0
    for round_ in range(1, 26):
        answers = tmp_path / f"round{round_}.json"
        # every item is yes/no-able; a note carries the round so we can tell values apart
        order = items[:]
        rng.shuffle(order)
        answers.write_text(
            json.dumps(
                {
                    "answers": {
                        i: {"tier": 0} if i in TIERED else {"met": True, "note": f"第{round_}轮"}
                        for i in order
                    }
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "inspector", "eval", "record", eval_id, "--answers", str(answers)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        # Wait until the process is recording (its first line), then kill it a random moment later:
        # the kill lands among the commits however loaded the machine is.
        assert proc.stdout is not None
        first = proc.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.05))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        rest, _err = proc.communicate(timeout=60)
        out = first + rest
        for line in out.decode().splitlines():
            assert line.startswith("recorded ")
            acknowledged[line.split()[1]] = round_
        conn = sqlite3.connect(data / "inspector.sqlite3")
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
        current = run("eval", "show", eval_id, "--json", data=data).json()["observations"]
        for item, r in acknowledged.items():
            assert item in current, (round_, item)
            if item not in TIERED:
                got = int(current[item]["note"].strip("第轮"))
                assert got >= r, (item, got, r)
    assert kills >= 20, "the kills should land while records are being written"
    assert run("eval", "audit", eval_id, data=data).code == 0


# items whose rule has choice tiers only: recorded as tier 0 (no note to compare)
TIERED = {"5.2.1", "6.1.1", "9.1.2", "5.1.1", "6.6.1"}
