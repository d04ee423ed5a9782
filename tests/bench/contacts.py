"""Benchmarks of issue 11 ("Speed"), each against a baseline measured in the same run.

    python -m tests.bench.contacts [--backend sqlite|postgres|both] [--contacts N] [--repeat N]

1. ``tracker contacts import --from generic`` of N contacts (~4 messages each): rows/s of
   contacts + messages, in a fresh process doing what the command does (hash the files, read the
   profile, ``import_contacts`` in one ``Backend.write``), against the driver's ``executemany`` of
   the same rows (the columns the import writes, prepared before the clock starts) into the same
   tables of another fresh database. Target: ratio >= 0.5. The import's peak memory (the child's
   ru_maxrss) at N and at N/10 shows whether memory is flat in file size.
2. ``service_report(by="employee")`` for one calendar month on the imported database, median of
   --repeat. Target: < 1 s.
3. The Service screen's first page at N vs 10,000 contacts, timed in alternation: what the
   screen reads when it opens (the by-team report of the last 90 days) and the first page of an
   employee's contacts as the contacts list asks (``list_contacts``, 60 rows). Target: ratio <= 1.2.

The export files are written once into tests/bench/.data/ (cached, ignored by git through the
``.gitignore`` written there); the roster database (handbook published, employees, no contacts) is
built once per backend with the demo generator and copied for every import.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import inspect
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.bench import datasets
from tests.bench.datasets import NOW
from tests.bench.run import Figure, driver_connection, table  # one shape for every benchmark's figures

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DATA = datasets.DATA
RESULTS = HERE / "results"
EMPLOYEES = 2_000  # a large contact centre: ~6 contacts a day each at 1M contacts over 12 weeks
SMALL = 10_000  # the contacts of the database the Service screen is compared with
MONTH = (date(2026, 10, 1), date(2026, 10, 31))  # a calendar month inside the 12 weeks before NOW
PAGE = 60  # rows of a first page (ui/widgets/paged_table.PAGE_SIZE)
PAGE_SAMPLES = 31


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- databases --------------------------------------------------------------------------------


def _db_name(name: str) -> str:
    return f"contacts_{name}"


def _url(name: str, backend: str) -> str:
    return datasets.url_for(datasets.Dataset(_db_name(name), 0, 0), backend)


def _drop(name: str, backend: str) -> None:
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(DATA / f"{_db_name(name)}.db") + suffix).unlink(missing_ok=True)
        return
    admin = create_engine(datasets.postgres_admin_url() or "", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "bench_{_db_name(name)}" WITH (FORCE)'))
    admin.dispose()


def _roster_ready(url: str, employees: int) -> bool:
    """Built earlier, for this many employees, at this tracker's schema (a roster cached by an older
    tracker is built again, not upgraded: its rows would be the older tracker's)."""
    from tracker.db import engine as db
    from tracker.db.migrate import current_revision, head_revision

    try:
        engine = db.make_engine(url)
        if current_revision(engine) != head_revision():
            engine.dispose()
            return False
        with engine.connect() as connection:
            people = connection.execute(text("SELECT count(*) FROM employee")).scalar()
            contacts = connection.execute(text("SELECT count(*) FROM contact")).scalar()
            versions = connection.execute(text("SELECT count(*) FROM handbook_version")).scalar()
        engine.dispose()
    except Exception:  # noqa: BLE001 - missing or half-built: build again
        return False
    return people == employees and contacts == 0 and bool(versions)


