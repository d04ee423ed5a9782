"""What people typed is printed as they typed it: square brackets in a name or a
summary are text, not terminal styling, and never crash a command."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Runner

NAME = "Ann [/b] Lee [bold]Jr[/bold]"
SUMMARY = "He said [/bold] and then [red]no[/red] twice"


def test_brackets_in_records_are_shown_verbatim(tracker: Runner, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(f"number,name,team,hire_date\nE-1,{NAME},Desk [A],2024-01-01\n", encoding="utf-8")
    assert tracker("employees", "import", str(roster)).code == 0
    assert tracker("handbook", "publish").code == 0
    added = tracker(
        "employees", "add", "--number", "E-2", "--name", "Bob [/] Ray", "--team", "Desk", "--hire-date", "2024-01-01"
    )
    assert (added.code, added.err) == (0, "")
    assert "Added E-2 Bob [/] Ray (Desk)." in added.out
    logged = tracker("complaints", "log", "--channel", "chat", "--summary", SUMMARY, "--employee", "E-1")
    assert logged.code == 0, logged.err
    ref = logged.out.split()[1]
    issued = tracker("actions", "issue", "--employee", "E-1", "--expectations", "Never say [/bold] again")
    assert issued.code == 0, issued.err
    for command, expected in [
        (("employees", "list"), [NAME, "Desk [A]", "Bob [/] Ray"]),
        (("employees", "show", "E-1"), [NAME]),
        (("complaints", "list"), [SUMMARY]),
        (("complaints", "show", ref), [SUMMARY, f"{ref}  received"]),
        (("actions", "show", "1"), ["Never say [/bold] again"]),
        (("signoffs", "pending"), [NAME]),
    ]:
        result = tracker(*command)
        assert (result.code, result.err) == (0, ""), (command, result.err)
        flat = " ".join(result.out.split())  # tables may wrap long cells
        for text in expected:
            assert " ".join(text.split()) in flat, (command, text, result.out)
