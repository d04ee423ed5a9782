"""``tracker demo``: fill a new database with realistic practice data."""

from __future__ import annotations

import time

import typer

from tracker.cli import context
from tracker.cli.output import error_console, say


def demo(
    ctx: typer.Context,
    employees: int = typer.Option(1000, "--employees", min=1, max=1_000_000, help="How many employees."),
    complaints: int = typer.Option(
        50_000, "--complaints", min=0, max=10_000_000, help="How many complaints over two years."
    ),
    contacts: int = typer.Option(
        5_000, "--contacts", min=0, max=10_000_000, help="How many customer contacts over twelve weeks."
    ),
    seed: int = typer.Option(1, "--seed", help="Same seed, same data."),
) -> None:
    """Fill an EMPTY database with realistic, reproducible practice data: three handbook versions, sign-offs
    (some missing or outdated), two years of complaints, corrective actions with follow-ups (some overdue), twelve weeks of customer
    contacts with their messages.
    All in one transaction: interrupted at any point, the database stays empty and the demo can be run again.
    Use a separate database: tracker --db practice.db demo"""
    from tracker.demo.generate import generate

    c = context.backend(ctx)
    c.settings.creates_database = True  # the demo fills a new database
    handbook = c.handbook()
    started = time.perf_counter()
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=error_console(),
        transient=False,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def report(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(phase, total=max(total, 1))
            progress.update(tasks[phase], completed=done, total=max(total, 1))

        summary = generate(
            c.engine,
            handbook,
            employees=employees,
            complaints=complaints,
            contacts=contacts,
            seed=seed,
            actor=c.actor,
            progress=report,
        )
    say(
        f"Demo data written in {time.perf_counter() - started:.1f} s: {summary.employees} employees, "
        f"{summary.versions} handbook versions, {summary.signoffs} sign-offs, {summary.complaints} complaints, "
        f"{summary.actions} corrective actions, {summary.contacts} customer contacts. Open it with: tracker --db {c.settings.database_url}"
    )
