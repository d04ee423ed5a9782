"""The complaint flow: no skipping, no going back, and the message says what is allowed."""

from __future__ import annotations

import pytest

from tracker.domain import complaint_flow as flow
from tracker.domain.errors import InputError

FORWARD = [
    ("received", "acknowledged"),
    ("acknowledged", "investigating"),
    ("investigating", "resolved"),
    ("investigating", "dismissed"),
]


@pytest.mark.parametrize("current, target", FORWARD)
def test_each_step_forward_is_allowed(current: str, target: str) -> None:
    flow.check_transition(current, target)


@pytest.mark.parametrize(
    "current, target, allowed",
    [
        ("received", "investigating", "acknowledge (acknowledged)"),  # skips acknowledging
        ("received", "resolved", "acknowledge (acknowledged)"),
        ("acknowledged", "resolved", "investigate (investigating)"),  # skips the investigation
        ("acknowledged", "dismissed", "investigate (investigating)"),
        ("investigating", "acknowledged", "resolve (resolved) or dismiss (dismissed)"),  # backwards
        ("acknowledged", "received", "investigate (investigating)"),
        ("investigating", "investigating", "resolve (resolved) or dismiss (dismissed)"),
    ],
)
def test_skipping_or_going_back_is_refused_with_the_allowed_steps(current: str, target: str, allowed: str) -> None:
    with pytest.raises(InputError) as caught:
        flow.check_transition(current, target)
    assert caught.value.field == "status"
    assert caught.value.reason == f"cannot go from {current} to {target}; next allowed: {allowed}"


@pytest.mark.parametrize("closed", ["resolved", "dismissed"])
def test_closed_complaints_go_nowhere(closed: str) -> None:
    with pytest.raises(InputError) as caught:
        flow.check_transition(closed, "investigating")
    assert caught.value.field == "status"
    assert "closed; no further step is allowed" in caught.value.reason
    assert flow.allowed_next(closed) == ()


def test_statuses_partition_into_open_and_closed() -> None:
    assert set(flow.OPEN_STATUSES) | set(flow.CLOSED_STATUSES) == set(flow.STATUSES)
    assert not set(flow.OPEN_STATUSES) & set(flow.CLOSED_STATUSES)
