"""Benchmark of issue 14, target 1: how long the command line takes to print its help.

    python -m tests.bench.cli_help [--repeat 5]

Runs ``tracker --help`` and ``tracker complaints list --help`` as a user would (the console
script, each in a fresh process) and prints the median wall and CPU time (user + system, the
child's own) of ``--repeat`` runs, beside baselines measured in the same run: an interpreter
that does nothing (``python -c pass``) and, when sqlite-utils is installed, another Python
command line's help (``sqlite-utils --help``; ``pip install sqlite-utils`` for the comparison,
it is no dependency of the tracker). Ratios are each command's median over the baseline's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _script(name: str) -> list[str] | None:
    """A console script of this environment (else on PATH), or None when it is not installed."""
    path = BIN / name
    if path.exists():
        return [str(path)]
    found = shutil.which(name)
    return [found] if found else None


def measure(command: list[str], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``command`` run ``repeat`` times, each a fresh process."""
    env = os.environ | {"CI": "true", "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(command, env=env, capture_output=True, check=True)  # warm the file cache
    walls, cpus = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        walls.append(time.perf_counter() - started)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            raise SystemExit(f"{' '.join(command)} exited {child.returncode}")
        cpus.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command; the median is reported")
    args = parser.parse_args()
    tracker = _script("tracker") or [sys.executable, "-m", "tracker"]
    baselines = {"python -c pass": [sys.executable, "-c", "pass"]}
    sqlite_utils = _script("sqlite-utils")
    if sqlite_utils:
        baselines["sqlite-utils --help"] = [*sqlite_utils, "--help"]
    else:
        print("(sqlite-utils is not installed: only the empty interpreter is a baseline)")
    ours = {
        "tracker --help": [*tracker, "--help"],
        "tracker complaints list --help": [*tracker, "complaints", "list", "--help"],
    }
    figures = {name: measure(command, args.repeat) for name, command in (baselines | ours).items()}
    width = max(map(len, figures))
    print(f"median of {args.repeat} runs, each a fresh process ({sys.executable})")
    print(f"{'command':<{width}}  {'wall s':>7}  {'cpu s':>7}")
    for name, (wall, cpu) in figures.items():
        print(f"{name:<{width}}  {wall:7.3f}  {cpu:7.3f}")
    for name in ours:
        wall, cpu = figures[name]
        for baseline in baselines:
            base_wall, base_cpu = figures[baseline]
            print(f"{name} / {baseline}: wall x{wall / base_wall:.2f}, cpu x{cpu / base_cpu:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
