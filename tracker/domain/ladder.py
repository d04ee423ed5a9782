"""The corrective-action ladder: which step comes next, and why.

Steps issued inside the handbook's look-back window count; older ones have
lapsed and the employee starts again at the first step. Skipping a step needs a
written gross-misconduct reason (rule on the corrective-action page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.domain.errors import InputError
from tracker.domain.handbook.model import LadderLevel
from tracker.domain.periods import Period


@dataclass(frozen=True)
class PriorAction:
    level_code: str
    step: int
    issued_on: date


@dataclass(frozen=True)
class Suggestion:
    level: LadderLevel
    reason: str
    counted: tuple[PriorAction, ...]


def suggest_next(
    ladder: tuple[LadderLevel, ...], look_back: Period, prior: list[PriorAction], today: date
) -> Suggestion:
    window_start = look_back.before(today)
    counted = tuple(sorted((a for a in prior if a.issued_on > window_start), key=lambda a: (a.issued_on, a.step)))
    lapsed = len(prior) - len(counted)
    first = ladder[0]
    if not counted:
        reason = f"no corrective action in the last {look_back}"
        if lapsed:
            reason += f" ({lapsed} older action{'s' if lapsed > 1 else ''} lapsed)"
        return Suggestion(first, f"{reason}: start at step 1, {first.name}", counted)
    # ACT-01: one step above the most recent action that still counts.
    latest = counted[-1]
    latest_level = ladder[min(latest.step, len(ladder)) - 1]
    if latest.step >= len(ladder):
        return Suggestion(ladder[-1], f"{latest_level.name} already issued on {latest.issued_on}", counted)
    nxt = ladder[latest.step]
    return Suggestion(
        nxt,
        f"{latest_level.name} issued on {latest.issued_on} is inside the {look_back} look-back window: "
        f"next is step {nxt.step}, {nxt.name}",
        counted,
    )


def check_level_choice(suggestion: Suggestion, chosen: LadderLevel, gross_misconduct_reason: str | None) -> None:
    """A level above the suggestion skips steps: only with a gross-misconduct reason."""
    if chosen.step > suggestion.level.step and not gross_misconduct_reason:
        raise InputError(
            "gross_misconduct_reason",
            f"{chosen.name} skips the ladder (next step is {suggestion.level.name}); "
            "write the gross-misconduct reason to skip steps",
        )
