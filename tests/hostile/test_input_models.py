"""Hostile values for every validated input model (``tracker.domain.inputs``).

``inputs.validate(Model, **data)`` returns a model or raises ONE ``InputError``
whose field is one of the model's fields (or the unknown key that was passed,
or "input") and whose reason is a non-empty single line. No pydantic
``ValidationError``, ``OverflowError`` or anything else escapes, whatever the
values, their types, missing keys or extra keys. An accepted model holds only
clean values: no control characters, no surrounding whitespace, single-line
fields on one line, dates that were written as dates, times in UTC.
"""

from __future__ import annotations

import math
import re
import time
import types
import typing
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from tests.hostile.conftest import FORMULAS, WRONG_DATES, hyp
from tracker.domain import inputs
from tracker.domain.errors import InputError
from tracker.domain.inputs import (
    ActionInput,
    CloseInput,
    ComplaintInput,
    EmployeeInput,
    EmployeeUpdate,
    FollowUpInput,
    OutcomeInput,
    ReplyInput,
    ResponseInput,
    RevokeInput,
    SignoffInput,
    field_errors,
    validate,
)

MODELS = [
    EmployeeInput,
    EmployeeUpdate,
    SignoffInput,
    RevokeInput,
    ComplaintInput,
    ReplyInput,
    OutcomeInput,
    ActionInput,
    ResponseInput,
    FollowUpInput,
    CloseInput,
]
EXAMPLES = 100
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
EXTREME_MOMENTS = (
    "0001-01-01 00:00+05:00",
    "9999-12-31 23:59-05:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31 23:59:59.999999-00:01",
)
TIMESTAMP_DATES = ("0", "86400", "-86400", "1767225600")


# --- values ---------------------------------------------------------------------------------

ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True),
    st.binary(max_size=20),
    st.text(max_size=50),
    st.lists(st.text(max_size=10), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sets(st.integers(), max_size=2),
    st.tuples(st.integers(), st.text(max_size=5)),
    st.dates(),
    st.datetimes(timezones=st.one_of(st.none(), st.timezones())),
    st.just(object()),
    st.just(types.SimpleNamespace(x=1)),
    st.just(math.nan),
)

HOSTILE_TEXT = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        FORMULAS
        + (
            "\t=1",
            " padded ",
            "",
            "   ",
            "a\nb",
            "a\r\nb",
            "nul\x00",
            "bell\x07",
            "esc\x1b[31m",
            "\u2028",
            "\ufeffBOM",
            "x" * 201,
            "x" * 4_001,
            "x" * 10_001,
            "é" * 33,
            "🙂" * 3,
        )
    ),
)

# Each group of values is equally likely, so a small group of nasty values is tried as often as a big one.
DATE_TEXT = st.one_of(
    st.dates().map(date.isoformat),
    st.dates().map(lambda d: f" {d.isoformat()} "),
    st.sampled_from(WRONG_DATES),
    st.sampled_from(TIMESTAMP_DATES),
    st.sampled_from(
        (
            "",
            "1949-12-31",
            "0001-01-01",
            "9999-12-31",
            "2026-11-23T00:00",
            "2026-11-23T10:00",
            "20261123",
            "2026-11-23Z",
        )
    ),
    st.dates(),
)

OFFSETS = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda minutes: timezone(timedelta(minutes=minutes)))
MOMENT_TEXT = st.one_of(
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M")),
    st.tuples(st.datetimes(), OFFSETS).map(lambda p: p[0].replace(tzinfo=p[1]).isoformat()),
    st.sampled_from(WRONG_DATES),
    st.sampled_from(EXTREME_MOMENTS),
    st.sampled_from(
        (
            "",
            "now",
            "2026-11-23",
            "2026-11-23 14:05",
            "2026-11-23T14:05Z",
            "2026-11-23 14:05 +01:00",
            "2026-11-23 24:00",
            "0001-01-01 00:00",
            "9999-12-31 23:59",
        )
    ),
    st.datetimes(timezones=st.one_of(st.none(), st.timezones(), OFFSETS)),
    st.tuples(st.sampled_from([datetime.min, datetime.max]), OFFSETS).map(lambda p: p[0].replace(tzinfo=p[1])),
)

