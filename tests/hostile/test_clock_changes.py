"""Local times the clocks skip (spring forward) or show twice (autumn) have two readings: typed
without an offset they are refused, naming both, on the command line and in an import; with an
offset they are taken as written. Never silently shifted by an hour."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest

from tests.cli.conftest import Runner
from tests.cli.test_errors import ready, refused, table_counts  # noqa: F401 - the fixture
from tests.conftest import local_zone
from tracker.domain.timeutil import LocalTimeError, local_midnight, to_utc


@pytest.fixture
def london() -> Iterator[None]:
    """Clocks go forward at 01:00 on 2026-03-29 and back at 02:00 on 2026-10-25."""
    with local_zone("Europe/London"):
        yield


def test_a_skipped_time_is_refused_naming_both_readings(london: None) -> None:
    with pytest.raises(LocalTimeError) as refused_time:
        to_utc(datetime(2026, 3, 29, 1, 30))
    assert str(refused_time.value) == (
        "is in the hour the clocks skip here: it reads as 2026-03-29 00:30+00:00 or 2026-03-29 02:30+01:00; "
        "give the offset"
    )


def test_a_repeated_time_is_refused_naming_both_readings(london: None) -> None:
    with pytest.raises(LocalTimeError) as refused_time:
        to_utc(datetime(2026, 10, 25, 1, 30))
    assert str(refused_time.value) == (
        "is in the hour the clocks show twice here: give the offset, 2026-10-25 01:30+01:00 or 2026-10-25 01:30+00:00"
    )


def test_times_either_side_of_a_change_and_with_offsets_are_taken_as_written(london: None) -> None:
    assert to_utc(datetime(2026, 3, 29, 0, 59)) == datetime(2026, 3, 29, 0, 59, tzinfo=timezone.utc)
    assert to_utc(datetime(2026, 3, 29, 2, 0)) == datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc)
    assert to_utc(datetime(2026, 10, 25, 2, 0)) == datetime(2026, 10, 25, 2, 0, tzinfo=timezone.utc)
    assert to_utc(datetime.fromisoformat("2026-10-25 01:30+01:00")) == datetime(
        2026, 10, 25, 0, 30, tzinfo=timezone.utc
    )
    assert to_utc(datetime.fromisoformat("2026-10-25 01:30+00:00")) == datetime(
        2026, 10, 25, 1, 30, tzinfo=timezone.utc
    )


def test_a_day_starts_at_its_first_moment_where_the_clocks_change_at_midnight() -> None:
    """São Paulo skipped 00:00–01:00 on 2018-11-04: that day began at 01:00 local (03:00 UTC)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "America/Sao_Paulo")
        time.tzset()
        try:
            assert local_midnight(date(2018, 11, 4)) == datetime(2018, 11, 4, 3, 0, tzinfo=timezone.utc)
            assert local_midnight(date(2018, 11, 3)) == datetime(2018, 11, 3, 3, 0, tzinfo=timezone.utc)
        finally:
            patch.undo()
            time.tzset()


def test_the_command_line_and_the_importer_refuse_a_skipped_time_alike(
    london: None,
    ready: Runner,  # noqa: F811
    tmp_path: Path,
) -> None:
    logged = refused(
        ready, "complaints", "log", "--channel", "chat", "--summary", "Rude", "--received-at", "2026-03-29 01:30"
    )
    assert logged.startswith(
        "error: --received-at: '2026-03-29 01:30' is in the hour the clocks skip here: it reads as "
    )
    export = tmp_path / "export.csv"
    export.write_text("received_at,channel,summary\n2026-10-25 01:30,chat,Rude on the phone\n", encoding="utf-8")
    before = table_counts(ready)
    result = ready("complaints", "import", str(export))
    assert result.code == 2
    assert "row 2" in result.err
    assert "received_at: '2026-10-25 01:30' is in the hour the clocks show twice here: give the offset" in result.err
    assert table_counts(ready) == before
    # With the offset, the same row is imported as that moment.
    export.write_text("received_at,channel,summary\n2026-10-25 01:30+00:00,chat,Rude on the phone\n", encoding="utf-8")
    assert ready("complaints", "import", str(export)).code == 0
    received = [c["received"] for c in ready("complaints", "list", "--format", "json").json()]
    assert "2026-10-25T01:30:00+00:00" in received
