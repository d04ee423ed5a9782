"""Real exports carry columns the tracker does not read and name channels their own way: the
roster and complaint imports ignore the columns (naming them), map a channel by the speed page's
"Also called in exports", and give a complaint whose help-desk reference is not ours one of ours."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Runner


def test_a_roster_with_columns_the_tracker_does_not_read_imports_and_names_them(
    tracker: Runner, tmp_path: Path
) -> None:
    roster = tmp_path / "hr-export.csv"
    roster.write_text(
        "Number,Name,Team,Hire Date,Salary,Manager Email\nE-1,Ann Lee,Desk,2024-01-01,30000,m@example.org\n",
        encoding="utf-8",
    )
    result = tracker("employees", "import", str(roster))
    assert result.code == 0, result.err
    assert "hr-export.csv: ignored 2 columns: salary, manager_email" in result.out
    assert "Imported hr-export.csv: 1 added" in result.out
    assert tracker("employees", "import", str(roster), "--format", "json").json()["ignored_columns"] == [
        "salary",
        "manager_email",
    ]


def test_a_complaint_export_in_a_help_desks_own_words_imports(tracker: Runner, tmp_path: Path) -> None:
    assert tracker("handbook", "publish").code == 0
    export = tmp_path / "desk.csv"
    export.write_text(
        "reference,received_at,channel,summary,satisfaction,assignee_email\n"
        "#4812,2025-03-01 10:00,Web Form,Refund refused rudely,1,a@example.org\n"
        "C-2025-00042,2025-03-02 10:00,voice,Hung up on me,2,\n",
        encoding="utf-8",
    )
    result = tracker("complaints", "import", str(export))
    assert result.code == 0, result.err
    assert "desk.csv: ignored 2 columns: satisfaction, assignee_email" in result.out
    rows = {r["summary"]: r for r in tracker("complaints", "list", "--format", "json").json()}
    assert rows["Refund refused rudely"]["channel"] == "email"  # "web form" is email's other name
    assert rows["Hung up on me"]["channel"] == "phone"  # and "voice" phone's
    assert rows["Hung up on me"]["ref"] == "C-2025-00042"  # ours: kept
    assert rows["Refund refused rudely"]["ref"].startswith("C-2025-")  # the desk's #4812: given one of ours
    assert rows["Refund refused rudely"]["ref"] != "C-2025-00042"


def test_a_channel_no_name_stands_for_is_still_refused_naming_the_choices(tracker: Runner, tmp_path: Path) -> None:
    assert tracker("handbook", "publish").code == 0
    export = tmp_path / "desk.csv"
    export.write_text("received_at,channel,summary\n2025-03-01 10:00,fax,Rude reply\n", encoding="utf-8")
    result = tracker("complaints", "import", str(export))
    assert result.code == 2
    assert "desk.csv: row 2, channel: 'fax' is not a channel of handbook" in result.err
    assert tracker("complaints", "list", "--format", "json").json() == []
