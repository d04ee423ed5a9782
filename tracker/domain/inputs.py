"""Validated input for every record the tracker writes.

Both front ends build these models from what a person typed; a failure becomes
one ``InputError`` naming the field, so the command line and the forms show the
same message. Checks that need the handbook or the database (does this channel
exist, is the employee active) live with the record-keeping functions.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Iterable, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.functional_validators import AfterValidator, BeforeValidator

from tracker.domain import action_flow, limits
from tracker.domain import complaint_flow as flow
from tracker.domain.errors import InputError, shown
from tracker.domain.handbook.model import RULE_ID
from tracker.domain.signing import SIGN_METHODS
from tracker.domain.text_safety import unsafe_character
from tracker.domain.timeutil import LocalTimeError, as_utc, future_problem, kept_day_problem, to_utc, today


def _clean_text(value: Any) -> Any:
    """Trimmed, and refused if it holds a character a terminal would act on or that reorders text
    (``text_safety``): whatever is stored is shown later, to other people, on their screens."""
    if isinstance(value, str):
        value = value.strip()
        problem = unsafe_character(value)
        if problem:
            raise ValueError(problem)
    return value


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _single_line(value: str | None) -> str | None:
    if value is not None and ("\n" in value or "\r" in value):
        raise ValueError("must be a single line")
    return value


Text = Annotated[str, BeforeValidator(_clean_text)]
Line = Annotated[str, BeforeValidator(_clean_text), AfterValidator(_single_line)]
OptionalLine = Annotated[
    str | None, BeforeValidator(_blank_to_none), BeforeValidator(_clean_text), AfterValidator(_single_line)
]
OptionalText = Annotated[str | None, BeforeValidator(_blank_to_none), BeforeValidator(_clean_text)]


def _split_list(value: Any) -> Any:
    """Lists typed on one line: 'CON-01, CON-04' or 'CON-01 CON-04'."""
    if isinstance(value, str):
        value = [part for part in re.split(r"[\s,;]+", value) if part]
    return value


def _rule_ids(value: tuple[str, ...]) -> tuple[str, ...]:
    cleaned: list[str] = []
    for rule_id in value:
        rule_id = rule_id.strip().upper()
        if not RULE_ID.match(rule_id):
            raise ValueError(f"'{shown(rule_id)}' is not a rule ID like CON-01")
        if rule_id not in cleaned:
            cleaned.append(rule_id)
    return tuple(cleaned)


def _references(value: tuple[str, ...]) -> tuple[str, ...]:
    for ref in value:
        problem = unsafe_character(ref)
        if problem:
            raise ValueError(problem)
    return tuple(dict.fromkeys(ref.strip().upper() for ref in value if ref.strip()))


def _typed_moment(value: Any) -> Any:
    """Text is local time as a person typed it; aware datetimes are converted.

    Naive ``datetime`` objects are taken as UTC already: that is how the program
    passes times around. A refusal of typed text quotes it, as every front end shows it.
    """
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("is required")
        try:
            return _plausible_moment(_read_local(value.strip().replace("T", " ")))
        except ValueError as exc:
            raise ValueError(f"'{shown(value)}' {exc}") from None
    if isinstance(value, datetime):
        try:
            return as_utc(value)
        except OverflowError:
            raise ValueError("is outside the range of dates the tracker keeps") from None
    raise ValueError(f"'{shown(value)}' is not a date and time like 2026-11-23 14:05")


def _read_local(text: str) -> datetime:
    try:
        typed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("is not a date and time like 2026-11-23 14:05") from None
    try:
        return to_utc(typed)
    except LocalTimeError as exc:  # in the hour the clocks skip or repeat: says which readings
        raise ValueError(str(exc)) from None
    except (OverflowError, ValueError):  # year 1 or 9999 moved past the calendar by the offset
        raise ValueError("is outside the range of dates the tracker keeps") from None


def _strict_date(value: Any) -> Any:
    """A calendar date as YYYY-MM-DD (or a date object); never a number of seconds."""
    if isinstance(value, datetime):
        raise ValueError("is not a date like 2026-11-23 (no time of day)")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and not value.strip():
        raise ValueError("is required")
    if isinstance(value, str) and len(value.strip()) == 10:  # YYYY-MM-DD, not 20261123 nor a number
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"'{shown(value)}' is not a date like 2026-11-23")


def _kept_day(value: date) -> date:
    problem = kept_day_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _hire_date(value: date | None) -> date | None:
    """Bounded where it enters: a hire date in the future would make a sign-off due after it."""
    if value is not None:
        if value.year < limits.FIRST_HIRE_YEAR:
            raise ValueError(f"is before {limits.FIRST_HIRE_YEAR}")
        problem = future_problem(value, today(), advice="add a new starter on or after their first day")
        if problem:
            raise ValueError(problem)
    return value


def _plausible_moment(value: datetime) -> datetime:
    if not 1970 <= value.year <= 2999:
        raise ValueError("is outside the range of dates the tracker keeps (1970 to 2999)")
    return value


Moment = Annotated[datetime, BeforeValidator(_typed_moment), AfterValidator(_plausible_moment)]
Day = Annotated[date, BeforeValidator(_strict_date), AfterValidator(_kept_day)]
# A date a form may leave blank: blank is no date, never "'' is not a date".
OptionalDay = Annotated[Day | None, BeforeValidator(_blank_to_none)]
# Checked as typed, before the split: a control character is refused, not taken for a separator.
RuleIds = Annotated[
    tuple[str, ...], BeforeValidator(_split_list), BeforeValidator(_clean_text), AfterValidator(_rule_ids)
]
References = Annotated[
    tuple[str, ...], BeforeValidator(_split_list), BeforeValidator(_clean_text), AfterValidator(_references)
]

EMPLOYEE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


def choices(values: Iterable[str]) -> str:
    """'a', 'b' or 'c': the allowed words, as every refusal lists them."""
    quoted = [f"'{value}'" for value in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _one_of(values: Iterable[str]) -> AfterValidator:
    allowed = tuple(values)

    def check(value: str) -> str:
        if not value.strip():
            raise ValueError("is required")
        if value not in allowed:
            raise ValueError(f"'{shown(value)}' is not one of {choices(allowed)}")
        return value

    return AfterValidator(check)


# The word lists are the domain's (the schema's CHECK constraints are built from the same tuples).
Severity = Annotated[str, _one_of(flow.SEVERITIES)]
SignMethod = Annotated[str, _one_of(SIGN_METHODS)]
FollowUpOutcome = Annotated[str, _one_of(action_flow.FOLLOW_UP_OUTCOMES)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=limits.LONG_TEXT)


class EmployeeInput(_Input):
    number: Line = Field(max_length=limits.EMPLOYEE_NUMBER)
    name: Line = Field(min_length=1, max_length=limits.PERSON_NAME)
    team: Line = Field(min_length=1, max_length=limits.TEAM)
    hire_date: Day

    @field_validator("number")
    @classmethod
    def _number_shape(cls, value: str) -> str:
        if not value:
            raise ValueError("is required")
        if not EMPLOYEE_NUMBER.match(value):
            raise ValueError(
                f"'{shown(value)}' is not an employee number: use 1–32 letters, digits, '.', '_' or '-', starting with a letter or digit"
            )
        return value.upper()

    _plausible_hire_date = field_validator("hire_date")(_hire_date)


class EmployeeUpdate(_Input):
    name: Line | None = Field(default=None, min_length=1, max_length=limits.PERSON_NAME)
    team: Line | None = Field(default=None, min_length=1, max_length=limits.TEAM)
    hire_date: Day | None = None

    _plausible_hire_date = field_validator("hire_date")(_hire_date)


class SignoffInput(_Input):
    employee_number: Line = Field(min_length=1)
    version_label: OptionalLine = None
    signed_on: Day
    method: SignMethod
    filing_ref: OptionalLine = Field(default=None, max_length=limits.FILING_REF)
    printed_name: OptionalLine = Field(default=None, max_length=limits.PERSON_NAME)

    @model_validator(mode="after")
    def _paper_needs_filing(self) -> "SignoffInput":
        if self.method == "paper" and not self.filing_ref:
            raise _field_error("filing_ref", "say where the signed paper form is filed (e.g. 'personnel file E-1042')")
        return self


class RevokeInput(_Input):
    reason: Text = Field(min_length=3, max_length=limits.REASON)


class ComplaintInput(_Input):
    received_at: Moment
    channel: Line = Field(min_length=1, max_length=limits.CHANNEL_CODE)
    summary: Text = Field(min_length=3, max_length=limits.LONG_TEXT)
    customer_name: OptionalLine = Field(default=None, max_length=limits.PERSON_NAME)
    customer_contact: OptionalLine = Field(default=None, max_length=limits.CUSTOMER_CONTACT)
    employee_number: OptionalLine = None
    rule_ids: RuleIds = ()
    severity: Severity = "medium"
    urgent: bool = False
    contact: OptionalLine = Field(default=None, max_length=limits.CONTACT_KEY)  # "zendesk:16988", imported


class ReplyInput(_Input):
    replied_at: Moment
    automatic: bool = False
    note: OptionalText = Field(default=None, max_length=limits.LONG_TEXT)


class OutcomeInput(_Input):
    """The written outcome a resolution or a dismissal needs."""

    text: Text = Field(min_length=3, max_length=limits.LONG_TEXT)


class ActionInput(_Input):
    employee_number: Line = Field(min_length=1)
    level: OptionalLine = None  # None: the suggested next level
    expectations: Text = Field(min_length=3, max_length=limits.LONG_TEXT)
    issued_on: Day
    follow_up_due: OptionalDay = None  # None: the handbook's default for the level
    complaint_refs: References = ()
    rule_ids: RuleIds = ()
    gross_misconduct_reason: OptionalText = Field(default=None, max_length=limits.LONG_TEXT)

    @model_validator(mode="after")
    def _due_after_issue(self) -> "ActionInput":
        if self.follow_up_due is not None and self.follow_up_due <= self.issued_on:
            raise _field_error("follow_up_due", "must be after the date the action is issued")
        return self


class ResponseInput(_Input):
    text: Text = Field(min_length=1, max_length=limits.LONG_TEXT)


class FollowUpInput(_Input):
    held_on: Day
    outcome: FollowUpOutcome
    notes: OptionalText = Field(default=None, max_length=limits.LONG_TEXT)
    new_due_date: OptionalDay = None

    @model_validator(mode="after")
    def _more_time_needs_date(self) -> "FollowUpInput":
        if self.outcome == action_flow.MORE_TIME:
            if self.new_due_date is None:
                raise _field_error("new_due_date", "'more time' needs the new follow-up date")
            if self.new_due_date <= self.held_on:
                raise _field_error("new_due_date", "must be after the follow-up meeting")
        elif self.new_due_date is not None:
            raise _field_error("new_due_date", "only a 'more time' outcome sets a new date")
        return self


class CloseInput(_Input):
    closed_on: Day
    effectiveness_check: Text = Field(min_length=3, max_length=limits.LONG_TEXT)


class _FieldError(ValueError):
    def __init__(self, field: str, reason: str):
        self.field = field
        self.reason = reason
        super().__init__(reason)


def _field_error(field: str, reason: str) -> _FieldError:
    return _FieldError(field, reason)


M = TypeVar("M", bound=BaseModel)

_FRIENDLY = {
    "string_too_short": "is required",
    "missing": "is required",
    "date_from_datetime_parsing": "is not a date like 2026-11-23",
    "date_parsing": "is not a date like 2026-11-23",
    "date_type": "is not a date like 2026-11-23",
    "datetime_parsing": "is not a date and time like 2026-11-23 14:05",
    "datetime_from_date_parsing": "is not a date and time like 2026-11-23 14:05",
    "datetime_type": "is not a date and time like 2026-11-23 14:05",
    "bool_parsing": "must be yes or no",
    "extra_forbidden": "is not a field of this record",
}


def error_message(exc: ValidationError) -> tuple[str, str]:
    """The first problem of a pydantic error as (field, reason) in plain words."""
    return describe(exc.errors(include_url=False)[0])


def describe(error: Any) -> tuple[str, str]:
    """One pydantic error entry as (field, reason) in plain words."""
    context = error.get("ctx") or {}
    inner = context.get("error")
    if isinstance(inner, _FieldError):
        return inner.field, inner.reason
    field = ".".join(str(part) for part in error.get("loc", ()) if not isinstance(part, int)) or "input"
    kind = error.get("type", "")
    if kind in ("string_type", "date_type", "datetime_type") and error.get("input") is None:
        reason = "is required"  # an empty choice (a select left blank)
    elif kind == "string_too_short" and str(error.get("input") or "").strip():
        reason = f"needs at least {context['min_length']} characters"
    elif kind == "string_too_long":
        reason = f"is longer than {context.get('max_length')} characters"
    elif kind == "literal_error":
        reason = f"'{shown(error.get('input'))}' is not one of {context.get('expected', '')}"
    elif kind == "too_short":
        reason = "needs at least one"
    elif kind in _FRIENDLY:
        reason = _FRIENDLY[kind]
    elif kind in ("value_error", "assertion_error"):  # the tracker's own words, raised by a validator
        reason = str(error.get("msg", "is invalid")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    else:  # never pydantic's own sentence ("Input should be …"): it names types, not what to type
        reason = "is not a value this field takes"
    return field, reason


def validate(model: type[M], **data: Any) -> M:
    """Build an input model or raise one ``InputError`` naming the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        field, reason = error_message(exc)
        raise InputError(field, reason) from None


def field_errors(model: type[BaseModel], data: dict[str, Any]) -> dict[str, str]:
    """Every field's first problem, for forms that mark each field inline."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for error in exc.errors(include_url=False):
            field, reason = describe(error)
            problems.setdefault(field, reason)
        return problems
    return {}
