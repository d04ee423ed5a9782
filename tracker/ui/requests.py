"""What one part of the app asks of a section: a filtered list, or one record to open.

Typed, so a misspelt field fails where the request is made (a dataclass refuses
an unknown keyword) instead of being ignored by the screen that receives it.
Each request names the section (the app mode) that handles it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar


@dataclass(frozen=True)
class Request:
    section: ClassVar[str]


@dataclass(frozen=True)
class EmployeesRequest(Request):
    section: ClassVar[str] = "employees"
    team: str | None = None
    signoff: str | None = None  # "signed" or "pending"
    open_employee: str | None = None


@dataclass(frozen=True)
class SignoffsRequest(Request):
    section: ClassVar[str] = "signoffs"
    state: str | None = None  # "overdue" or "grace"


@dataclass(frozen=True)
class ComplaintsRequest(Request):
    section: ClassVar[str] = "complaints"
    status: str | None = None
    channel: str | None = None
    employee_number: str | None = None
    rule_id: str | None = None
    received_from: date | None = None
    missed: bool = False
    open_complaint: str | None = None


@dataclass(frozen=True)
class ActionsRequest(Request):
    section: ClassVar[str] = "actions"
    state: str | None = None
    open_action: int | None = None
    issue_for: str | None = None  # an employee number: open the issue form for them


@dataclass(frozen=True)
class HandbookRequest(Request):
    section: ClassVar[str] = "handbook"
    rule_id: str | None = None
    tab: str | None = None


@dataclass(frozen=True)
class ReportsRequest(Request):
    section: ClassVar[str] = "reports"
    report: str | None = None
    employee_number: str | None = None
