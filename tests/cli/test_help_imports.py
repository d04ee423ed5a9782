"""``tracker --help`` and ``tracker COMMAND --help`` load no SQLAlchemy, SQLModel, Alembic or Rich.

Importing the storage layer took about 0.7 s, more than printing any help needs, so each command
module imports it inside the commands that use it (issue 14). One module-level import of a
record type, of ``tracker.db`` or of the ORM would quietly bring it all back; this test, in a
fresh interpreter, catches it and names what came in.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

# Rich too: a tenth of the start-up, needed only to print a table or a progress bar.
HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "rich")
MARK = "--- modules ---"

CHILD = textwrap.dedent(f"""
    import sys
    from tracker.cli.main import run

    code = run(sys.argv[1:])
    print({MARK!r})
    print(code)
    print("\\n".join(sorted(sys.modules)))
""")

HELP = [
    ["--help"],
    ["-h"],
    ["complaints", "list", "--help"],
    ["--db", "/nowhere/at/all.db", "complaints", "log", "--help"],  # the global options are read, not used
    ["db", "--help"],
    ["db", "upgrade", "--help"],
    ["demo", "--help"],
    ["serve", "--help"],
    ["employees", "import", "--help"],
    ["signoffs", "record", "--help"],
    ["actions", "issue", "--help"],
    ["audit", "verify", "--help"],
    ["handbook", "publish", "--help"],
    ["report", "compliance", "--help"],
]


def _run(argv: list[str]) -> tuple[str, int, list[str]]:
    """The child's help text, exit code and the names in its ``sys.modules`` afterwards."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "100", "CI": "true", "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr
    text, _, rest = done.stdout.partition(f"\n{MARK}\n")
    code, *modules = rest.split()
    return text, int(code), modules


def _heavy(modules: list[str]) -> str:
    """Which of the heavy packages came in, and how many of their modules ("" when none)."""
    counts = {package: sum(name.split(".")[0] == package for name in modules) for package in HEAVY}
    return ", ".join(f"{package} ({count} modules)" for package, count in counts.items() if count)


@pytest.mark.parametrize("argv", HELP, ids=" ".join)
def test_help_loads_no_storage_layer(argv: list[str]) -> None:
    text, code, modules = _run(argv)
    words = [word for word in argv if not word.startswith("-") and not word.startswith("/")]
    assert code == 0
    assert text.startswith(f"Usage: tracker {' '.join(words)}".rstrip()), text
    assert "Options:" in text and "--help" in text
    assert _heavy(modules) == "", f"imported for {' '.join(argv)}: {_heavy(modules)}"


def test_a_group_without_its_command_shows_its_help_without_the_storage_layer() -> None:
    text, code, modules = _run(["complaints"])
    assert code == 2
    assert text.startswith("Usage: tracker complaints") and "Commands:" in text
    assert _heavy(modules) == ""


def test_the_check_would_see_the_storage_layer() -> None:
    """The same child reports SQLAlchemy once a command has used the database (the check can fail)."""
    _, code, modules = _run(["--db", "sqlite://", "db", "info"])
    assert code == 0
    assert "sqlalchemy" in modules and "sqlmodel" in modules
