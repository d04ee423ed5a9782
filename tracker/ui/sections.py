"""The app's sections: the key that opens each, and the screen it shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from textual.screen import Screen


@dataclass(frozen=True)
class Section:
    mode: str
    key: str
    title: str
    help: str
    screen: Callable[[], Screen[Any]]


def _lazy(module: str, name: str) -> Callable[[], Screen[Any]]:
    """Import a section's screen only when it is first opened (fast start-up)."""

    def make() -> Screen[Any]:
        import importlib

        return getattr(importlib.import_module(module), name)()

    return make


SECTIONS: tuple[Section, ...] = (
    Section(
        "dashboard",
        "d",
        "Dashboard",
        "Compliance, open complaints, missed targets, follow-ups",
        _lazy("tracker.ui.screens.dashboard.screen", "DashboardScreen"),
    ),
    Section(
        "employees",
        "e",
        "Employees",
        "Find an employee, their timeline, import a roster",
        _lazy("tracker.ui.screens.employees.listing", "EmployeesScreen"),
    ),
    Section(
        "signoffs",
        "s",
        "Sign-offs",
        "Who still has to sign the handbook; record and revoke sign-offs",
        _lazy("tracker.ui.screens.signoffs.listing", "SignoffsScreen"),
    ),
    Section(
        "complaints",
        "c",
        "Complaints",
        "Log complaints and work them to a close",
        _lazy("tracker.ui.screens.complaints.listing", "ComplaintsScreen"),
    ),
    Section(
        "actions",
        "a",
        "Actions",
        "Corrective actions: issue, follow up, close",
        _lazy("tracker.ui.screens.actions.listing", "ActionsScreen"),
    ),
    Section(
        "handbook",
        "h",
        "Handbook",
        "Read and search the rules; versions, differences, publishing",
        _lazy("tracker.ui.screens.handbook.screen", "HandbookScreen"),
    ),
    Section(
        "service",
        "m",
        "Service",
        "Are the speed standards kept? Contacts measured by team, employee, channel, week",
        _lazy("tracker.ui.screens.service.screen", "ServiceScreen"),
    ),
    Section(
        "reports",
        "r",
        "Reports",
        "Compliance and service reports; export to a file",
        _lazy("tracker.ui.screens.reports.screen", "ReportsScreen"),
    ),
)
