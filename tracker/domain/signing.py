"""What a handbook sign-off is: how it can be signed, and what the signature means."""

from __future__ import annotations

PAPER = "paper"  # a paper sign-off names where the signed form is filed

# How an employee signs the acknowledgement page (the schema's CHECK reads the keys).
SIGN_METHODS: dict[str, str] = {
    PAPER: "paper form signed and filed",
    "terminal": "signed in person at the terminal",
}


# What the employee confirms by signing: the acknowledgement page's statements, word for word, with
# "the version named at the top of this form" made the version's label (a test holds the page to
# these, so the stored meaning is always the form's text).
STATEMENTS = (
    "I have read the Service Standards Handbook in version {label}, and I will follow its rules.",
    "I understand that breaking these rules can lead to corrective action, up to and including dismissal.",
    "I know that I can ask my supervisor about anything in the handbook that I do not understand, at any time.",
)
FORM_VERSION_WORDS = "the version named at the top of this form"


def meaning_of(label: str) -> str:
    """What the signature means, stored with it so the record speaks for itself: what the signed
    form says, not a shorter summary of it."""
    return " ".join(statement.format(label=label) for statement in STATEMENTS)
