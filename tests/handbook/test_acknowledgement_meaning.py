"""The meaning stored with every sign-off is what the printed form says (issue 15: it was a
shorter sentence than the form, which also warns that breaking the rules can lead to dismissal)."""

from __future__ import annotations

from tests.conftest import ROOT
from tracker.domain.signing import FORM_VERSION_WORDS, STATEMENTS, meaning_of


def _form_statements() -> list[str]:
    lines = (ROOT / "handbook" / "acknowledgement.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("By signing below, I confirm that:") + 1
    statements: list[str] = []
    for line in lines[start:]:
        if line.startswith("- "):
            statements.append(line[2:].strip())
        elif line.startswith("  ") and statements:
            statements[-1] += " " + line.strip()
        elif statements:
            break
    return statements


def test_the_stored_meaning_is_the_forms_statements_word_for_word() -> None:
    on_form = [statement.replace(FORM_VERSION_WORDS, "version {label}") for statement in _form_statements()]
    assert on_form == list(STATEMENTS)
    assert meaning_of("2026.2") == " ".join(on_form).format(label="2026.2")
    assert "up to and including dismissal" in meaning_of("2026.2")
