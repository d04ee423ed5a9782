"""``tracker demo`` is all or nothing: interrupted or killed at any moment, it leaves either an
empty database (and ``tracker demo`` then fills it) or the complete demo, never three handbook
versions and half the employees that the next ``tracker demo`` refuses as "already holds records".
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from tests.conftest import ROOT, read
from tests.drills.conftest import assert_sound
from tracker.db.models import AuditEvent, Complaint, CorrectiveAction, Employee, HandbookVersion, Signoff
from tracker.demo import generate as demo
from tracker.maintenance.schema import open_database

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
PHASES = ("handbook versions", "employees", "sign-offs", "complaints", "corrective actions", "contacts")
TABLES = (HandbookVersion, Employee, Signoff, Complaint, CorrectiveAction, AuditEvent)


def holdings(engine: Engine) -> dict[str, int]:
    with read(engine) as session:
        return {table.__name__: session.exec(select(func.count()).select_from(table)).one() for table in TABLES}


EMPTY = dict.fromkeys((table.__name__ for table in TABLES), 0)


class Interrupted(KeyboardInterrupt):
    """What Ctrl-C raises, at a chosen moment."""


@pytest.mark.parametrize("phase", PHASES)
def test_a_demo_interrupted_after_any_phase_leaves_nothing(engine: Engine, handbook, phase: str) -> None:  # type: ignore[no-untyped-def]
    def progress(reached: str, done: int, total: int) -> None:
        if reached == phase:
            raise Interrupted()

    with pytest.raises(Interrupted):
        demo.generate(engine, handbook, employees=40, complaints=300, seed=5, now=NOW, progress=progress)
    assert holdings(engine) == EMPTY, f"interrupted after {phase}: records were left behind"
    summary = demo.generate(engine, handbook, employees=40, complaints=300, seed=5, now=NOW)
    assert (summary.employees, summary.versions, summary.complaints) == (40, 3, 300), "a new demo fills it"
    assert_sound(engine)


def test_the_demo_reports_every_phase(engine: Engine, handbook) -> None:  # type: ignore[no-untyped-def]
    """The interruption test above is only as good as its list of phases."""
    seen: list[str] = []
    demo.generate(
        engine,
        handbook,
        employees=40,
        complaints=300,
        seed=5,
        now=NOW,
        progress=lambda phase, done, total: None if phase in seen else seen.append(phase),
    )
    assert tuple(seen) == PHASES


CHILD = """
import sys
from tracker.cli.main import run
from tracker.demo import generate

real = generate.generate

def announcing(*args, progress=None, **kwargs):
    def report(phase, done, total):
        sys.stdout.write(f"phase {phase} {done}/{total}\\n")
        sys.stdout.flush()
    return real(*args, progress=report, **kwargs)

generate.generate = announcing
import tracker.cli.demo
tracker.cli.demo.generate = announcing
sys.exit(run(sys.argv[1:]))
"""


def _demo(url: str, *, announce: bool, employees: int, complaints: int) -> subprocess.Popen[str]:
    args = ["--db", url, "--handbook", str(ROOT / "mkdocs.yml"), "demo"]
    args += ["--employees", str(employees), "--complaints", str(complaints), "--seed", "3"]
    command = [sys.executable, "-c", CHILD, *args] if announce else [sys.executable, "-m", "tracker", *args]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )


def _kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    try:
        process.communicate(timeout=20)  # the pipes close when the loader's helper process is gone too
    except subprocess.TimeoutExpired:
        raise AssertionError("a process started by the killed demo is still running 20 s later") from None


def _check_all_or_nothing(url: str, employees: int, complaints: int) -> bool:
    """Empty, or the whole demo; True if it was the whole demo. (Killed before its schema was
    made, the file is opened as the tracker opens it: the schema is made, the database empty.)"""
    engine = open_database(url)
    try:
        held = holdings(engine)
        if held == EMPTY:
            return False
        assert held["HandbookVersion"] == 3 and held["Employee"] == employees, held
        assert held["Complaint"] == complaints, held
        assert_sound(engine)
        return True
    finally:
        engine.dispose()


def _finish(url: str, employees: int, complaints: int) -> None:
    """A fresh ``tracker demo`` on what the killed one left: it succeeds (the database was empty)."""
    again = _demo(url, announce=False, employees=employees, complaints=complaints)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert "Demo data written" in out
    assert _check_all_or_nothing(url, employees, complaints)


@pytest.mark.slow
@pytest.mark.parametrize("phase", PHASES[:4])
def test_tracker_demo_killed_in_each_phase_leaves_nothing(tmp_path: Path, phase: str) -> None:
    """SIGKILL (no clean-up runs) while the demo is writing the phase after ``phase``."""
    url = f"sqlite:///{tmp_path / 'practice.db'}"
    employees, complaints = 200, 10_000
    process = _demo(url, announce=True, employees=employees, complaints=complaints)
    assert process.stdout is not None
    seen: list[str] = []
    for line in process.stdout:
        seen.append(line.strip())
        if line.startswith(f"phase {phase} "):
            break
    else:
        raise AssertionError(
            f"the demo ended before {phase}: {seen[-3:]} {process.stderr.read() if process.stderr else ''}"
        )
    _kill(process)
    assert not _check_all_or_nothing(url, employees, complaints), "killed before it finished, yet complete"
    _finish(url, employees, complaints)


@pytest.mark.slow
def test_tracker_demo_killed_at_random_moments_is_empty_or_complete(tmp_path: Path) -> None:
    rng = random.Random(20261123)
    employees, complaints = 200, 10_000
    outcomes = []
    for attempt in range(3):
        url = f"sqlite:///{tmp_path / f'practice-{attempt}.db'}"
        process = _demo(url, announce=False, employees=employees, complaints=complaints)
        try:
            process.wait(timeout=rng.uniform(1.0, 5.0))
        except subprocess.TimeoutExpired:
            pass
        _kill(process)
        complete = _check_all_or_nothing(url, employees, complaints)
        outcomes.append(complete)
        if not complete:
            _finish(url, employees, complaints)
    assert outcomes, "no attempt ran"
