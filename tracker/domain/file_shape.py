"""What an import says about a file that is not the kind it expects: never what is in it.

The importers read any path they are given, and the served app's roster dialog reads any path
typed into it as the user who started the server. The CSV reader names header cells it does not
know ("root:$6$...:19000:0:99999:7::: is not a known column"), which for ``/etc/shadow``, a
private key or a token file is its first line, shown to whoever is at the browser.

The rule: a file whose first row does not name every required column is not of the expected kind.
Its errors are the ones in the tracker's own words (row 1, which required column is missing, and
the columns the file needs), and none that quote the file. Only a file that names every required
column (a real export of the expected kind) has its other header problems listed as the reader
found them, quoting its own header names ("password is not a known column"), which helps fix it.
Problems the reader found before it had a header (not UTF-8 text, an empty file) quote nothing and
are kept.
"""

from __future__ import annotations

from typing import Sequence

from tracker.domain.errors import RowError


def header_problems(
    header: Sequence[str],
    problems: list[RowError],
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
) -> list[RowError]:
    """``problems`` (the reader's, about the header in row 1) as the user may see them.

    ``header`` is the first row's column names as the reader normalised them (empty when it could
    not read one). With a required column missing, only the problems that name one of the
    tracker's columns (``required`` or ``optional``) are kept: the others quote the file.
    """
    if not problems or not header or all(name in header for name in required):
        return problems
    ours = set(required) | set(optional)
    return [problem for problem in problems if problem.column in ours]
