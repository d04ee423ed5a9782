"""Command palette (ctrl+p): jump to any employee by name or number, any
complaint by reference, any section by name."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tracker.ui.requests import ComplaintsRequest, EmployeesRequest
from tracker.ui.sections import SECTIONS
from tracker.ui.text import shown

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.ui.app import TrackerApp


class JumpProvider(Provider):
    async def discover(self) -> Hits:
        for section in SECTIONS:
            yield DiscoveryHit(f"Go to {section.title}", partial(self.app.switch_mode, section.mode), help=section.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for section in SECTIONS:
            text = f"Go to {section.title}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(text), partial(self.app.switch_mode, section.mode), help=section.help
                )
        term = query.strip()
        if len(term) < 2:
            return
        app = cast("TrackerApp", self.app)
        backend = app.backend

        def find(session: "Session") -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
            from tracker.domain.errors import NotFound
            from tracker.records.complaints.queries import get_complaint_row
            from tracker.records.employees.queries import EmployeeFilter, list_employees

            people = [
                (e.number, e.name, e.team)
                for e in list_employees(session, EmployeeFilter(search=term, active=None), limit=8)
            ]
            complaints: list[tuple[str, str]] = []
            if term.upper().startswith("C-"):
                try:
                    row = get_complaint_row(session, term)
                    complaints.append((row.ref, row.summary))
                except NotFound:
                    pass
            return people, complaints

        try:
            people, complaints = await asyncio.to_thread(backend.read, find)
        except Exception:  # noqa: BLE001 - the palette must never crash the app; it just finds nothing
            return
        for number, name, team in people:
            text = shown(f"Employee {number} {name} ({team})")
            yield Hit(
                max(matcher.match(text), 0.5),
                matcher.highlight(text),
                partial(app.open_section, EmployeesRequest(open_employee=number)),
                help="Open the employee's page",
            )
        for ref, summary in complaints:
            text = shown(f"Complaint {ref}: {summary[:60]}")
            yield Hit(
                1.0,
                matcher.highlight(text),
                partial(app.open_section, ComplaintsRequest(open_complaint=ref)),
                help="Open the complaint",
            )