BOOL_TEXT = st.sampled_from([True, False, "yes", "no", "true", "on", "off", "1", "0", "maybe", "", 2, -1, 0.5, None])


def base_types(annotation: Any) -> set[Any]:
    """The plain types behind a field's annotation (Optional and Annotated unwrapped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return base_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return set().union(*(base_types(arg) for arg in typing.get_args(annotation)))
    if origin is not None:
        return {origin}
    return {annotation}


def literal_options(annotation: Any) -> tuple[Any, ...]:
    for arg in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(arg) is typing.Literal:
            return typing.get_args(arg)
    return ()


def value_for(model: type[BaseModel], name: str) -> st.SearchStrategy[Any]:
    """Right key, hostile value: a value of roughly the right kind, or anything at all."""
    annotation = model.model_fields[name].annotation
    kinds = base_types(annotation)
    options = literal_options(annotation)
    if datetime in kinds:
        plausible = MOMENT_TEXT
    elif options:
        plausible = st.one_of(st.sampled_from(options), st.sampled_from(options).map(str.upper), HOSTILE_TEXT)
    elif date in kinds:
        plausible = st.one_of(DATE_TEXT, st.dates())
    elif bool in kinds:
        plausible = BOOL_TEXT
    elif tuple in kinds:
        ids = st.sampled_from(["CON-01", "con-04", "SPD-01", "XYZ-99", "CON-1", "=SUM(A1)", "C-2026-00001", " ", ""])
        plausible = st.one_of(
            st.lists(ids, max_size=4).map(", ".join),
            st.lists(ids, max_size=4),
            st.lists(ids, max_size=4).map(tuple),
            st.lists(st.one_of(st.integers(), st.none(), st.lists(st.text(max_size=3), max_size=2)), max_size=3),
            HOSTILE_TEXT,
        )
    else:
        plausible = HOSTILE_TEXT
    return st.one_of(plausible, plausible, plausible, ANYTHING)


@st.composite
def model_data(draw: st.DrawFn, model: type[BaseModel]) -> dict[str, Any]:
    names = list(model.model_fields)
    data = {name: draw(value_for(model, name)) for name in names if draw(st.integers(0, 5))}  # sometimes missing
    if draw(st.integers(0, 4)) == 0:
        extra = draw(
            st.one_of(
                st.sampled_from(["id", "revision", "__class__", "model_config", "", "Name", "number "]),
                st.text(max_size=12),
            )
        )
        data.setdefault(extra, draw(ANYTHING))
    return data


# --- the contract ------------------------------------------------------------------------


def check(model: type[BaseModel], data: dict[str, Any]) -> BaseModel | InputError:
    allowed = set(model.model_fields) | set(data) | {"input"}
    try:
        result = validate(model, **data)
    except InputError as error:
        assert type(error) is InputError, type(error)
        assert error.field in allowed, (error.field, sorted(allowed))
        assert isinstance(error.reason, str) and error.reason.strip(), error
        assert "\n" not in error.reason and "\r" not in error.reason, error.reason
        problems = field_errors(model, data)
        assert problems and set(problems) <= allowed, problems
        assert all(isinstance(reason, str) and reason.strip() for reason in problems.values())
        return error
    assert isinstance(result, model)
    assert field_errors(model, data) == {}
    check_clean(model, data, result)
    return result


def check_clean(model: type[BaseModel], data: dict[str, Any], result: BaseModel) -> None:
    """What an accepted model holds is clean, and is what was typed."""
    for name in model.model_fields:
        value = getattr(result, name)
        typed = data.get(name)
        if isinstance(value, str):
            assert not CONTROL.search(value), (name, value)
            assert value == value.strip(), (name, value)
        if isinstance(value, tuple):
            assert all(isinstance(item, str) and item.strip() == item and item for item in value), (name, value)
        if isinstance(value, datetime):
            assert value.tzinfo is not None and value.utcoffset() == timedelta(0), (name, value)
        if isinstance(value, date) and not isinstance(value, datetime) and isinstance(typed, str):
            # A date typed as text was written as a date: YYYY-MM-DD, and that is the date kept.
            match = ISO_DATE.match(typed.strip())
            assert match, f"{name}: {typed!r} was accepted as {value}"
            assert value == date(*map(int, match.groups())), (name, typed, value)
    for name in (
        "name",
        "team",
        "number",
        "channel",
        "customer_name",
        "customer_contact",
        "employee_number",
        "version_label",
        "filing_ref",
        "printed_name",
        "level",
    ):
        value = getattr(result, name, None)
        if isinstance(value, str):
            assert "\n" not in value and "\r" not in value, (name, value)


@pytest.mark.parametrize("model", MODELS, ids=[model.__name__ for model in MODELS])
def test_every_input_model_refuses_cleanly_or_accepts_clean_values(model: type[BaseModel]) -> None:
    seen = {"accepted": 0, "refused": 0}

    @hyp(EXAMPLES)
    @given(model_data(model))
    def run(data: dict[str, Any]) -> None:
        outcome = check(model, data)
        seen["refused" if isinstance(outcome, InputError) else "accepted"] += 1

    run()
    assert seen["refused"], seen


# --- named hostile inputs -------------------------------------------------------------------

GOOD = {
    EmployeeInput: dict(number="E-1", name="Ann Lee", team="Desk", hire_date="2024-01-01"),
    EmployeeUpdate: dict(name="Ann Lee"),
    SignoffInput: dict(employee_number="E-1", signed_on="2026-01-05", method="terminal"),
    RevokeInput: dict(reason="Signed the wrong version"),
    ComplaintInput: dict(received_at="2026-11-23 10:00", channel="email", summary="Rude reply"),
    ReplyInput: dict(replied_at="2026-11-23 10:00"),
    OutcomeInput: dict(text="Apologised and refunded"),
    ActionInput: dict(employee_number="E-1", expectations="Stay calm", issued_on="2026-11-02"),
    ResponseInput: dict(text="I disagree"),
    FollowUpInput: dict(held_on="2026-11-20", outcome="improved"),
    CloseInput: dict(closed_on="2026-11-20", effectiveness_check="No complaints since"),
}


def test_the_good_examples_are_accepted() -> None:
    for model, data in GOOD.items():
        assert isinstance(check(model, data), model), model.__name__


def _named(model: type[BaseModel], field: str, value: Any) -> InputError | BaseModel:
    return check(model, {**GOOD[model], field: value})


DATE_FIELDS = [
    (EmployeeInput, "hire_date"),
    (EmployeeUpdate, "hire_date"),
    (SignoffInput, "signed_on"),
    (ActionInput, "issued_on"),
    (FollowUpInput, "held_on"),
    (CloseInput, "closed_on"),
]


def test_a_bare_number_typed_as_a_date_is_refused() -> None:
    """'0', '86400' or '1767225600' typed into a date field is not a date: refused, not read
    as seconds since 1970 (pydantic's lax mode would give 1970-01-01, 1970-01-02 or 2026-01-01)."""
    accepted = [
        f"{model.__name__}.{field}={value!r} -> {getattr(outcome, field)}"
        for model, field in DATE_FIELDS
        for value in TIMESTAMP_DATES
        if not isinstance(outcome := _try(model, {**GOOD[model], field: value}), InputError)
    ]
    assert not accepted, "\n".join(accepted)


def _try(model: type[BaseModel], data: dict[str, Any]) -> BaseModel | InputError:
    try:
        return validate(model, **data)
    except InputError as error:
        return error


def test_a_time_at_the_edge_of_the_calendar_is_an_input_error() -> None:
    """A time whose UTC value falls outside years 1..9999 is refused naming the field (not an
    OverflowError escaping from ``to_utc``/``as_utc``)."""
    problems = []
    for model, field in [(ComplaintInput, "received_at"), (ReplyInput, "replied_at")]:
        for value in EXTREME_MOMENTS + (datetime.max.replace(tzinfo=timezone(timedelta(hours=-5))),):
            try:
                outcome = validate(model, **{**GOOD[model], field: value})
            except InputError as error:
                if error.field != field:
                    problems.append(f"{model.__name__}.{field}={value!r}: names {error.field}")
            except Exception as exc:  # noqa: BLE001 - list every escape
                problems.append(f"{model.__name__}.{field}={value!r}: {type(exc).__name__}: {exc}")
            else:
                problems.append(f"{model.__name__}.{field}={value!r}: accepted as {getattr(outcome, field)}")
    assert not problems, "\n".join(problems)


def test_a_date_given_for_a_time_means_the_same_as_the_date_typed() -> None:
    """A ``date`` object (what a date picker returns) passed as received_at/replied_at: refused,
    or the same moment as the date typed as text (local midnight, aware UTC). Today pydantic turns
    it into a naive datetime, so the model breaks its own rule that times are aware UTC."""
    for model, field in [(ComplaintInput, "received_at"), (ReplyInput, "replied_at")]:
        outcome = _named(model, field, date(2026, 11, 2))
        if isinstance(outcome, InputError):
            assert outcome.field == field
            continue
        typed = _named(model, field, "2026-11-02")
        assert getattr(outcome, field) == getattr(typed, field)


@pytest.fixture
def new_york() -> Iterator[None]:
    """The local time zone of a supervisor in New York (UTC-5)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "America/New_York")
        time.tzset()
        yield
    time.tzset()


def test_the_last_minute_of_9999_typed_in_new_york_is_an_input_error(new_york: None) -> None:
    """Local time '9999-12-31 23:59' is 10000-01-01 04:59 UTC: past the end of the calendar."""
    outcome = _named(ComplaintInput, "received_at", "9999-12-31 23:59")
    assert isinstance(outcome, InputError) and outcome.field == "received_at"


@pytest.mark.parametrize("model", MODELS, ids=[model.__name__ for model in MODELS])
def test_missing_extra_and_wrongly_typed_keys(model: type[BaseModel]) -> None:
    required = [name for name, info in model.model_fields.items() if info.is_required()]
    if required:
        outcome = check(model, {k: v for k, v in GOOD[model].items() if k != required[0]})
        assert isinstance(outcome, InputError) and outcome.field == required[0] and outcome.reason == "is required"
    outcome = check(model, {**GOOD[model], "salary": 1})
    assert isinstance(outcome, InputError) and outcome.field == "salary"
    for name in model.model_fields:
        for value in (object(), [1, [2]], {"a": 1}, b"\xff", Decimal("NaN"), float("inf"), 10**30, "\x00"):
            outcome = check(model, {**GOOD[model], name: value})
            if isinstance(outcome, InputError):
                assert outcome.field in (name, "input") or outcome.field in model.model_fields, (name, outcome)


def test_formula_like_text_is_kept_as_typed() -> None:
    for cell in FORMULAS:
        outcome = check(ComplaintInput, {**GOOD[ComplaintInput], "summary": f"{cell} said", "customer_name": cell})
        assert isinstance(outcome, ComplaintInput)
        assert (outcome.summary, outcome.customer_name) == (f"{cell} said", cell)


def test_the_module_names_every_model_tested() -> None:
    """A new input model must be added to MODELS (and so to the property test above)."""
    defined = {
        obj
        for obj in vars(inputs).values()
        if isinstance(obj, type) and issubclass(obj, inputs._Input) and obj is not inputs._Input
    }
    assert defined == set(MODELS)
