"""An unexpected error in the terminal app: the process exits 1 with one line naming the log,
the traceback (and the customer text in its local variables) goes to the log, not the screen.

Run as a real ``tracker`` process on Textual's headless driver; the failure is injected by
replacing one screen's mount handler, the way an unforeseen bug would surface.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
from tracker.ui.screens.dashboard.screen import DashboardScreen

def broken(self):
    secret = "Cy Customer, 07700 900123"  # a local the traceback would show
    raise KeyError("unforeseen")

DashboardScreen.on_mount = broken
sys.argv = ["tracker", "--db", sys.argv[1]]
from tracker.entry import run
run()
"""


def test_a_crash_exits_non_zero_with_one_line_and_logs_the_traceback(sqlite_url: str, tmp_path: Path) -> None:
    env = os.environ | {
        "TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "TRACKER_USER": "test",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, sqlite_url], env=env, capture_output=True, text=True, timeout=60
    )
    shown = done.stdout + done.stderr
    assert done.returncode == 1, shown
    assert "error: the tracker stopped: unexpected problem: KeyError: 'unforeseen'" in shown
    assert "Traceback" not in shown and "07700" not in shown, shown
    logs = list((tmp_path / "state").rglob("tracker.log"))
    assert logs and "Traceback" in logs[0].read_text(encoding="utf-8"), "the traceback was not logged"
    assert str(logs[0]) in shown, "the message does not say where the details are"