def roster(backend: str, employees: int) -> str:
    """The import target: the handbook's versions published and ``employees`` on the roster, no contacts."""
    from tracker.db import engine as db
    from tracker.db.migrate import upgrade
    from tracker.demo.generate import generate
    from tracker.domain.handbook.parser import load_handbook
    from tracker.domain.handbook.source import source_from_config

    name = f"roster{employees}"
    url = _url(name, backend)
    if _roster_ready(url, employees):
        return url
    log(f"building the roster on {backend} ({employees:,} employees)")
    _drop(name, backend)
    if backend == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
    else:
        admin = create_engine(datasets.postgres_admin_url() or "", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "bench_{_db_name(name)}"'))
        admin.dispose()
    engine = db.make_engine(url)
    upgrade(engine)
    handbook = load_handbook(source_from_config(ROOT / "mkdocs.yml"))
    generate(engine, handbook, employees=employees, complaints=0, contacts=0, seed=1, now=NOW)
    engine.dispose()
    return url


def fresh_copy(backend: str, employees: int, name: str) -> str:
    source = roster(backend, employees)
    _drop(name, backend)
    if backend == "sqlite":
        shutil.copyfile(make_url(source).database or "", DATA / f"{_db_name(name)}.db")
        return _url(name, backend)
    admin = create_engine(datasets.postgres_admin_url() or "", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(f'CREATE DATABASE "bench_{_db_name(name)}" TEMPLATE "bench_{_db_name(f"roster{employees}")}"')
        )
    admin.dispose()
    return _url(name, backend)


# --- the export files -------------------------------------------------------------------------


def _people_and_channels(url: str) -> tuple[list[str], list[str]]:
    from tracker.db import engine as db
    from tracker.domain.handbook.parser import load_handbook
    from tracker.domain.handbook.source import source_from_config

    engine = db.make_engine(url)
    with engine.connect() as connection:
        people = [
            number for (number,) in connection.execute(text("SELECT number FROM employee WHERE active ORDER BY number"))
        ]
    engine.dispose()
    return people, list(load_handbook(source_from_config(ROOT / "mkdocs.yml")).channels)


def export_files(contacts: int, employees: int, roster_url: str) -> tuple[Path, Path]:
    """A generic-format contacts file and messages file of ``contacts`` demo contacts, written once."""
    from tracker.demo.contacts import contact_rows

    folder = DATA / f"contacts_export_{contacts}_{employees}"
    paths = folder / "contacts.csv", folder / "messages.csv"
    if (folder / "complete").exists():
        return paths
    DATA.mkdir(parents=True, exist_ok=True)
    ignore = DATA / ".gitignore"  # the CSV files are not *.db: keep the whole folder out of git
    if not ignore.exists():
        ignore.write_text("# benchmark data, rebuilt by tests/bench\n*\n", encoding="utf-8")
    log(f"writing the export of {contacts:,} contacts to {folder}")
    folder.mkdir(parents=True, exist_ok=True)
    people, channels = _people_and_channels(roster_url)
    chunk = 50_000
    messages = 0

    def stamp(moment: datetime) -> str:
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")

    with (
        paths[0].open("w", newline="", encoding="utf-8") as contacts_file,
        paths[1].open("w", newline="", encoding="utf-8") as messages_file,
    ):
        out_contacts, out_messages = csv.writer(contacts_file), csv.writer(messages_file)
        out_contacts.writerow(
            [
                "source",
                "id",
                "channel",
                "received_at",
                "agent",
                "topic",
                "priority",
                "status",
                "closed_at",
                "talk_seconds",
                "hold_seconds",
                "wrap_seconds",
                "Requester Email",  # a column the tracker does not know, as real exports have
            ]
        )
        out_messages.writerow(["contact_id", "at", "author", "agent"])
        for start in range(0, contacts, chunk):
            rows = contact_rows(random.Random(start), people, min(chunk, contacts - start), NOW, channels)
            for offset, row in enumerate(rows):
                external_id = f"T-{start + offset + 1:07d}"
                out_contacts.writerow(
                    [
                        "helpdesk",
                        external_id,
                        row.channel,
                        stamp(row.received_at),
                        row.agent or "",
                        row.topic or "",
                        row.priority or "",
                        row.status or "",
                        stamp(row.closed_at) if row.closed_at else "",
                        "" if row.talk_seconds is None else row.talk_seconds,
                        "" if row.hold_seconds is None else row.hold_seconds,
                        "" if row.wrap_seconds is None else row.wrap_seconds,
                        f"customer{start + offset}@example.com",
                    ]
                )
                for message in row.messages:
                    out_messages.writerow([external_id, stamp(message.at), message.author, message.agent or ""])
                    messages += 1
    (folder / "complete").write_text(json.dumps({"contacts": contacts, "messages": messages}), encoding="utf-8")
    return paths


# --- child processes: the import, and the baseline --------------------------------------------


def _peak_kib() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def child_import(url: str, paths: list[Path], profile_to: str | None) -> dict[str, Any]:
    """What ``tracker contacts import FILE... --from generic`` does, timed from the first file read."""
    from tracker.backend import Backend
    from tracker.config import Settings
    from tracker.domain.contact_profiles import read
    from tracker.records.contacts.commands import import_contacts

    profiler = None
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    try:  # hashed as the command hashes them (a megabyte at a time since commit c60c3ca)
        from tracker.domain.file_digest import sha256_of
    except ImportError:

        def sha256_of(path: Path) -> str:
            return hashlib.sha256(path.read_bytes()).hexdigest()

    files = [(path.name, sha256_of(path)) for path in paths]
    exported = read("generic", paths, zone="UTC")
    read_done = time.perf_counter()
    backend = Backend(Settings(url, ROOT / "mkdocs.yml", "bench"))
    result = backend.write(
        lambda session: import_contacts(exported, session=session, actor="bench", profile="generic", files=files)
    )
    finished = time.perf_counter()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile_to)
    assert not result.rejected and result.new == len(exported.contacts), (result.new, result.rejected[:3])
    return {
        "seconds": finished - started,
        "read_seconds": read_done - started,
        "write_seconds": finished - read_done,
        "contacts": result.new,
        "messages": sum(len(c.messages) for c in exported.contacts),
        "peak_kib": _peak_kib(),
    }


