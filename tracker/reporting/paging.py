"""Reading a keyset-paged list to its end, for printouts and exports.

Lists page through the database (index-backed, one page per query); a report
that needs every row reads them page by page with ``every_page`` instead of
one query that loads a whole table.
"""

from __future__ import annotations

from typing import Callable, Iterator, TypeVar

R = TypeVar("R")
C = TypeVar("C")

PAGE = 500


def every_page(
    fetch: Callable[[C | None, int], list[R]],
    cursor_of: Callable[[R], C],
    *,
    limit: int | None = None,
    page: int = PAGE,
) -> Iterator[R]:
    """Every row of a paged query, up to ``limit``. ``fetch(after, n)`` returns at most n rows
    after the cursor ``after`` (None: from the start); ``cursor_of(row)`` is a row's cursor."""
    after: C | None = None
    taken = 0
    while True:
        want = page if limit is None else min(page, limit - taken)
        if want <= 0:
            return
        rows = fetch(after, want)
        yield from rows
        taken += len(rows)
        if len(rows) < want:
            return
        after = cursor_of(rows[-1])
