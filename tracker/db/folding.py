"""``folded(column)``: a text column without accents and in lower case, on either backend, to
compare with ``domain/text_fold.fold`` of what was typed. SQLite calls the Python function the
tracker registers on every connection (``sqlite_setup``); PostgreSQL translates the accented
letters and lowers the rest (its ``lower`` knows every alphabet; ``unaccent`` is an extension a
shared server may not have)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from tracker.domain.text_fold import FOLD_FROM, FOLD_TO


class folded(GenericFunction[str]):  # lower case: it reads as the SQL function it is
    type = String()
    name = "tracker_fold"
    inherit_cache = True


@compiles(folded, "postgresql")
def _folded_on_postgresql(element: folded, compiler: Any, **kw: Any) -> str:
    argument = compiler.process(element.clauses, **kw)
    source = compiler.process(_literal(FOLD_FROM), **kw)
    target = compiler.process(_literal(FOLD_TO), **kw)
    return f"lower(translate({argument}, {source}, {target}))"


def _literal(text: str) -> Any:
    from sqlalchemy import literal

    return literal(text, String())
