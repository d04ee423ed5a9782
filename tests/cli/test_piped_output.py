"""Tables piped or redirected (to a file, `less`, `grep`) are printed at their natural width: no
cell is cut to fit an 80-column guess, and no column collapses to nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def tracker_piped(*args: str) -> str:
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "--handbook", str(ROOT / "mkdocs.yml"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_piped_table_keeps_every_cell_whole(tmp_path: Path) -> None:
    db = str(tmp_path / "practice.db")
    tracker_piped("--db", db, "demo", "--employees", "20", "--complaints", "30", "--seed", "3")
    listing = tracker_piped("--db", db, "actions", "list")
    header = next(line for line in listing.splitlines() if "employee" in line)
    assert "┃ id ┃ employee ┃ name" in header and "…" not in listing
    assert max(len(line) for line in listing.splitlines()) > 80
    complaints = tracker_piped("--db", db, "complaints", "list", "--limit", "5")
    assert "…" not in complaints and "target missed" in complaints
    assert "\n" not in tracker_piped("--db", db, "db", "init").rstrip("\n")  # messages are not wrapped either
