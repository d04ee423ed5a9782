"""What the import profiles share: reading a cell as a time, a number or a line of text; telling an
export's files apart by their first row; and gathering rows into contacts with their messages.

A profile checks a row by calling the cell readers, which raise ``Bad`` naming the column; the
profile catches it and records one row error for the row (the first problem found), as the
complaint import does. Nothing here raises on what a file holds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.domain import limits
from tracker.domain.contact_rows import ContactRow, FileRowError, MessageRow, ProfileRead
from tracker.domain.csvread import CsvStream, parse_bool
from tracker.domain.errors import InputError, RowError, shown
from tracker.domain.text_safety import unsafe_character

SOURCE = 40  # the contact table's source column
CHANNEL = limits.TOPIC  # a channel as the export names it, before the handbook's aliases map it
# The longest duration a file may state: longer is a typo or a unit mix-up, and would overflow.
LONGEST = timedelta(days=100 * 366)
EXAMPLE_TIME = "2024-10-29 22:00:00"
_EPOCH = re.compile(r"\d{1,11}(\.\d{1,9})?")  # up to the year 5138: past the last year kept
_EPOCH_START = datetime(1970, 1, 1, tzinfo=timezone.utc)


class Bad(Exception):
    """A cell that cannot be read: the row's error."""

    def __init__(self, column: str, reason: str):
        self.column = column
        self.reason = reason
        super().__init__(f"{column}: {reason}")


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone naive times in the files are read in; the caller's option, not file content."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InputError("--time-zone", f"'{shown(name)}' is not a time zone name like Europe/London") from None


# --- cells ------------------------------------------------------------------------------------


def line(cells: dict[str, str], column: str, limit: int, *, required: bool = False) -> str | None:
    """A single line of text, trimmed; blank is None (or, when required, the row's error). Refused
    if a terminal could act on it: it is stored and shown to other people later."""
    value = cells.get(column, "").strip()
    if not value:
        if required:
            raise Bad(column, "is blank")
        return None
    problem = unsafe_character(value)
    if problem:
        raise Bad(column, problem)
    if "\n" in value or "\r" in value:
        raise Bad(column, "must be a single line")
    if len(value) > limit:
        raise Bad(column, f"is longer than {limit} characters")
    return value


def moment(
    cells: dict[str, str], column: str, zone: ZoneInfo, *, required: bool = False, epoch: bool = False
) -> datetime | None:
    """A time as aware UTC. Naive text is wall-clock time in ``zone``; an offset or 'Z' says which
    moment itself. With ``epoch`` a number of seconds since 1970 (UTC) is accepted too."""
    raw = cells.get(column, "").strip()
    if not raw:
        if required:
            raise Bad(column, "is blank")
        return None
    if epoch and _EPOCH.fullmatch(raw):
        return _checked(column, raw, _EPOCH_START + timedelta(seconds=float(raw)))
    try:
        typed = datetime.fromisoformat(raw)
    except ValueError:
        like = f"{EXAMPLE_TIME} or a Unix time like 1730239200" if epoch else EXAMPLE_TIME
        raise Bad(column, f"'{shown(raw)}' is not a date and time like {like}") from None
    if len(raw) <= len("2024-10-29"):
        raise Bad(column, f"'{shown(raw)}' has no time of day (write it like {EXAMPLE_TIME})")
    if typed.tzinfo is not None:
        try:
            return _checked(column, raw, typed.astimezone(timezone.utc))
        except (OverflowError, ValueError):
            raise Bad(column, f"'{shown(raw)}' is outside the range of dates the tracker keeps") from None
    return _checked(column, raw, wall_clock(column, raw, typed, zone))


def wall_clock(column: str, raw: str, typed: datetime, zone: ZoneInfo) -> datetime:
    """``typed`` read on the clocks of ``zone``, as UTC. A time in the hour the clocks skip, or the
    hour they show twice, has no single reading: it is refused, naming the offsets that would say
    which, rather than taken as one of them (the tracker's rule for times, ``timeutil.to_utc``)."""
    try:
        offset = typed.replace(tzinfo=zone).utcoffset()
        if offset is not None and offset == typed.replace(tzinfo=zone, fold=1).utcoffset():
            return (typed - offset).replace(tzinfo=timezone.utc)  # the one reading (most times: fast)
        readings = [typed.replace(tzinfo=zone, fold=fold) for fold in (0, 1)]
        moments = sorted({reading.astimezone(timezone.utc) for reading in readings})
        skipped = any(
            reading.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != typed for reading in readings
        )
    except (OverflowError, ValueError):
        raise Bad(column, f"'{shown(raw)}' is outside the range of dates the tracker keeps") from None
    if len(moments) == 1:
        return moments[0]
    either = " or ".join(f"{typed:%Y-%m-%d %H:%M}{_offset(reading)}" for reading in readings)
    if skipped:
        raise Bad(
            column, f"'{shown(raw)}' does not exist in {zone.key}: the clocks skip that hour; give the offset, {either}"
        )
    raise Bad(column, f"'{shown(raw)}' is in the hour the clocks show twice in {zone.key}: give the offset, {either}")


