"""Benchmark of issue 15, major 4: how long each section and dialog of the app takes to paint its
first page after the key that opens it.

    python -m tests.bench.app_open [--datasets demo,large] [--repeat 3]

Runs the app headless (Textual's Pilot, 120×40) against the demo-sized database (1,000 employees,
50,000 complaints) and the large one (10,000 employees, 1,000,000 complaints), both built once by
tests/bench/datasets.py. Each step presses the keys a supervisor would, then waits until the app
is idle: the screen or dialog is on top and every database read it started has come back. The
figure is the time from the key to the last frame painted before then (the frame that shows the
first page; cursors do not blink here, so no later frame is counted by mistake). The baseline is the same
step on a database holding only the published handbook, measured in the same run: the ratio is
what the records cost beyond Textual's own work. Target: 200 ms for every step on both datasets.
Figures are medians of ``--repeat`` runs, each a fresh app (so "first visit" is a first visit).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import DataTable

from tests.bench import datasets
from tests.bench.datasets import DATA, DEMO, LARGE, NOW, ROOT, Dataset
from tracker.config import Settings
from tracker.db import engine as db
from tracker.db.migrate import upgrade
from tracker.domain.handbook.parser import load_handbook
from tracker.domain.handbook.source import source_from_config
from tracker.domain.timeutil import set_clock
from tracker.records.handbook.commands import publish
from tracker.ui.app import TrackerApp

TARGET_MS = 200.0
DIALOG = "a dialog"  # any form or question on top of the page (they share FormDialog's classes)
SIZE = (120, 40)
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Step:
    """Keys pressed from where the previous step left the app, and the screen that must then be on top."""

    name: str
    keys: tuple[str, ...]
    screen: str
    rows: bool = True  # the screen's first table must hold rows (on a database with records)


# One walk through the app: every section on its first visit, every section again, then the pages
# and dialogs a supervisor opens all day. Escape closes each dialog and page (not timed).
SECTIONS = (
    ("Employees", "e", "EmployeesScreen"),
    ("Sign-offs", "s", "SignoffsScreen"),
    ("Complaints", "c", "ComplaintsScreen"),
    ("Actions", "a", "ActionsScreen"),
    ("Handbook", "h", "HandbookScreen"),
    ("Service", "m", "ServiceScreen"),
    ("Reports", "r", "ReportsScreen"),
    ("Dashboard", "d", "DashboardScreen"),
)


def walk(employee_number: str, longest: str) -> list[Step | tuple[str, ...]]:
    """The timed steps, with untimed key presses (tuples) between them that set the next one up."""
    steps: list[Step | tuple[str, ...]] = [
        Step(f"{name}, first visit", (key,), screen, rows=screen not in ("DashboardScreen", "HandbookScreen"))
        for name, key, screen in SECTIONS[:-1]
    ]
    steps += [Step(f"{name}, later visit", (key,), screen, rows=False) for name, key, screen in SECTIONS]
    steps += [
        ("e",),
        Step("Employee page (Enter on the list)", ("enter",), "EmployeeScreen", rows=False),
        Step("Sign-off dialog (S)", ("S",), DIALOG, rows=False),
        ("escape",),
        Step("Log complaint form (C)", ("C",), DIALOG, rows=False),
        ("escape",),
        Step("Issue action form (A)", ("A",), DIALOG, rows=False),
        ("escape", "escape", "c"),
        Step("Complaint page (Enter on the list)", ("enter",), "ComplaintScreen", rows=False),
        ("escape",),
        Step("Log complaint form (n)", ("n",), DIALOG, rows=False),
        ("escape", "e"),
        Step("New employee form (n)", ("n",), DIALOG, rows=False),
        ("escape", "d"),
        Step("Palette (ctrl+p)", ("ctrl+p",), "CommandPalette", rows=False),
        tuple(employee_number[:-1]),
        Step("Palette finds the employee (last digit)", (employee_number[-1],), "CommandPalette", rows=False),
        Step("Palette → employee page (Enter)", ("enter",), "EmployeeScreen", rows=False),
        ("ctrl+p", *longest),
        Step("Palette → the longest employee file", ("enter",), "EmployeeScreen", rows=False),
    ]
    return steps


async def _settle(app: TrackerApp, pilot: Pilot[None]) -> None:
    """Until nothing is left to do: every worker finished and its result handed back and laid out."""
    while True:
        await pilot.pause()
        running = [worker for worker in app.workers if not worker.is_finished]
        if not running:
            await pilot.pause()
            if all(worker.is_finished for worker in app.workers):
                return
        await app.workers.wait_for_complete(running)


def _check(app: TrackerApp, step: Step, with_records: bool) -> None:
    """The step measured what it says: its screen is on top, and a list shows its first page."""
    shown = type(app.screen).__name__
    if step.screen == DIALOG and isinstance(app.screen, ModalScreen):
        shown = DIALOG
    if shown != step.screen:
        raise SystemExit(f"{step.name}: expected {step.screen} on top, found {shown}")
    if step.rows and with_records:
        tables = list(app.screen.query(DataTable))
        if not tables or tables[0].row_count == 0:
            raise SystemExit(f"{step.name}: the list shows no rows")


def _settings(url: str) -> Settings:
    return Settings(database_url=url, handbook=source_from_config(ROOT / "mkdocs.yml"), actor="bench")


def _no_blinking() -> None:
    """Cursors that blink paint a frame every half second: none may pass for the first page."""
    from textual.widgets import Input, TextArea

    Input._toggle_cursor = lambda self: None  # type: ignore[method-assign]
    TextArea._toggle_cursor_blink_visible = lambda self: None  # type: ignore[method-assign]


def _frames(app: TrackerApp) -> list[float]:
    """When each frame was painted (headless, so the moment it would be written to the terminal)."""
    painted: list[float] = []
    display = app._display

    def timed(screen: Any, renderable: Any) -> None:
        if renderable is not None:
            painted.append(time.perf_counter())
        display(screen, renderable)

    app._display = timed  # type: ignore[method-assign]
    return painted


async def _one_walk(url: str, numbers: tuple[str, str], with_records: bool, think: float) -> dict[str, float]:
    app = TrackerApp(_settings(url))
    painted = _frames(app)
    times: dict[str, float] = {}
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _settle(app, pilot)
            for step in walk(*numbers):
                if isinstance(step, tuple):
                    for key in step:
                        await pilot.press(key)
                        await _settle(app, pilot)
                    continue
                started = time.perf_counter()
                for key in step.keys:
                    await pilot.press(key)
                await _settle(app, pilot)
                times[step.name] = (max(painted, default=started) - started) * 1000
                _check(app, step, with_records)
                await asyncio.sleep(think)  # a supervisor reads the screen before the next key
    finally:
        app.backend.close()
    return times


def measure(url: str, repeat: int, with_records: bool, think: float) -> dict[str, float]:
    """Median milliseconds of each step over ``repeat`` fresh apps."""
    numbers = employee_numbers(url)
    runs: list[dict[str, float]] = []
    for _ in range(repeat):
        runs.append(asyncio.run(_one_walk(url, numbers, with_records, think)))
    return {name: statistics.median(run[name] for run in runs) for name in runs[0]}


def empty_url() -> str:
    """A database holding only the published handbook (and the one employee and one complaint the
    walk opens)."""
    from tracker.domain.inputs import ComplaintInput, EmployeeInput
    from tracker.records.complaints.commands import log_complaint
    from tracker.records.employees.commands import add_employee

    path = DATA / "bench-empty.db"
    DATA.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    engine = db.make_engine(url)
    upgrade(engine)
    handbook = load_handbook(source_from_config(ROOT / "mkdocs.yml"))
    db.write(engine, lambda session: publish(handbook, session=session, actor="bench"))
    person = EmployeeInput(number="E-1", name="Alex Kim", team="Front desk", hire_date=NOW.date())
    db.write(engine, lambda session: add_employee(person, session=session, actor="bench"))
    complaint = ComplaintInput(
        received_at=NOW - timedelta(hours=2), channel="phone", summary="Kept on hold", employee_number="E-1"
    )
    db.write(engine, lambda session: log_complaint(complaint, session=session, actor="bench", now=NOW))
    engine.dispose()
    return url


def employee_numbers(url: str) -> tuple[str, str]:
    """The first employee, and the one with the most complaints (the longest file to open)."""
    engine = db.make_engine(url)
    with engine.connect() as connection:
        first = connection.exec_driver_sql("SELECT number FROM employee ORDER BY id LIMIT 1").scalar_one()
        longest = connection.exec_driver_sql(
            "SELECT e.number FROM employee e LEFT JOIN complaint c ON c.employee_id = e.id"
            " GROUP BY e.id, e.number ORDER BY count(c.id) DESC, e.id LIMIT 1"
        ).scalar_one()
    engine.dispose()
    return str(first), str(longest)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="demo,large", help="comma-separated: demo, large")
    parser.add_argument("--repeat", type=int, default=3, help="fresh apps per dataset; the median is reported")
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds between steps, as a person reads the screen (0: no pause)"
    )
    args = parser.parse_args()
    chosen: list[Dataset] = [{"demo": DEMO, "large": LARGE}[name] for name in args.datasets.split(",")]
    set_clock(lambda: NOW)
    _no_blinking()  # the datasets were generated as of NOW: overdue and due dates as then
    baseline = measure(empty_url(), args.repeat, False, args.think)
    figures: dict[str, dict[str, float]] = {"baseline": baseline}
    for dataset in chosen:
        url = datasets.ensure(dataset, "sqlite")
        figures[dataset.name] = measure(url, args.repeat, True, args.think)
    _print(figures, [dataset.name for dataset in chosen])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "app_open.json").write_text(json.dumps(figures, indent=2) + "\n")
    return (
        0
        if all(value <= TARGET_MS for name in figures if name != "baseline" for value in figures[name].values())
        else 1
    )


def _print(figures: dict[str, dict[str, float]], names: list[str]) -> None:
    header = f"{'step':<40} {'empty db':>9}" + "".join(f" {name:>9} {'ratio':>6}" for name in names) + "  target"
    print(header)
    print("-" * len(header))
    met: Callable[[float], str] = lambda ms: "met" if ms <= TARGET_MS else "MISSED"  # noqa: E731
    for step, base in figures["baseline"].items():
        cells = "".join(f" {figures[n][step]:>7.0f}ms {figures[n][step] / base:>5.1f}×" for n in names)
        worst = max(figures[n][step] for n in names)
        print(f"{step:<40} {base:>7.0f}ms{cells}  ≤{TARGET_MS:.0f} ms {met(worst)}")


if __name__ == "__main__":
    raise SystemExit(main())
