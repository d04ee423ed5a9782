"""Headless Chromium for the browser tests (the handbook site, `tracker serve`):
Debian's `chromium` driven by Playwright, with the flags that keep it quiet and
local. A plain module, imported by both suites (not a conftest, which another
folder's conftest could shadow)."""

from __future__ import annotations

import os

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    """Debian's chromium (or TRACKER_CHROMIUM); skipped locally when missing, a failure with CI=true."""
    path = os.environ.get("TRACKER_CHROMIUM") or "/usr/bin/chromium"
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        message = (
            f"Chromium not found at {path}: install Debian's `chromium` package "
            "or set TRACKER_CHROMIUM to a Chromium binary"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: browser tests may not be skipped)", pytrace=False)
        pytest.skip(message)
    return path
