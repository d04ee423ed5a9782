"""The app paints its first frame without SQLAlchemy, SQLModel, Alembic or Typer.

Importing those costs more than an empty Textual app takes to start, so the
dashboard's first figures are read on the driver's own connection (see
``tracker/db/raw.py`` and ``Backend.quick``). An import added to the start-up
path by mistake would quietly cost every supervisor half a second; this test,
in a fresh interpreter, catches it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "typer")

FIRST_FRAME = textwrap.dedent("""
    import asyncio, sys
    from tracker.backend import Backend
    from tracker.config import load_settings
    from tracker.ui.app import TrackerApp
    from tracker.ui.launch import prefetch_dashboard

    settings = load_settings(database=sys.argv[1], handbook=sys.argv[2])
    backend = Backend(settings)
    app = TrackerApp(settings, backend, first_dashboard=prefetch_dashboard(backend))

    async def first_frame():
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            board = app.screen.board
            assert board is not None and board.version is not None, "the first frame shows the figures"

    asyncio.run(first_frame())
    print(" ".join(name for name in sys.argv[3:] if name in sys.modules))
""")


def test_the_first_frame_needs_no_orm_migrations_or_command_line(published_sqlite_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, published_sqlite_url, str(ROOT / "mkdocs.yml"), *HEAVY],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"imported at start-up: {done.stdout.strip()}"


def test_the_check_would_see_a_heavy_import(published_sqlite_url: str, tmp_path: Path) -> None:
    """The same script notices SQLAlchemy once something on the path imports it (the check can fail)."""
    script = FIRST_FRAME.replace("import asyncio, sys", "import asyncio, sys, sqlalchemy", 1)
    done = subprocess.run(
        [sys.executable, "-c", script, published_sqlite_url, str(ROOT / "mkdocs.yml"), *HEAVY],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "sqlalchemy" in done.stdout.split()
