"""Benchmark of issue 18: a CSV file that is one enormous line, imported as a user would.

    python -m tests.bench.csv_line [--mb 150] [--kind complaints|employees]

Writes a file of ``--mb`` megabytes with no line break after its header names, runs
``tracker complaints import`` (or ``employees import``) on it in a fresh process against a fresh
SQLite database, and prints the wall time, the process's peak resident memory and its one-line
refusal. Before the line limit (``limits.CSV_LINE``) 150 MB took 41 s and 520 MB; the complaint
import now stops after reading 64 KiB of the line. (The roster import reads its file into memory
first, so its peak still grows with the file's size; its time does not.)
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADS = {"complaints": b"received_at,channel,summary,", "employees": b"number,name,team,hire_date,"}


def build(path: Path, head: bytes, megabytes: int) -> None:
    chunk = b"a," * (512 * 1024)  # 1 MiB
    with path.open("wb") as out:
        out.write(head)
        for _ in range(megabytes):
            out.write(chunk)
        out.write(b"\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=150, help="size of the one-line file in MiB")
    parser.add_argument("--kind", choices=sorted(HEADS), default="complaints")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "one-line.csv"
        build(csv_path, HEADS[args.kind], args.mb)
        env = os.environ | {"CI": "true", "NO_MKDOCS_2_WARNING": "1"}
        command = [sys.executable, "-m", "tracker", "--db", str(Path(folder) / "bench.db")]
        subprocess.run([*command, "db", "init"], env=env, check=True, capture_output=True)
        subprocess.run([*command, "handbook", "publish"], env=env, check=True, capture_output=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        result = subprocess.run([*command, args.kind, "import", str(csv_path)], env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far
    print(f"{args.kind} import of a {args.mb} MiB single-line file: exit {result.returncode}, {elapsed:.2f} s")
    print(
        f"peak resident memory of the processes: {peak_kib / 1024:.0f} MiB (the publish step: {before / 1024:.0f} MiB)"
    )
    print(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "(no message)")
    return 0 if result.returncode == 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