def child_baseline(url: str, paths: list[Path]) -> dict[str, Any]:
    """The driver's executemany of the rows the import writes; everything before it is untimed."""
    from sqlmodel import select

    from tracker.db import engine as db
    from tracker.db.models import Contact, ContactImport, Employee
    from tracker.domain.contact_profiles import read
    from tracker.records.contacts.commands import versions_in_force
    from tracker.records.contacts.mapping import prepare, roster_from

    exported = read("generic", paths, zone="UTC")
    engine = db.make_engine(url)
    with db.read_session(engine) as session:
        versions = versions_in_force(session)
        people = roster_from(
            [
                (e or 0, n, name, hired)
                for e, n, name, hired in session.exec(
                    select(Employee.id, Employee.number, Employee.name, Employee.hire_date)
                )
            ]
        )
    prepared = []
    # As import_contacts calls it (whether it takes the import's ``now`` has changed as the code moved on).
    extra = [datetime.now(timezone.utc)] if "now" in inspect.signature(prepare).parameters else []
    for row in exported.contacts:
        contact, problems = prepare(row, versions, people, *extra)
        assert contact is not None, problems
        prepared.append(contact)
    del exported

    def import_row(session: Any) -> int:
        record = ContactImport(profile="generic", files="[]", imported_at=NOW, imported_by="bench")
        session.add(record)
        session.flush()
        return record.id or 0

    import_id = db.write(engine, import_row)
    engine.dispose()
    sqlite = url.startswith("sqlite")

    def value(item: Any) -> Any:
        if isinstance(item, datetime):
            moment = item.astimezone(timezone.utc)  # the columns are timestamptz on PostgreSQL
            return moment.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else moment
        if sqlite and isinstance(item, bool):
            return int(item)
        return item

    names = [c.name for c in Contact.__table__.columns if c.name not in ("id", "import_id")]  # type: ignore[attr-defined]
    contact_rows = []
    message_rows = []
    for contact_id, contact in enumerate(prepared, start=1):
        columns = contact.columns
        contact_rows.append((contact_id, *(value(columns[name]) for name in names), import_id))
        for message in contact.messages:
            message_rows.append((contact_id, value(message["at"]), message["author"], message["employee_id"]))
    del prepared
    marker = "?" if sqlite else "%s"
    insert_contacts = (
        f"INSERT INTO contact (id, {', '.join(names)}, import_id) VALUES ({', '.join([marker] * (len(names) + 2))})"
    )
    insert_messages = (
        f"INSERT INTO contact_message (contact_id, at, author, employee_id) VALUES ({', '.join([marker] * 4)})"
    )
    if sqlite:
        from tracker.db import sqlite_setup

        connection: Any = sqlite_setup.connect(make_url(url).database or "")  # the tracker's own settings
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(insert_contacts, contact_rows)
        connection.executemany(insert_messages, message_rows)
        connection.execute("COMMIT")
    else:
        connection = driver_connection(url)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.executemany(insert_contacts, contact_rows)
            cursor.executemany(insert_messages, message_rows)
        connection.commit()
    seconds = time.perf_counter() - started
    connection.close()
    return {"seconds": seconds, "contacts": len(contact_rows), "messages": len(message_rows), "peak_kib": _peak_kib()}


