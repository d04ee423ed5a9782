"""Publishing a handbook version: a confirmation that shows what changes."""

from __future__ import annotations

from typing import Any, Sequence

from tracker.backend import Backend
from tracker.db.models import HandbookVersion
from tracker.domain.handbook.diff import RuleChange
from tracker.domain.handbook.model import Handbook
from tracker.domain.wording import plural
from tracker.records.handbook.commands import publish
from tracker.ui.widgets.form import Field, FormSpec

SHOWN = 12  # changed rules listed in the confirmation; the rest are counted


def describe_changes(changes: Sequence[RuleChange], limit: int = SHOWN) -> str:
    if not changes:
        return "No rule changed."
    counts = {kind: sum(1 for c in changes if c.change == kind) for kind in ("added", "changed", "removed")}
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    lines = [f"{c.change:>8}  {c.rule_id}  {c.title}" for c in changes[:limit]]
    if len(changes) > limit:
        lines.append(f"          … and {len(changes) - limit} more (see the Compare tab)")
    return summary + ":\n" + "\n".join(lines)


def publish_form(
    backend: Backend,
    handbook: Handbook,
    previous: str | None,
    changes: Sequence[RuleChange],
    published_labels: Sequence[str] = (),
) -> FormSpec[HandbookVersion]:
    """Confirm publishing the working handbook; ``previous`` is the label in force (None: first version).

    The confirmation warns when publishing looks pointless (label already used,
    nothing changed); ``publish`` itself decides and its refusal is shown.
    """

    def save(data: dict[str, Any]) -> HandbookVersion:
        editorial = bool(data.get("editorial"))
        return backend.write(lambda s: publish(handbook, session=s, actor=backend.actor, editorial=editorial))

    since = (
        f"Changes since version {previous} — {describe_changes(changes)}"
        if previous
        else "First version: every rule is new, and every employee signs it."
    )
    intro = (
        f"Publish the working handbook as version {handbook.label} ({plural(len(handbook.rules), 'rule')}). "
        f"The label comes from extra.handbook_version in mkdocs.yml.\n\n"
        f"{since}\n\n"
        "A material version asks every employee to sign again; an editorial one (wording only) does not."
    )
    warnings = []
    if handbook.label in published_labels:
        warnings.append(
            f"Version {handbook.label} is already published: set a new extra.handbook_version "
            "in mkdocs.yml (and a changelog entry) before publishing."
        )
    if previous is not None and not changes:
        warnings.append(f"No rule changed since version {previous}: there is nothing to publish.")
    if warnings:
        intro += "\n\n" + "\n".join(f"Note: {w}" for w in warnings)
    fields = [
        Field("editorial", "Editorial", "bool", placeholder="Editorial: wording only, nobody needs to sign again")
    ]
    return FormSpec(
        title=f"Publish handbook version {handbook.label}?",
        intro=intro,
        fields=fields,
        save=save,
        success=lambda v: (
            f"Published handbook version {v.label}: "
            + ("editorial, no re-signing needed." if v.editorial else "material, everyone signs again.")
        ),
        save_label="Publish",
    )
