"""A command missing from the README fails the build (simonw/sqlite-utils' rule)."""

from __future__ import annotations

from pathlib import Path

import typer

from tracker.cli.main import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(command, prefix: str) -> list[str]:  # type: ignore[no-untyped-def]
    if hasattr(command, "commands"):
        found: list[str] = []
        for name, sub in command.commands.items():
            found += _commands(sub, f"{prefix} {name}")
        return found
    return [prefix]


def test_every_command_is_documented_in_the_readme() -> None:
    commands = _commands(typer.main.get_command(app), "tracker")
    assert len(commands) > 30
    missing = [name for name in commands if f"`{name}" not in README]
    assert missing == []


def test_readme_opens_with_the_run_and_test_commands() -> None:
    blocks = README.split("```sh")[1:3]
    assert "pip install . && tracker" in blocks[0]
    assert "python -m pytest" in blocks[1]


def test_the_readme_describes_the_generic_contact_format_as_the_importer_reads_it() -> None:
    """The format is written once, in the module that reads it; the README carries that text, so
    the two cannot drift apart (a column the importer refuses is never documented as accepted)."""
    import tracker.domain.contact_profiles.generic as generic

    documented = (generic.__doc__ or "").split("\n", 2)[2].strip()
    assert documented and documented in README
