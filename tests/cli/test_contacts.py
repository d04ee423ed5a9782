"""`tracker contacts` and `tracker report service`: a help desk's export measured against the
speed page, imported all or nothing, the same export twice changing nothing, and every stored
measure checked again by `tracker audit verify`."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from tests.cli.conftest import Runner
from tests.cli.test_audit import tamper
from tests.conftest import ROOT

EXPORTS = ROOT / "tests" / "fixtures" / "exports"
GENERIC = [EXPORTS / "generic" / "contacts.csv", EXPORTS / "generic" / "messages.csv"]


@pytest.fixture
def staffed(tracker: Runner, tmp_path: Path) -> Runner:
    """E-7 Ann Lee and E-8 Bob Ray, as the generic fixtures name them, under a published handbook."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "number,name,team,hire_date\nE-7,Ann Lee,Desk,2024-01-01\nE-8,Bob Ray,Web,2024-01-01\n", encoding="utf-8"
    )
    assert tracker("employees", "import", str(roster)).code == 0
    assert tracker("handbook", "publish").code == 0
    return tracker


def import_generic(runner: Runner, *extra: str) -> tuple[int, str, str]:
    result = runner("contacts", "import", "--from", "generic", *map(str, GENERIC), *extra)
    return result.code, result.out, result.err


def listed(runner: Runner) -> dict[str, dict[str, object]]:
    return {row["contact"]: row for row in runner("contacts", "list", "--format", "json").json()}


def test_a_generic_export_is_measured_against_the_speed_page(staffed: Runner) -> None:
    code, out, _ = import_generic(staffed)
    assert code == 0
    assert "Imported 3 contacts: 3 new, 0 updated, 0 unchanged" in out
    assert "contacts.csv: ignored 1 column: customer_email" in out
    rows = listed(staffed)
    assert set(rows) == {"web-desk:C-2", "web-desk:C-3", "phone-system:C-1"}
    email = rows["web-desk:C-2"]
    # The customer wrote at 10:00; the bot's 10:01 reply and the 10:20 internal note do not count.
    assert (email["first_response_seconds"], email["first_response_state"]) == (1800, "met")
    assert email["employee"] == "E-8 Bob Ray"  # named by roster name in the export
    assert rows["phone-system:C-1"]["first_response_state"] == "not measured"  # no reply, none stated
    assert email["received_at"] == "2026-01-05T10:00:00+00:00"


def test_contacts_show_explains_each_figure(staffed: Runner) -> None:
    import_generic(staffed)
    out = staffed("contacts", "show", "web-desk:C-2").out
    assert "Automatic reply at 10:01 ignored (SPD-02)" in out
    assert "Internal note at 10:20 ignored" in out
    assert "First reply by a person 10:30 (E-8 Bob Ray)" in out
    assert "took 30 min, met with 23 h 30 min to spare" in out
    missing = staffed("contacts", "show", "web-desk:C-404")
    assert (missing.code, missing.err.count("\n")) == (2, 1)
    assert "web-desk:C-404" in missing.err


def test_the_same_export_twice_changes_nothing(staffed: Runner) -> None:
    import_generic(staffed)
    before = listed(staffed)
    code, out, _ = import_generic(staffed)
    assert code == 0
    assert "0 new, 0 updated, 3 unchanged" in out
    assert listed(staffed) == before


def test_a_later_export_with_a_new_reply_updates_the_contact(staffed: Runner, tmp_path: Path) -> None:
    import_generic(staffed)
    messages = tmp_path / "messages.csv"
    shutil.copy(GENERIC[1], messages)
    with messages.open("a", encoding="utf-8", newline="") as f:
        csv.writer(f).writerow(["C-1", "2026-01-05 09:01:00", "person", "E-7", "phone-system", ""])
    result = staffed("contacts", "import", "--from", "generic", str(GENERIC[0]), str(messages))
    assert result.code == 0
    assert "0 new, 1 updated, 2 unchanged" in result.out
    phone = listed(staffed)["phone-system:C-1"]
    assert (phone["first_response_seconds"], phone["first_response_state"]) == (60, "met")


