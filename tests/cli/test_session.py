"""A supervisor's whole day from the command line alone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from tests.cli.conftest import Result, Runner

ROSTER = """number,name,team,hire_date
E-1042,Ann Lee,Front desk,2024-03-01
E-1043,Bob Ray,Phone,2025-06-15
E-1044,Cy Moss,Phone,{recent}
"""


def ok(result: Result) -> Result:
    assert result.code == 0, result.err
    assert result.err == ""
    return result


def local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def test_a_complaint_logged_after_its_target_passed_says_so(tracker: Runner) -> None:
    """Issue 15: a chat complaint from two days ago was announced "first response due within 2 min"."""
    assert tracker("handbook", "publish").code == 0
    received = (datetime.now() - timedelta(days=2)).replace(second=0, microsecond=0)
    typed = received.strftime("%Y-%m-%d %H:%M")
    late = tracker("complaints", "log", "--channel", "chat", "--summary", "Nobody answered", "--received-at", typed)
    assert late.code == 0, late.err
    ref, due = f"C-{received.year}-00001", (received + timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M")
    assert late.out == (
        f"Logged {ref} (chat): its first response was due by {due} (2 min); "
        f"if a person answered in time, record it: tracker complaints acknowledge {ref} --at '{due}'\n"
    )
    fresh = tracker("complaints", "log", "--channel", "chat", "--summary", "Rude reply")
    assert fresh.out.endswith("(chat, first response due within 2 min).\n")


def test_a_supervisors_session(tracker: Runner, tmp_path: Path) -> None:
    today = date.today()
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER.format(recent=today - timedelta(days=3)), encoding="utf-8")

    # Roster and handbook.
    out = ok(tracker("employees", "import", str(roster))).out
    assert "Imported roster.csv: 3 added, 0 updated, 0 unchanged." in out
    assert "0 updated, 3 unchanged" in ok(tracker("employees", "import", str(roster))).out
    assert (
        "Published handbook version 2026.2: 34 rules, material (everyone signs again)."
        in ok(tracker("handbook", "publish")).out
    )

    # Sign-offs: record, revoke a mistake, record again.
    out = ok(
        tracker(
            "signoffs",
            "record",
            "--employee",
            "e-1042",
            "--signed-on",
            str(today),
            "--method",
            "paper",
            "--filing-ref",
            "personnel file E-1042",
        )
    ).out
    assert "Recorded sign-off 1: Ann Lee — “I have read the Service Standards Handbook in version 2026.2," in out
    assert "Revoked sign-off 1." in ok(tracker("signoffs", "revoke", "1", "--reason", "Signed on the wrong page")).out
    assert (
        "Recorded sign-off 2"
        in ok(
            tracker("signoffs", "record", "--employee", "E-1042", "--signed-on", str(today), "--method", "terminal")
        ).out
    )
    signoffs = ok(tracker("signoffs", "list", "--employee", "E-1042", "--format", "json")).json()
    assert [(s["id"], s["valid"], s["revoked_reason"]) for s in signoffs] == [
        (1, False, "Signed on the wrong page"),
        (2, True, None),
    ]
    pending = ok(tracker("signoffs", "pending")).out
    assert "2 in grace period" in pending and "E-1043" in pending and "E-1044" in pending and "E-1042" not in pending

    # A complaint worked from receipt to resolution.
    received = datetime.now() - timedelta(hours=2)
    out = ok(
        tracker(
            "complaints",
            "log",
            "--channel",
            "phone",
            "--summary",
            "Argued about the delivery charge",
            "--employee",
            "E-1043",
            "--rules",
            "CON-01,CON-04",
            "--received-at",
            local(received),
            "--customer-name",
            "Maria Garcia",
        )
    ).out
    year = received.year
    ref = f"C-{year}-00001"
    assert f"Logged {ref} (phone): its first response was due by " in out  # logged after the call
    out = ok(
        tracker(
            "complaints", "acknowledge", ref, "--at", local(received + timedelta(minutes=1)), "--note", "Called back"
        )
    ).out
    assert f"{ref} acknowledged: first response after 1 min (target 2 minutes) — within target." in out
    # The page names the commands that come next, not the states.
    assert f"Next: tracker complaints investigate {ref}; tracker complaints dismiss {ref}\n" in (
        ok(tracker("complaints", "show", ref)).out
    )
    ok(tracker("complaints", "reply", ref, "--at", local(received + timedelta(minutes=30)), "--note", "Refund agreed"))
    assert f"{ref} is being investigated." in ok(tracker("complaints", "investigate", ref)).out
    assert (
        f"{ref} resolved."
        in ok(tracker("complaints", "resolve", ref, "--resolution", "Apologised and refunded the charge")).out
    )
    shown = ok(tracker("complaints", "show", ref)).out
    assert "resolved" in shown and "Maria Garcia" in shown and "Closed: nothing follows." in shown
    assert "Maria Garcia" not in ok(tracker("complaints", "show", ref, "--redact")).out

    # A corrective action issued, answered, followed up and closed.
    out = ok(tracker("actions", "suggest", "--employee", "E-1043")).out
    assert "Suggested: step 1, Coaching conversation (coaching)" in out
    out = ok(
        tracker(
            "actions",
            "issue",
            "--employee",
            "E-1043",
            "--expectations",
            "Stay calm; offer the supervisor",
            "--complaints",
            ref,
            "--rules",
            "CON-01",
        )
    ).out
    assert f"Issued action 1: coaching for E-1043, follow-up due {today + timedelta(days=30)}." in out
    ok(tracker("actions", "respond", "1", "--text", "I was covering two queues that day"))
    assert (
        "Follow-up recorded on action 1: improved."
        in ok(
            tracker("actions", "follow-up", "1", "--outcome", "improved", "--notes", "Calm on five listened calls")
        ).out
    )
    assert (
        "Action 1 closed."
        in ok(tracker("actions", "close", "1", "--effectiveness-check", "No complaints in the following weeks")).out
    )

    # The employee file, to print and file.
    markdown = ok(tracker("report", "employee", "E-1043", "--format", "md")).out
    assert markdown.startswith("# Employee file: Bob Ray (E-1043)")
    for expected in (
        "| complaint |",
        f"{ref} via Phone (CON-01, CON-04): Argued about the delivery charge — resolved",
        "| corrective action |",
        "Expectations: Stay calm; offer the supervisor.",
        "| employee response |",
        "| follow-up |",
        "| action closed |",
        "Effectiveness check: No complaints in the following weeks",
    ):
        assert expected in markdown
    assert "Maria Garcia" not in markdown
    page = ok(tracker("report", "employee", "E-1043", "--format", "html")).out
    assert page.startswith("<!doctype html>") and "<h1>Employee file: Bob Ray (E-1043)</h1>" in page
    data = ok(tracker("report", "employee", "E-1042", "--format", "json")).json()
    assert [(s["version"], s["valid"]) for s in data["signoffs"]] == [("2026.2", False), ("2026.2", True)]
    assert [t["kind"] for t in data["timeline"]] == ["sign-off", "sign-off revoked", "sign-off"]

    # Everything above is on the audit trail, and the trail holds.
    out = ok(tracker("audit", "verify")).out
    assert out.startswith("Audit chain OK:") and "Every record matches its last audited state." in out
    head = ok(tracker("audit", "head")).out.strip()
    assert ok(tracker("audit", "verify", "--expect-head", head)).out.startswith("Audit chain OK:")
    log = ok(tracker("audit", "log", "--limit", "100", "--format", "json")).json()
    assert {event["actor"] for event in log} == {"test-supervisor"}
    assert log[0]["action"] == "action.close"
