"""What a handbook sign-off is: how it can be signed, and what the signature means."""

from __future__ import annotations

PAPER = "paper"  # a paper sign-off names where the signed form is filed

# How an employee signs the acknowledgement page (the schema's CHECK reads the keys).
SIGN_METHODS: dict[str, str] = {
    PAPER: "paper form signed and filed",
    "terminal": "signed in person at the terminal",
}


def meaning_of(label: str) -> str:
    """What the signature means, stored with it so the record speaks for itself."""
    return f"I have read handbook version {label} and will follow its rules."
