"""Spreadsheet formula injection: a cell starting with =, +, - or @ (or a tab or
carriage return) is run as a formula by Excel and LibreOffice. Exports prefix
such cells with an apostrophe, which spreadsheets show as plain text.
"""

from __future__ import annotations

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        if value.startswith("-") and _is_number(value):
            return value  # a negative number is data, not a formula
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
