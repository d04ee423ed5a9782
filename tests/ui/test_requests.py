"""Requests between screens are typed: a misspelt field fails where it is written."""

from __future__ import annotations

from dataclasses import fields

import pytest

from tracker.reporting.dashboard import Dashboard
from tracker.ui.requests import ComplaintsRequest, Request
from tracker.ui.screens.dashboard.screen import Link, card_contents
from tracker.ui.sections import SECTIONS


def test_a_misspelt_field_is_refused() -> None:
    with pytest.raises(TypeError, match="rule"):
        ComplaintsRequest(rule="CON-01")  # type: ignore[call-arg]  # the field is rule_id


def test_every_request_names_a_section_of_the_app() -> None:
    modes = {section.mode for section in SECTIONS}
    for request_type in Request.__subclasses__():
        assert request_type.section in modes, request_type
        assert all(field.default is None or field.default is False for field in fields(request_type))


def test_every_dashboard_figure_opens_a_typed_request() -> None:
    board = Dashboard(
        version="2026.2",
        material_version="2026.2",
        employees=3,
        channel_names={"email": "Email"},
        top_rules=[("CON-01", "Never argue with a customer", 2)],
    )
    links = [item for items in card_contents(board).values() for item in items if isinstance(item, Link)]
    assert links and all(isinstance(link.request, Request) for link in links)