def test_one_bad_row_imports_nothing_and_names_file_row_and_column(staffed: Runner, tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.csv"
    shutil.copy(GENERIC[0], contacts)
    with contacts.open("a", encoding="utf-8", newline="") as f:
        csv.writer(f).writerow(["web-desk", "C-9", "fax", "2026-01-05 12:00:00"] + [""] * 11)
    result = staffed("contacts", "import", "--from", "generic", str(contacts), str(GENERIC[1]))
    assert result.code == 2
    assert "contacts.csv: row 5, channel: 'fax'" in result.err
    assert "Traceback" not in result.err
    assert listed(staffed) == {}


def test_rejects_imports_the_good_and_writes_the_bad_with_reasons(staffed: Runner, tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.csv"
    shutil.copy(GENERIC[0], contacts)
    with contacts.open("a", encoding="utf-8", newline="") as f:
        csv.writer(f).writerow(["web-desk", "C-9", "email", "2026-01-05 12:00:00", "Nobody Known"] + [""] * 10)
    rejects = tmp_path / "rejects.csv"
    result = staffed(
        "contacts", "import", "--from", "generic", str(contacts), str(GENERIC[1]), "--rejects", str(rejects)
    )
    assert result.code == 0
    assert f"; 1 row rejected, written to {rejects}" in result.out  # one row, not "1 rows"
    assert set(listed(staffed)) == {"web-desk:C-2", "web-desk:C-3", "phone-system:C-1"}
    written = rejects.read_text(encoding="utf-8")
    assert "Nobody Known" in written and "not on the roster" in written


def test_dry_run_counts_and_writes_nothing(staffed: Runner) -> None:
    code, out, _ = import_generic(staffed, "--dry-run")
    assert code == 0
    assert "Would import 3 contacts: 3 new" in out
    assert listed(staffed) == {}


def test_an_unknown_profile_is_refused_in_one_line(staffed: Runner) -> None:
    result = staffed("contacts", "import", "--from", "freshdesk", str(GENERIC[0]))
    assert result.code == 2
    assert result.err.count("\n") == 1 and "freshdesk" in result.err


def test_the_service_report_shows_sample_sizes_and_too_few_to_judge(staffed: Runner) -> None:
    import_generic(staffed)
    rows = staffed(
        "report", "service", "--by", "channel", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "json"
    ).json()
    table = staffed("report", "service", "--by", "channel", "--from", "2026-01-01", "--to", "2026-01-31").out
    assert "too few to judge (n=1)" in table
    assert "All contacts" in table
    assert "%" not in table  # three contacts give no percentage
    assert rows  # the JSON carries the same groups
    text = str(rows)
    assert "chat" in text and "email" in text and "phone" in text


def test_audit_verify_finds_a_first_response_edited_behind_the_trackers_back(staffed: Runner) -> None:
    import_generic(staffed)
    assert staffed("audit", "verify").code == 0
    tamper(staffed, "UPDATE contact SET first_response_seconds = 60 WHERE external_id = 'C-2'")
    result = staffed("audit", "verify")
    assert result.code == 1
    assert "contact web-desk:C-2: stored first_response_seconds differ from what its messages give" in result.err


def test_a_contact_or_message_after_now_is_refused(staffed: Runner, tmp_path: Path) -> None:
    """An export cannot hold what has not happened: such a time is a wrong --time-zone or a clock."""
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("source,id,channel,received_at\nweb,F-1,chat,2999-01-05 10:00:00\n", encoding="utf-8")
    result = staffed("contacts", "import", "--from", "generic", str(contacts))
    assert result.code == 2
    assert "contacts.csv: row 2, received_at:" in result.err and "is in the future" in result.err
    assert listed(staffed) == {}


def test_a_stated_first_reply_over_target_is_a_miss_counted_in_the_rate(tracker: Runner, tmp_path: Path) -> None:
    """A ticket-level export states the first-reply minutes and has no messages: a stated reply is
    a reply, so 261 minutes on a chat is a miss in the sample, never 'unanswered'."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "number,name,team,hire_date\n" + "".join(f"A-{n},Agent_{n:03d},Desk,2020-01-01\n" for n in range(1, 26)),
        encoding="utf-8",
    )
    assert tracker("employees", "import", str(roster)).code == 0
    assert tracker("handbook", "publish").code == 0
    tickets = EXPORTS / "ticket-metrics" / "tickets-30.csv"
    assert tracker("contacts", "import", "--from", "ticket-metrics", str(tickets)).code == 0
    first = tracker("contacts", "show", "tickets:TKT-000001", "--format", "json").json()
    assert (first["first_response_state"], first["first_response_seconds"]) == ("missed", 15679)
    with tickets.open(encoding="utf-8") as f:
        stated = [r for r in csv.DictReader(f) if r["first_response_minutes"]]
    rows = tracker("contacts", "list", "--format", "json", "--limit", "100").json()
    assert len(rows) == 30
    assert sum(r["first_response_state"] in ("met", "missed") for r in rows) == len(stated)
    assert not any(r["first_response_state"] == "pending" for r in rows if r["first_response_seconds"] is not None)


def test_a_complaint_points_at_the_contact_it_came_from(staffed: Runner) -> None:
    """Issue 11: a complaint may name the contact it came from; each shows the other."""
    import_generic(staffed)
    before = staffed(
        "complaints", "log", "--channel", "email", "--summary", "Curt answer", "--received-at", "2026-01-05 09:00",
        "--contact", "web-desk:C-2",
    )  # fmt: skip
    assert before.code == 2 and before.err.count("\n") == 1
    assert "--received-at" in before.err and "before contact web-desk:C-2 arrived" in before.err
    unknown = staffed(
        "complaints", "log", "--channel", "email", "--summary", "Curt answer", "--contact", "web-desk:C-404"
    )  # fmt: skip
    assert unknown.code == 2 and "contact" in unknown.err and "no contact web-desk:C-404" in unknown.err
    assert staffed("complaints", "list", "--format", "json").json() == []  # neither refusal wrote anything
    logged = staffed(
        "complaints", "log", "--channel", "email", "--summary", "Curt answer", "--received-at", "2026-01-05 10:40",
        "--employee", "E-8", "--rules", "CON-04", "--contact", "web-desk:C-2",
    )  # fmt: skip
    assert logged.code == 0, logged.err
    ref = logged.out.split()[1]
    shown = staffed("complaints", "show", ref)
    assert "Contact    web-desk:C-2 (tracker contacts show web-desk:C-2)" in shown.out
    assert staffed("complaints", "show", ref, "--format", "json").json()["contact"] == "web-desk:C-2"
    assert f"Complaints    {ref}" in staffed("contacts", "show", "web-desk:C-2").out
    assert staffed("contacts", "show", "web-desk:C-3", "--format", "json").json()["complaints"] == []
    assert staffed("audit", "verify").code == 0
