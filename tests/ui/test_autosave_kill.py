"""Autosave: kill the window's process at any moment; on restart the visit opens at the same item
with every mark.

The real program is started (``python -m inspector gui --eval ID``, offscreen) and types marks
through the same keyboard path a user takes (the test hook ``INSPECTOR_GUI_KEYS``: keys sent to
the focused widget once the window is ready). It is then killed with SIGKILL — no chance to
save anything on the way out — and the window is opened again on the same data folder.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inspector.store.evaluations import Evaluation, EvaluationStore
from inspector.store.ui_state import current_item
from tests.ui.conftest import ROOT, Window

# what "0" or "1" means on each kind of input: a count, yes/no, a tier, a percentage
TYPED = [{"problems": 0}, {"problems": 1}, {"met": True}, {"met": False}, {"tier": 0}, {"tier": 1},
         {"ratio": 0}, {"ratio": 0.01}]  # fmt: skip

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def start(folder: Path, eval_id: str, keys: list[str]) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "INSPECTOR_DATA": str(folder),
        "INSPECTOR_GUI_KEYS": ",".join(keys),
        "PYTHONIOENCODING": "utf-8",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "inspector", "gui", "--eval", eval_id],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_killed_window_reopens_at_the_same_item_with_every_mark(
    window: Window, store: EvaluationStore, fresh: Evaluation, demo_folder: Path
) -> None:
    # 1.1.1 … 1.4.1: four all-or-nothing items; then 1.5.1 is where work stops
    keys = ["0", "Return", "1", "Return", "0", "Return", "2", "Return"]
    proc = start(demo_folder, fresh.id, keys)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed once the keys were handled by the window
        assert line.startswith("keys-done "), line
        stopped_at = line.split()[1]
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)  # closes the pipes
    assert proc.returncode == -signal.SIGKILL
    assert stopped_at == "1.5.1"

    marks = {k: v.problems for k, v in store.observations(fresh.id)[0].items()}
    assert marks == {"1.1.1": 0, "1.2.1": 1, "1.3.1": 0, "1.4.1": 2}

    window.start(fresh.id, "scoring")  # the restart
    assert window.w.scoring.current_item == "1.5.1"
    session = window.w.session
    assert session is not None
    assert {i: session.results[i].points for i in marks} == {
        "1.1.1": 2, "1.2.1": 0, "1.3.1": 2, "1.4.1": 0
    }  # fmt: skip


@pytest.mark.slow
def test_kill_at_random_moments_loses_no_recorded_mark(
    store: EvaluationStore, fresh: Evaluation, demo_folder: Path
) -> None:
    """Killed while typing: every mark that reached the store is intact, and the window would
    reopen at the last item recorded or the one after it (moving on is its own durable write)."""
    rng = random.Random(4)
    items = [i.id for i in store.rubric(fresh.rubric_id, fresh.rubric_version).items()]
    recorded = 0
    for round_ in range(3):
        keys = []
        for _n in range(20):
            # "1" records a value on every input (a count, yes, the first tier: tier keys count
            # from 1 as printed, so "0" on a tier choice would record nothing and move on)
            keys += ["1", "Return"]
        proc = start(demo_folder, fresh.id, keys)
        time.sleep(rng.uniform(1.0, 3.0))
        proc.send_signal(signal.SIGKILL)
        _out, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, err
        answered = store.observations(fresh.id)[0]
        for item_id, obs in answered.items():  # "0"/"1" as a count, a yes/no or a tier: nothing else
            assert obs.to_dict() in TYPED, (round_, item_id, obs)
        assert len(answered) >= recorded, "a recorded mark was lost"
        recorded = len(answered)
        position = current_item(store.db, fresh.id)
        if position is not None:
            last = max((items.index(i) for i in answered), default=-1)
            assert items.index(position) in (last, last + 1, 0), (round_, position, last)
