"""Benchmarks of issue 5, each against a baseline measured in the same run.

    python -m tests.bench.run [--backend sqlite|postgres|both] [--rows N] [--repeat N]

Prints a table of figures and ratios and writes them to
tests/bench/results/latest.json. Databases are built once (tests/bench/datasets.py)
and reused; the first run takes a few minutes per backend.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from tests.bench import datasets
from tests.bench.datasets import LARGE, NOW, ROSTER, SMALL, STAFF, TINY
from tracker.db import engine as db
from tracker.db.models import Employee
from tracker.db.raw import of_session
from tracker.demo.generate import _Person, complaint_records
from tracker.domain.timeutil import set_clock
from tracker.records.complaints.importing.bulk import import_complaints
from tracker.records.complaints.queries import ComplaintFilter, list_complaints
from tracker.records.handbook.sql import material_version
from tracker.reporting.compliance import compliance_by_team
from tracker.reporting.dashboard import load_dashboard

HERE = Path(__file__).resolve().parent
PROBE = HERE / "probes" / "startup.py"
RESULTS = HERE / "results"


def driver_connection(url: str) -> Any:
    """A plain psycopg connection to the database of ``url``: the baselines' driver, with none of
    the tracker's or SQLAlchemy's layers between."""
    import psycopg

    parts = make_url(url)
    return psycopg.connect(
        host=parts.host, port=parts.port, dbname=parts.database, user=parts.username, password=parts.password
    )


@dataclass
class Figure:
    benchmark: str
    backend: str
    measure: str
    value: float
    unit: str
    baseline: float | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None


def _median(run: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _process(args: list[str], repeat: int) -> tuple[float, int]:
    """Median time from starting a fresh process to its first painted screen, and its peak memory (KiB)."""
    times, peaks = [], []
    for _ in range(repeat):
        started = time.time()  # wall clock: compared with the moment the child noted
        out = subprocess.run(
            [sys.executable, str(PROBE), *args],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "TZ": "UTC"},
        )
        report = json.loads(out.stdout.strip().splitlines()[-1])
        times.append((report["painted_at"] or time.time()) - started)
        peaks.append(report["peak_rss_kib"])
    return statistics.median(times), int(statistics.median(peaks))


def startup(backend: str, repeat: int) -> list[Figure]:
    large = datasets.ensure(LARGE, backend)
    baseline, _ = _process(["empty"], repeat)
    ours, _ = _process(["tracker", large], repeat)
    ratio = ours / baseline
    return [
        Figure(
            "1 start-up to painted dashboard",
            backend,
            "seconds (1M complaints)",
            ours,
            "s",
            baseline,
            ratio,
            "ratio ≤ 1.5",
            ratio <= 1.5,
        )
    ]


def dashboard(backend: str, repeat: int) -> list[Figure]:
    set_clock(lambda: NOW)
    timings = {}
    for dataset in (LARGE, SMALL):
        engine = db.make_engine(datasets.ensure(dataset, backend))
        with db.read_session(engine) as session:
            raw = of_session(session)
            load_dashboard(raw, now=NOW)  # warm the caches, as a refresh does
            timings[dataset.name] = _median(lambda: load_dashboard(raw, now=NOW), repeat)
        engine.dispose()
    set_clock(None)
    ratio = timings["large"] / timings["small"]
    return [
        Figure(
            "2 dashboard refresh",
            backend,
            "seconds at 1M vs 10k complaints",
            timings["large"],
            "s",
            timings["small"],
            ratio,
            "ratio ≤ 2",
            ratio <= 2,
        ),
        Figure(
            "2 dashboard refresh",
            backend,
            "seconds at 1M complaints",
            timings["large"],
            "s",
            None,
            None,
            "< 0.100 s",
            timings["large"] < 0.1,
        ),
    ]


PAGE_SAMPLES = 101  # a page takes about a millisecond: a few samples would measure the machine's noise


def complaint_list(backend: str, repeat: int) -> list[Figure]:
    # The first page compared is a full page (60 rows, newest first) on both sides. The
    # open complaints the list starts on are a full page at 1M but only ~20 rows at 1k
    # (the last month's), so that view is timed at 1M on its own instead. Both databases
    # are open at once and timed in alternation, so drift in the machine hits both alike.
    everything = ComplaintFilter()
    opening = ComplaintFilter(status="open")
    engines = {dataset.name: db.make_engine(datasets.ensure(dataset, backend)) for dataset in (LARGE, TINY)}
    samples: dict[str, list[float]] = {"large": [], "tiny": [], "open": [], "next": []}

    def timed(name: str, run: Callable[[], Any]) -> None:
        started = time.perf_counter()
        run()
        samples[name].append(time.perf_counter() - started)

    with db.read_session(engines["large"]) as large, db.read_session(engines["tiny"]) as tiny:
        page = list_complaints(large, everything, limit=60)
        for _ in range(5):  # a few pages in, as a user scrolls
            page = list_complaints(large, everything, before=(page[-1].received_at, page[-1].id), limit=60)
        cursor = (page[-1].received_at, page[-1].id)
        for round_ in range(PAGE_SAMPLES + 5):
            if round_ == 5:  # the first rounds warm the caches
                samples = {name: [] for name in samples}
            timed("large", lambda: list_complaints(large, everything, limit=60))
            timed("tiny", lambda: list_complaints(tiny, everything, limit=60))
            timed("open", lambda: list_complaints(large, opening, limit=60))
            timed("next", lambda: list_complaints(large, everything, before=cursor, limit=60))
    for engine in engines.values():
        engine.dispose()
    firsts = {name: statistics.median(samples[name]) for name in ("large", "tiny")}
    open_first, next_page = statistics.median(samples["open"]), statistics.median(samples["next"])
    memory = {}
    for dataset in (LARGE, TINY):
        _, memory[dataset.name] = _process(["complaints", datasets.ensure(dataset, backend), "5"], max(1, repeat // 3))
    first_ratio = firsts["large"] / firsts["tiny"]
    memory_ratio = memory["large"] / memory["tiny"]
    return [
        Figure(
            "3 complaints list",
            backend,
            "first page, 1M vs 1k complaints",
            firsts["large"],
            "s",
            firsts["tiny"],
            first_ratio,
            "ratio ≤ 1.2",
            first_ratio <= 1.2,
        ),
        Figure(
            "3 complaints list",
            backend,
            "first page of open complaints at 1M",
            open_first,
            "s",
            None,
            None,
            "< 0.010 s",
            open_first < 0.010,
        ),
        Figure(
            "3 complaints list",
            backend,
            "next page at 1M complaints",
            next_page,
            "s",
            None,
            None,
            "< 0.010 s",
            next_page < 0.010,
        ),
        Figure(
            "3 complaints list",
            backend,
            "app peak memory, 1M vs 1k (5 pages)",
            memory["large"],
            "KiB",
            memory["tiny"],
            memory_ratio,
            "ratio ≤ 1.2",
            memory_ratio <= 1.2,
        ),
    ]


def _fresh_copy(backend: str, name: str) -> str:
    """A throw-away copy of the roster dataset (handbook published, 10k employees)."""
    source = datasets.ensure(ROSTER, backend)
    if backend == "sqlite":
        path = datasets.DATA / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        shutil.copyfile(make_url(source).database or "", path)
        return f"sqlite:///{path}"
    admin = create_engine(datasets.postgres_admin_url() or "", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "bench_{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "bench_{name}" TEMPLATE "bench_{ROSTER.name}"'))
    admin.dispose()
    return datasets.url_for(datasets.Dataset(name, 0, 0), backend)


def _import_file(backend: str, rows: int) -> bytes:
    """A help-desk export of ``rows`` complaints, oldest first, from the demo generator."""
    engine = db.make_engine(datasets.ensure(ROSTER, backend))
    with db.read_session(engine) as session:
        people = [
            _Person(e.id or 0, e.number, e.name, e.hire_date, e.active) for e in session.exec(select(Employee)).all()
        ]
    engine.dispose()
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(
        [
            "received_at",
            "channel",
            "summary",
            "employee_number",
            "rules",
            "severity",
            "urgent",
            "first_response_at",
            "status",
            "resolution",
            "dismissal_reason",
        ]
    )
    targets = {"chat": 120, "phone": 120, "social": 3600, "email": 86400}
    for r in complaint_records(
        random.Random(11),
        people,
        NOW - timedelta(days=365),
        NOW - timedelta(days=1),
        rows,
        ["CON-01", "CON-02", "CON-04", "CON-05", "SPD-01"],
        targets,
        NOW,
    ):
        out.writerow(
            [
                r.received_at.isoformat(timespec="seconds"),
                r.channel,
                r.summary,
                r.employee_number or "",
                " ".join(r.rule_ids),
                r.severity,
                "yes" if r.urgent else "no",
                r.first_response_at.isoformat(timespec="seconds") if r.first_response_at else "",
                r.status,
                r.resolution or "",
                r.dismissal_reason or "",
            ]
        )
    return buffer.getvalue().encode("utf-8")


def importing(backend: str, rows: int) -> list[Figure]:
    data = _import_file(backend, rows)
    # Ours: the whole import, from bytes to committed rows and audit event.
    url = _fresh_copy(backend, "import_ours")
    engine = db.make_engine(url)
    started = time.perf_counter()
    db.write(
        engine,
        lambda s: import_complaints(
            io.BytesIO(data), session=s, actor="bench", source="bench.csv", sha256="0" * 64, now=NOW
        ),
    )
    ours = time.perf_counter() - started
    engine.dispose()
    # Baseline: the same rows already parsed into tuples, executemany into the same table, no validation.
    url = _fresh_copy(backend, "import_base")
    reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
    engine = db.make_engine(url)
    with db.read_session(engine) as session:
        numbers = dict(session.exec(select(Employee.number, Employee.id)).all())
        version_id = session.exec(text("SELECT max(id) FROM handbook_version")).scalar()  # type: ignore[call-overload]
    engine.dispose()
    sqlite = backend == "sqlite"
    targets = {"chat": 120, "phone": 120, "social": 3600, "email": 86400}

    def moment(text_value: str):  # type: ignore[no-untyped-def]
        value = datetime.fromisoformat(text_value)
        return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else value

    tuples = []  # the same rows as the import writes, prepared before the clock starts
    for index, row in enumerate(reader, start=1):
        received = datetime.fromisoformat(row["received_at"])
        first = datetime.fromisoformat(row["first_response_at"]) if row["first_response_at"] else None
        tuples.append(
            (
                index,
                f"C-2026-{index:06d}",
                moment(row["received_at"]),
                version_id,
                row["channel"],
                targets[row["channel"]],
                None,
                None,
                numbers.get(row["employee_number"]),
                row["summary"],
                row["severity"],
                row["urgent"] == "yes",
                row["status"],
                moment(row["first_response_at"]) if first else None,
                int((first - received).total_seconds()) if first else None,
                row["resolution"] or None,
                row["dismissal_reason"] or None,
                None,
                None,
                moment(NOW.isoformat()),
                "bench",
                moment(NOW.isoformat()),
                "bench",
                1,
            )
        )
    columns = (
        "id, ref, received_at, version_id, channel, target_seconds, customer_name, customer_contact, "
        "employee_id, summary, severity, urgent, status, first_response_at, first_response_seconds, resolution, "
        "dismissal_reason, closed_at, import_seq, created_at, created_by, updated_at, updated_by, revision"
    )
    marker = "?" if sqlite else "%s"
    sql = f"INSERT INTO complaint ({columns}) VALUES ({', '.join([marker] * 24)})"
    if sqlite:
        import sqlite3

        connection = sqlite3.connect(make_url(url).database or "")
        connection.execute("PRAGMA cache_size = -262144")  # the same page cache the import uses
        rows_for_sqlite = [(*t[:11], int(t[11]), *t[12:]) for t in tuples]
        started = time.perf_counter()
        connection.executemany(sql, rows_for_sqlite)
        connection.commit()
    else:
        connection = driver_connection(url)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.executemany(sql, tuples)
        connection.commit()
    baseline = time.perf_counter() - started
    connection.close()
    ours_rate, base_rate = rows / ours, rows / baseline
    ratio = ours_rate / base_rate
    return [
        Figure(
            "4 complaint import",
            backend,
            f"rows/s, {rows:,} rows",
            ours_rate,
            "rows/s",
            base_rate,
            ratio,
            "ratio ≥ 0.5",
            ratio >= 0.5,
        )
    ]


def compliance(backend: str, repeat: int) -> list[Figure]:
    engine = db.make_engine(datasets.ensure(STAFF, backend))
    with db.read_session(engine) as session:
        raw = of_session(session)
        material = material_version(raw)
        assert material is not None
        compliance_by_team(raw, material)
        seconds = _median(lambda: compliance_by_team(raw, material), repeat)
    engine.dispose()
    return [
        Figure(
            "5 sign-off compliance report",
            backend,
            "seconds, 100,000 employees",
            seconds,
            "s",
            None,
            None,
            "< 1 s",
            seconds < 1,
        )
    ]


def table(figures: list[Figure], measure_width: int = 40) -> str:
    """Every benchmark's figures as one printed table (the JSON results hold the same)."""
    lines = [
        f"{'benchmark':<32} {'backend':<9} {'measure':<{measure_width}} {'value':>12} {'baseline':>12} {'ratio':>7}  "
        "target        met"
    ]
    for f in figures:
        whole = f.unit in ("rows/s", "KiB")
        value = f"{f.value:,.0f}" if whole else f"{f.value:.4f}"
        base = "" if f.baseline is None else (f"{f.baseline:,.0f}" if whole else f"{f.baseline:.4f}")
        ratio = "" if f.ratio is None else f"{f.ratio:.2f}"
        lines.append(
            f"{f.benchmark:<32} {f.backend:<9} {f.measure:<{measure_width}} {value:>12} {base:>12} {ratio:>7}  "
            f"{f.target:<13} {'yes' if f.met else 'NO'}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for the import benchmark")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", nargs="*", default=None, help="startup dashboard list import compliance")
    options = parser.parse_args()
    backends = ["sqlite", "postgres"] if options.backend == "both" else [options.backend]
    if "postgres" in backends and not datasets.postgres_admin_url():
        sys.exit("PostgreSQL benchmarks need TRACKER_BENCH_POSTGRES_URL (a role that may CREATE DATABASE)")
    chosen = options.only or ["startup", "dashboard", "list", "import", "compliance"]
    figures: list[Figure] = []
    for backend in backends:
        for name in chosen:
            print(f"… {name} on {backend}", file=sys.stderr, flush=True)
            if name == "startup":
                figures += startup(backend, options.repeat)
            elif name == "dashboard":
                figures += dashboard(backend, options.repeat)
            elif name == "list":
                figures += complaint_list(backend, options.repeat * 3)
            elif name == "import":
                figures += importing(backend, options.rows)
            elif name == "compliance":
                figures += compliance(backend, options.repeat)
    print(table(figures))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps([asdict(f) for f in figures], indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main()