def _run_child(kind: str, url: str, paths: tuple[Path, Path], profile_to: str | None = None) -> dict[str, Any]:
    args = [sys.executable, "-m", "tests.bench.contacts", "--child", kind, url, str(paths[0]), str(paths[1])]
    if profile_to:
        args += ["--profile-to", profile_to]
    out = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "TZ": "UTC"})
    if out.returncode != 0:
        raise RuntimeError(f"{kind} child failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the benchmarks ---------------------------------------------------------------------------


def importing(backend: str, contacts: int, employees: int, rounds: int, profile: bool) -> tuple[list[Figure], str]:
    """The import's and the baseline's rows/s, interleaved; returns the figures and the imported database."""
    roster_url = roster(backend, employees)
    paths = export_files(contacts, employees, roster_url)
    ours_rates, base_rates, peaks = [], [], []
    imported = ""
    for round_ in range(rounds):
        url = fresh_copy(backend, employees, "base")
        log(f"baseline executemany, {contacts:,} contacts on {backend} (round {round_ + 1})")
        base = _run_child("baseline", url, paths)
        _drop("base", backend)
        base_rates.append((base["contacts"] + base["messages"]) / base["seconds"])
        log(f"  {base['seconds']:.1f} s, {base_rates[-1]:,.0f} rows/s")
        imported = fresh_copy(backend, employees, f"imported{contacts}")
        log(f"import, {contacts:,} contacts on {backend} (round {round_ + 1})")
        stats = str(RESULTS / f"contacts-import-{backend}-{contacts}.prof") if profile and round_ == 0 else None
        ours = _run_child("import", imported, paths, stats)
        ours_rates.append((ours["contacts"] + ours["messages"]) / ours["seconds"])
        peaks.append(ours["peak_kib"])
        log(
            f"  {ours['seconds']:.1f} s (read {ours['read_seconds']:.1f} s, write {ours['write_seconds']:.1f} s), "
            f"{ours_rates[-1]:,.0f} rows/s, peak {ours['peak_kib'] / 1024:,.0f} MiB, "
            f"{ours['contacts']:,} contacts + {ours['messages']:,} messages"
        )
    ours_rate, base_rate = statistics.median(ours_rates), statistics.median(base_rates)
    ratio = ours_rate / base_rate
    # Memory at a tenth of the file: flat in file size would give about the same peak.
    tenth = max(contacts // 10, 1)
    tenth_paths = export_files(tenth, employees, roster_url)
    url = fresh_copy(backend, employees, "tenth")
    log(f"import, {tenth:,} contacts on {backend} (memory at N/10)")
    small = _run_child("import", url, tenth_paths)
    _drop("tenth", backend)
    peak = int(statistics.median(peaks))
    memory_ratio = peak / small["peak_kib"]
    figures = [
        Figure(
            "1 contacts import",
            backend,
            f"rows/s, {contacts:,} contacts + {ours['messages']:,} msgs",
            ours_rate,
            "rows/s",
            base_rate,
            ratio,
            "ratio ≥ 0.5",
            ratio >= 0.5,
        ),
        Figure(
            "1 contacts import",
            backend,
            f"peak memory (KiB), {contacts:,} vs {tenth:,}",
            peak,
            "KiB",
            small["peak_kib"],
            memory_ratio,
            "flat (≤ 1.2)",
            memory_ratio <= 1.2,
        ),
    ]
    return figures, imported


def _small_database(backend: str, employees: int) -> str:
    """A database of SMALL contacts imported from the same generator: the Service screen's comparison."""
    from tracker.db import engine as db

    url = _url(f"imported{SMALL}", backend)
    try:
        engine = db.make_engine(url)
        with engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM contact")).scalar()
        engine.dispose()
        if count == SMALL:
            return url
    except Exception:  # noqa: BLE001 - missing: import it
        pass
    roster_url = roster(backend, employees)
    paths = export_files(SMALL, employees, roster_url)
    url = fresh_copy(backend, employees, f"imported{SMALL}")
    log(f"import, {SMALL:,} contacts on {backend} (the Service screen's comparison)")
    _run_child("import", url, paths)
    return url


def reports(backend: str, imported: str, employees: int, contacts: int, repeat: int) -> list[Figure]:
    from tracker.db import engine as db
    from tracker.domain.timeutil import DateRange, last_days, set_clock
    from tracker.records.contacts.queries import list_contacts
    from tracker.reporting.service import PERIOD_DAYS, service_report
    from tracker.ui.screens.service.screen import _load

    set_clock(lambda: NOW)
    month = DateRange(*MONTH)
    opening = last_days(PERIOD_DAYS, NOW.date())  # the period the Service screen opens on
    since, until = opening.bounds
    small_url = _small_database(backend, employees)
    engines = {"large": db.make_engine(imported), "small": db.make_engine(small_url)}
    samples: dict[str, list[float]] = {}

    def timed(name: str, run: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = run()
        samples.setdefault(name, []).append(time.perf_counter() - started)
        return result

    with db.read_session(engines["large"]) as large, db.read_session(engines["small"]) as small:
        # The employee with the most contacts in each: the contacts list a supervisor opens from a row.
        busiest = {}
        for name, session in (("large", large), ("small", small)):
            busiest[name] = session.execute(
                text(
                    "SELECT e.number FROM contact c JOIN employee e ON e.id = c.employee_id "
                    "GROUP BY e.number ORDER BY count(*) DESC, e.number LIMIT 1"
                )
            ).scalar()
        log(f"service report by employee for {month.start} to {month.end}, {repeat} times on {backend}")
        report = service_report(large, by="employee", period=month, now=NOW)  # warm the caches
        month_contacts = report.baseline.contacts
        for _ in range(repeat):
            timed("by_employee", lambda: service_report(large, by="employee", period=month, now=NOW))
        log(f"the Service screen's first load (by team, {PERIOD_DAYS} days), {repeat} rounds alternating")
        for round_ in range(repeat + 1):
            if round_ == 1:  # the first round warms the caches
                samples.pop("screen_large", None), samples.pop("screen_small", None)
            timed("screen_large", lambda: _load(large, "team", opening))
            timed("screen_small", lambda: _load(small, "team", opening))
        log(f"first page of contacts ({PAGE} rows), {PAGE_SAMPLES} rounds alternating")
        shown: dict[str, int] = {}  # rows on the employee's first page: at 10k it is not a full page
        for round_ in range(PAGE_SAMPLES + 3):
            if round_ == 3:
                for name in ("list_large", "list_small", "all_large", "all_small"):
                    samples.pop(name, None)
            for size, session in (("large", large), ("small", small)):
                shown[size] = len(
                    timed(
                        f"list_{size}",
                        lambda: list_contacts(session, employee=busiest[size], since=since, until=until, limit=PAGE),
                    )
                )
                timed(f"all_{size}", lambda: list_contacts(session, since=since, until=until, limit=PAGE))
    for engine in engines.values():
        engine.dispose()
    set_clock(None)
    m = {name: statistics.median(values) for name, values in samples.items()}
    figures = [
        Figure(
            "2 report service --by employee",
            backend,
            f"seconds, one month ({month_contacts:,} contacts)",
            m["by_employee"],
            "s",
            None,
            None,
            "< 1 s",
            m["by_employee"] < 1,
        )
    ]
    for key, measure in (
        ("screen", f"opening load (team, {PERIOD_DAYS} days)"),
        ("list", f"first page of an employee's contacts ({shown['large']} vs {shown['small']} rows)"),
        ("all", "first page of all contacts"),
    ):
        ratio = m[f"{key}_large"] / m[f"{key}_small"]
        figures.append(
            Figure(
                "3 Service screen",
                backend,
                f"{measure}, {contacts // 1000:,}k vs {SMALL // 1000}k",
                m[f"{key}_large"],
                "s",
                m[f"{key}_small"],
                ratio,
                "ratio ≤ 1.2",
                ratio <= 1.2,
            )
        )
    return figures


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child = argparse.ArgumentParser()
        child.add_argument("--child", choices=("import", "baseline"))
        child.add_argument("url")
        child.add_argument("paths", nargs=2, type=Path)
        child.add_argument("--profile-to", default=None)
        options = child.parse_args()
        if options.child == "import":
            out = child_import(options.url, options.paths, options.profile_to)
        else:
            out = child_baseline(options.url, options.paths)
        print(json.dumps(out))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--employees", type=int, default=EMPLOYEES)
    parser.add_argument("--repeat", type=int, default=5, help="timings of each query (their median is shown)")
    parser.add_argument("--import-rounds", type=int, default=1, help="baseline/import pairs (median)")
    parser.add_argument("--profile", action="store_true", help="cProfile the (first) import into results/")
    parser.add_argument("--only", nargs="*", default=None, help="import reports")
    options = parser.parse_args()
    backends = ["sqlite", "postgres"] if options.backend == "both" else [options.backend]
    if "postgres" in backends and not datasets.postgres_admin_url():
        sys.exit("PostgreSQL benchmarks need TRACKER_BENCH_POSTGRES_URL (a role that may CREATE DATABASE)")
    chosen = options.only or ["import", "reports"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TZ", "UTC")
    time.tzset()
    figures: list[Figure] = []
    for backend in backends:
        imported = _url(f"imported{options.contacts}", backend)
        if "import" in chosen:
            found, imported = importing(
                backend, options.contacts, options.employees, options.import_rounds, options.profile
            )
            figures += found
        if "reports" in chosen:
            figures += reports(backend, imported, options.employees, options.contacts, options.repeat)
    print(table(figures, measure_width=52))
    out = RESULTS / "contacts.json"
    kept = []  # the other backend's figures of an earlier run stay
    if out.exists():
        try:
            kept = [f for f in json.loads(out.read_text(encoding="utf-8")) if f.get("backend") not in backends]
        except (ValueError, AttributeError):
            kept = []
    out.write_text(json.dumps(kept + [asdict(f) for f in figures], indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
