"""Benchmark of issue 14, target 2: a command that reads or writes one record, on the large database.

    python -m tests.bench.cli_record [--repeat 5]

Runs, each in a fresh process as a user or a script would, on the 10,000-employee /
1,000,000-complaint SQLite database of tests/bench/datasets.py:

- ``tracker complaints show REF`` and ``tracker employees show NUMBER``, beside the baseline
  ``sqlite-utils query DB "select * from complaint where ref = :ref"`` (and the employee's row):
  targets ≤ 1.5×;
- ``tracker complaints acknowledge REF`` (one first response, audited), on a copy of the database
  (a different complaint each run), beside ``sqlite-utils query`` updating one row: target ≤ 2×.

Figures are median wall seconds of ``--repeat`` runs (sqlite-utils: ``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from typing import Callable

from tests.bench import datasets
from tests.bench.cli_help import _script, measure
from tests.bench.datasets import DATA, LARGE, ROOT


def _refs(path: str, count: int) -> tuple[str, str, list[str]]:
    """A complaint, an employee, and ``count`` complaints still awaiting their first response."""
    with sqlite3.connect(path) as connection:
        ref = connection.execute("SELECT ref FROM complaint ORDER BY id DESC LIMIT 1").fetchone()[0]
        number = connection.execute("SELECT number FROM employee ORDER BY id LIMIT 1").fetchone()[0]
        waiting = [
            row[0]
            for row in connection.execute(
                "SELECT ref FROM complaint WHERE status = 'received' ORDER BY id DESC LIMIT ?", (count,)
            )
        ]
    return ref, number, waiting


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command; the median is reported")
    args = parser.parse_args()
    sqlite_utils = _script("sqlite-utils")
    if sqlite_utils is None:
        raise SystemExit("sqlite-utils is the baseline: pip install -e '.[bench]'")
    tracker = _script("tracker") or [sys.executable, "-m", "tracker"]
    url = datasets.ensure(LARGE, "sqlite")
    path = url.removeprefix("sqlite:///")
    written = str(DATA / "large-writes.db")
    shutil.copyfile(path, written)
    ref, number, waiting = _refs(written, args.repeat + 1)
    base = [*tracker, "--handbook", str(ROOT / "mkdocs.yml"), "--as", "bench"]
    reads = {
        "tracker complaints show": (
            [*base, "--db", path, "complaints", "show", ref],
            [*sqlite_utils, "query", path, "select * from complaint where ref = :ref", "-p", "ref", ref],
        ),
        "tracker employees show": (
            [*base, "--db", path, "employees", "show", number],
            [*sqlite_utils, "query", path, "select * from employee where number = :n", "-p", "n", number],
        ),
    }
    figures: list[tuple[str, float, float, float]] = []
    for name, (ours, baseline) in reads.items():
        figures.append((name, measure(ours, args.repeat)[0], measure(baseline, args.repeat)[0], 1.5))
    queue = iter(waiting)
    acknowledge = _each(lambda: [*base, "--db", written, "complaints", "acknowledge", next(queue)], args.repeat + 1)
    update = measure(
        [*sqlite_utils, "query", written, "update complaint set summary = summary where ref = :r", "-p", "r", ref],
        args.repeat,
    )[0]
    figures.append(("tracker complaints acknowledge", acknowledge, update, 2.0))
    print(f"median wall seconds of {args.repeat} fresh processes, 1,000,000 complaints (SQLite)")
    print(f"{'command':<32} {'tracker':>8} {'sqlite-utils':>13} {'ratio':>6}  target")
    for name, ours_s, base_s, target in figures:
        ratio = ours_s / base_s
        print(
            f"{name:<32} {ours_s:8.3f} {base_s:13.3f} {ratio:6.2f}  ≤{target} {'met' if ratio <= target else 'MISSED'}"
        )
    return 0


def _each(command: Callable[[], list[str]], runs: int) -> float:
    """Median wall seconds of ``runs`` runs, a new command line each (a record is acknowledged
    once); the first run warms the file cache and is not counted."""
    env = os.environ | {"CI": "true", "NO_MKDOCS_2_WARNING": "1"}
    walls = []
    for _ in range(runs):
        line = command()
        started = time.perf_counter()
        done = subprocess.run(line, env=env, capture_output=True)
        walls.append(time.perf_counter() - started)
        if done.returncode:
            raise SystemExit(f"{' '.join(line)} exited {done.returncode}: {done.stderr.decode()[-300:]}")
    return statistics.median(walls[1:])


if __name__ == "__main__":
    raise SystemExit(main())
