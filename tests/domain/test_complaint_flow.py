"""The complaint flow: in proportion to severity, never backwards, and the message says what is allowed."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tracker.domain import complaint_flow as flow
from tracker.domain.errors import InputError
from tracker.domain.handbook.pages import pipe_tables

FORWARD = [
    ("received", "acknowledged", "high"),
    ("received", "dismissed", "high"),  # recorded in error
    ("acknowledged", "investigating", "high"),
    ("acknowledged", "dismissed", "medium"),  # recorded in error
    ("acknowledged", "resolved", "low"),  # put right in the first reply
    ("investigating", "resolved", "medium"),
    ("investigating", "dismissed", "low"),
]


@pytest.mark.parametrize("current, target, severity", FORWARD)
def test_each_step_forward_is_allowed(current: str, target: str, severity: str) -> None:
    flow.check_transition(current, target, severity)


@pytest.mark.parametrize(
    "current, target, allowed",
    [
        ("received", "investigating", "acknowledge (acknowledged) or dismiss (dismissed)"),  # skips acknowledging
        ("received", "resolved", "acknowledge (acknowledged) or dismiss (dismissed)"),
        ("investigating", "acknowledged", "resolve (resolved) or dismiss (dismissed)"),  # backwards
        ("acknowledged", "received", "investigate (investigating) or dismiss (dismissed)"),
        ("investigating", "investigating", "resolve (resolved) or dismiss (dismissed)"),
    ],
)
def test_skipping_or_going_back_is_refused_with_the_allowed_steps(current: str, target: str, allowed: str) -> None:
    with pytest.raises(InputError) as caught:
        flow.check_transition(current, target, "medium")
    assert caught.value.field == "status"
    assert caught.value.reason == f"cannot go from {current} to {target}; next allowed: {allowed}"


@pytest.mark.parametrize("severity", ["medium", "high"])
def test_a_medium_or_high_complaint_is_investigated_before_it_is_resolved(severity: str) -> None:
    """Issue 10: the flow is in proportion to severity; only a low complaint skips the investigation."""
    with pytest.raises(InputError) as caught:
        flow.check_transition("acknowledged", "resolved", severity)
    assert caught.value.reason == (
        f"only a low complaint goes from acknowledged to resolved; this one is {severity}; "
        "next allowed: investigate (investigating) or dismiss (dismissed)"
    )
    assert flow.allowed_next("acknowledged", "low") == ("investigating", "resolved", "dismissed")


@pytest.mark.parametrize("closed", ["resolved", "dismissed"])
def test_closed_complaints_go_nowhere(closed: str) -> None:
    with pytest.raises(InputError) as caught:
        flow.check_transition(closed, "investigating", "low")
    assert caught.value.field == "status"
    assert "closed; no further step is allowed" in caught.value.reason
    assert flow.allowed_next(closed, "low") == ()


def test_the_handbook_page_lists_exactly_the_moves_the_tracker_allows() -> None:
    """The complaint-handling page's "From | To | When" table is what the tracker enforces: a move
    added on either side alone fails here."""
    text = (ROOT / "handbook" / "complaints.md").read_text(encoding="utf-8")
    [rows] = [rows for header, rows in pipe_tables(text, 1) if header == ("from", "to", "when")]
    on_page: set[tuple[str, str, tuple[str, ...]]] = set()
    for _, (source, target, when) in rows:
        only = tuple(s for s in flow.SEVERITIES if when.lower().startswith(f"{s} severity only"))
        on_page.add((source.lower(), target.lower(), only))
    in_code = {
        (source, target, flow.ONLY_FOR.get((source, target), ()))
        for source, targets in flow.NEXT.items()
        for target in targets
    }
    assert on_page == in_code


def test_statuses_partition_into_open_and_closed() -> None:
    assert set(flow.OPEN_STATUSES) | set(flow.CLOSED_STATUSES) == set(flow.STATUSES)
    assert not set(flow.OPEN_STATUSES) & set(flow.CLOSED_STATUSES)
