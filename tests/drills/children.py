"""Child processes for the drills: they write through the record-keeping
functions and print what was acknowledged (committed) as they go.

    python -m tests.drills.children loop URL EMPLOYEES       log complaints and record sign-offs until killed
    python -m tests.drills.children import URL FILE           import a complaint history file
    python -m tests.drills.children contend URL N TAG         N complaints, each in its own transaction
    python -m tests.drills.children restore URL BACKUP         restore the backup, printing each step as it is reached
    python -m tests.drills.children open URL AT TAG            at time AT, open the database as a supervisor's
                                                              tracker does (upgrading it), then add an employee
"""

from __future__ import annotations

import sys
from datetime import timedelta

from tracker.db import engine as db
from tracker.domain.file_digest import sha256_of_stream
from tracker.domain.inputs import ComplaintInput, EmployeeInput, SignoffInput
from tracker.domain.timeutil import today, utcnow
from tracker.records.complaints.commands import log_complaint
from tracker.records.complaints.importing.bulk import import_complaints
from tracker.records.employees.commands import add_employee
from tracker.records.signoffs.commands import record_signoff

ACTOR = "drill"


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def loop(url: str, employees: int) -> None:
    engine = db.make_engine(url)
    number = 0
    say("ready")
    while True:
        number += 1
        data = ComplaintInput(
            received_at=utcnow() - timedelta(minutes=5),
            channel="chat",
            summary=f"Drill complaint {number}",
            rule_ids=("CON-01",),
        )
        complaint = db.write(engine, lambda s: log_complaint(data, session=s, actor=ACTOR))
        say(f"complaint {complaint.ref}")
        if number % 3 == 0:
            employee = f"D-{(number // 3) % employees + 1:04d}"
            sign = SignoffInput(employee_number=employee, signed_on=today(), method="terminal")
            try:
                signoff = db.write(engine, lambda s: record_signoff(sign, session=s, actor=ACTOR))
            except Exception as exc:
                if "already has a valid sign-off" not in str(exc):
                    raise
            else:
                say(f"signoff {signoff.id}")


def import_file(url: str, path: str) -> None:
    engine = db.make_engine(url)
    with open(path, "rb") as handle:
        sha = sha256_of_stream(handle)
        say("ready")
        result = db.write(engine, lambda s: import_complaints(handle, session=s, actor=ACTOR, source=path, sha256=sha))
    say(f"imported {result.rows}")


def contend(url: str, count: int, tag: str) -> None:
    engine = db.make_engine(url)
    failures = 0
    for number in range(count):
        data = ComplaintInput(
            received_at=utcnow() - timedelta(minutes=5), channel="email", summary=f"Contention {tag} {number}"
        )
        try:
            complaint = db.write(engine, lambda s: log_complaint(data, session=s, actor=f"drill-{tag}"))
            say(f"complaint {complaint.ref}")
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the drill
            failures += 1
            say(f"error {type(exc).__name__}: {exc}")
    say(f"done {count - failures}")


def restore_backup(url: str, path: str) -> None:
    from pathlib import Path

    from tracker.maintenance.backup import restore

    engine = db.make_engine(url)
    result = restore(engine, Path(path), actor=ACTOR, progress=lambda step: say(f"step {step}"))
    say(f"restored {result.replaced_head}")


def open_at(url: str, at: float, tag: str) -> None:
    import time

    from tracker.db.migrate import current_revision
    from tracker.maintenance.schema import open_database, upgrade_database

    time.sleep(max(0.0, at - time.time()))  # every child starts the same moment
    if url.startswith("sqlite"):
        engine = open_database(url)  # what Backend.engine does: an older SQLite file is upgraded
    else:
        upgrade_database(url)  # PostgreSQL is upgraded by 'tracker db upgrade', here four at once
        engine = db.make_engine(url)
    data = EmployeeInput(number=f"M-{tag}", name=f"Morning {tag}", team="Desk", hire_date="2024-01-01")
    employee = db.write(engine, lambda s: add_employee(data, session=s, actor=f"drill-{tag}"))
    say(f"opened {current_revision(engine)} {employee.number}")


if __name__ == "__main__":
    mode, url = sys.argv[1], sys.argv[2]
    if mode == "loop":
        loop(url, int(sys.argv[3]))
    elif mode == "import":
        import_file(url, sys.argv[3])
    elif mode == "restore":
        restore_backup(url, sys.argv[3])
    elif mode == "open":
        open_at(url, float(sys.argv[3]), sys.argv[4])
    else:
        contend(url, int(sys.argv[3]), sys.argv[4])