def _offset(reading: datetime) -> str:
    offset = reading.strftime("%z")
    return f"{offset[:3]}:{offset[3:]}"


def _checked(column: str, raw: str, value: datetime) -> datetime:
    if not 1970 <= value.year <= limits.LAST_YEAR:
        raise Bad(
            column, f"'{shown(raw)}' is outside the range of dates the tracker keeps (1970 to {limits.LAST_YEAR})"
        )
    return value


def _number(cells: dict[str, str], column: str, unit: str) -> float | None:
    raw = cells.get(column, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Bad(column, f"'{shown(raw)}' is not a number of {unit}") from None
    if not math.isfinite(value):
        raise Bad(column, f"'{shown(raw)}' is not a number of {unit}")
    if value < 0:
        raise Bad(column, f"'{shown(raw)}' is negative")
    if value * (60 if unit == "minutes" else 1) > LONGEST.total_seconds():
        raise Bad(column, f"'{shown(raw)}' is longer than the tracker keeps ({LONGEST.days // 366} years)")
    return value


def minutes(cells: dict[str, str], column: str) -> timedelta | None:
    """A duration the export states in (decimal) minutes; blank is None."""
    value = _number(cells, column, "minutes")
    return None if value is None else timedelta(minutes=value)


def seconds(cells: dict[str, str], column: str) -> int | None:
    """A duration in seconds, to the nearest second; blank is None."""
    value = _number(cells, column, "seconds")
    return None if value is None else round(value)


def flag(cells: dict[str, str], column: str, default: bool, words: str = "yes or no") -> bool:
    """yes/no, true/false, 1/0 (any case); blank is ``default``."""
    raw = cells.get(column, "").strip()
    if not raw:
        return default
    value = parse_bool(raw)
    if value is None:
        raise Bad(column, f"'{shown(raw)}' must be {words}")
    return value


def clock(moment: datetime, zone: ZoneInfo, beside: datetime) -> str:
    """A time as the file's clocks show it, as short as tells it apart from ``beside``."""
    local, other = moment.astimezone(zone), beside.astimezone(zone)
    if local.date() != other.date():
        return f"{local:%Y-%m-%d %H:%M}"
    if local.replace(second=0, microsecond=0) == other.replace(second=0, microsecond=0):
        return f"{local:%H:%M:%S}"
    return f"{local:%H:%M}"


def before_arrival(column: str, at: datetime, received_at: datetime, zone: ZoneInfo) -> Bad:
    return Bad(
        column,
        f"{clock(at, zone, received_at)} is before the contact arrived at {clock(received_at, zone, at)}",
    )


# --- files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of file a profile takes, known by the columns of its first row."""

    name: str  # 'contacts file', 'ticket file', ... as errors name it
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    marks: tuple[str, ...] = ()  # columns that tell it from the profile's other kinds of file

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.optional

    def score(self, header: list[str]) -> tuple[int, int]:
        """How well a first row fits: its marks first, then its required columns."""
        present = set(header)
        return (sum(1 for name in self.marks if name in present), sum(1 for name in self.required if name in present))


def names_of(paths: list[Path]) -> list[str]:
    """How errors name each file: its name, or the path as given where two files share a name."""
    names = [path.name or str(path) for path in paths]
    return [str(path) if names.count(name) > 1 else name for path, name in zip(paths, names)]


class Reading:
    """A profile's result as it is gathered: the contacts in the order their rows came, each
    contact's messages, every row error, the ignored columns and the rows read."""

    def __init__(self, paths: list[Path], zone: ZoneInfo):
        self.zone = zone
        self.result = ProfileRead()
        self._order = {name: index for index, name in enumerate(names_of(paths))}
        self._contacts: dict[tuple[str, str], ContactRow] = {}
        self._messages: dict[tuple[str, str], list[MessageRow]] = {}
        self._spoilt: dict[tuple[str, str], list[tuple[str, int]]] = {}

    # errors and columns

    def error(self, file: str, row: int, column: str, reason: str, *, whole_file: bool = False) -> None:
        """A row's error; one in column ``file`` (or ``whole_file``) says the file was not read whole."""
        self.result.errors.append(
            FileRowError(file, RowError(row, column, reason), whole_file=whole_file or column == "file")
        )

    def bad(self, file: str, row: int, problem: Bad) -> None:
        self.error(file, row, problem.column, problem.reason)

    def ignore(self, file: str, names: list[str]) -> None:
        """Columns of ``file`` the profile has no use for, named once (escaped: they are the file's)."""
        if not names:
            return
        listed = self.result.ignored_columns.setdefault(file, [])
        for name in names:
            if shown(name) not in listed:
                listed.append(shown(name))

    # files

    def kind_of(self, file: str, path: Path, kinds: tuple[Kind, ...]) -> Kind | None:
        """Which of ``kinds`` the file is, by its first row; None (with the file's error) if none.

        The errors name only the profile's own columns, never the file's: a file that is not an
        export of this kind may be anything (``file_shape``)."""
        header = self.header(file, path, kinds)
        if header is None:
            return None
        best = max(kinds, key=lambda kind: kind.score(header))  # the first of equals
        if best.score(header) == (0, 0):
            described = "; ".join(f"a {kind.name} has {', '.join(kind.required)}" for kind in kinds)
            self.error(
                file,
                1,
                "file",
                f"is not a file this profile reads: its first row names none of the columns it needs ({described})",
            )
            return None
        missing = [name for name in best.required if name not in header]
        if missing:
            self.error(
                file,
                1,
                missing[0],
                f"column{'s' if len(missing) > 1 else ''} missing from the {best.name}: {', '.join(missing)} "
                f"(it needs: {', '.join(best.required)})",
                whole_file=True,
            )
            return None
        return best

    def header(self, file: str, path: Path, kinds: tuple[Kind, ...]) -> list[str] | None:
        known = tuple(dict.fromkeys(name for kind in kinds for name in kind.known))
        try:
            with path.open("rb") as stream:
                peek = CsvStream(stream, required=(), optional=known)
        except OSError as exc:
            self.error(file, 1, "file", f"cannot be opened ({shown(exc.strerror or exc, 80)})")
            return None
        if peek.header_errors:
            first = peek.header_errors[0]
            self.error(file, first.row, first.column, first.reason, whole_file=True)
            return None
        return peek.header

    def rows(self, file: str, path: Path, kind: Kind) -> Iterator[tuple[int, dict[str, str]]]:
        """The good rows of a CSV file of ``kind``; its bad rows, ignored columns and row count are
        recorded on the way. A file that cannot be read (any more) ends with its error."""
        try:
            with path.open("rb") as stream:
                yield from self._rows(file, stream, kind)
        except OSError as exc:
            self.error(file, 1, "file", f"cannot be read ({shown(exc.strerror or exc, 80)})")

    def _rows(self, file: str, stream: BinaryIO, kind: Kind) -> Iterator[tuple[int, dict[str, str]]]:
        reader = CsvStream(stream, required=kind.required, optional=kind.optional)
        for problem in reader.header_errors:
            self.error(file, problem.row, problem.column, problem.reason, whole_file=True)
        if reader.header_errors:
            return
        self.ignore(file, reader.ignored)
        for item in reader.rows():
            if isinstance(item, RowError):
                self.result.errors.append(FileRowError(file, item, whole_file=item.column == "file"))
                if item.column != "file":
                    self.result.rows_read += 1
                continue
            self.result.rows_read += 1
            yield item

    def skipped(self) -> None:
        """A row the profile leaves out on purpose (a deleted ticket): counted in nothing."""
        self.result.rows_read -= 1

    # contacts and messages

    def contact(self, row: ContactRow, column: str = "id") -> Bad | None:
        """Keep ``row``; or why not: its ID was seen already (the later row is the error)."""
        key = (row.source, row.external_id)
        first = self._contacts.get(key)
        if first is not None:
            return Bad(
                column, f"'{shown(row.external_id)}' appears twice; first in {_where(first.file, first.row, row.file)}"
            )
        self._contacts[key] = row
        self._messages[key] = list(row.messages)
        return None

    def found(self, key: tuple[str, str]) -> ContactRow | None:
        return self._contacts.get(key)

    def contacts(self) -> list[ContactRow]:
        """The contacts kept so far, without their messages."""
        return list(self._contacts.values())

    def message(self, key: tuple[str, str], column: str, message: MessageRow) -> Bad | None:
        """Add a message to the kept contact ``key``; or why not (it is before the contact arrived)."""
        contact = self._contacts[key]
        if message.at < contact.received_at:
            return before_arrival(column, message.at, contact.received_at, self.zone)
        self._messages[key].append(message)
        return None

    def spoilt(self, key: tuple[str, str], file: str, row: int, problem: Bad) -> None:
        """A bad row holding one of contact ``key``'s messages. The contact is left out (its own
        row then says why): imported without the message, it would be measured wrongly, say missed
        for want of the reply the bad row holds."""
        self.bad(file, row, problem)
        self._spoilt.setdefault(key, []).append((file, row))

    def finish(self) -> ProfileRead:
        """Contacts with their messages in time order, and the errors in file and row order."""
        order = self._order
        for key, row in self._contacts.items():
            bad = self._spoilt.get(key)
            if bad:
                more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
                where = _where(bad[0][0], bad[0][1], row.file)
                self.error(
                    row.file, row.row, "messages", f"the contact is left out: its message in {where}{more} has an error"
                )
                continue
            messages = self._messages[key]
            if messages:
                messages.sort(key=lambda m: (m.at, order.get(m.file, 0), m.row))
                row = replace(row, messages=tuple(messages))
            self.result.contacts.append(row)
        self.result.errors.sort(key=lambda e: (order.get(e.file, len(order)), e.error.row))
        self.result.rows_read = max(self.result.rows_read, 0)
        return self.result


def _where(file: str, row: int, beside: str) -> str:
    return f"row {row}" if file == beside else f"{file}, row {row}"
