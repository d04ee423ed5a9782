"""A changelog entry's lists of rules added, changed and removed, written from the handbook diff
(``tracker handbook changelog-entry``) for the maintainer to paste into ``handbook/changelog.md``.

Why generated: the changelog is what an employee reads to learn which rules they sign again, so
its lists must be the diff the tracker asks them to re-sign by, not a hand-made summary (the
2026.2 entry once left out three changed complaint rules). The prose around the lists stays the
maintainer's. ``tests/handbook/test_changelog_matches_diff.py`` reads the lists back in this
format and fails when they drift from the diff between consecutive versions.

Format, one block per kind, in this order, each a bold line and then one bullet per rule in ID
order (or "none." on the bold line)::

    **Rules changed:**

    - [CMP-02](complaints.md#CMP-02) Acknowledge within the channel target

    **Rules added:**

    - [SPD-06](speed.md#SPD-06) Give each customer the time they need

    **Rules removed:** none.

A removed rule is named without a link: its anchor is gone from the handbook.
"""

from __future__ import annotations

from tracker.domain.handbook.diff import RuleChange

KINDS = ("changed", "added", "removed")


def changelog_lists(changes: list[RuleChange], pages: dict[str, str]) -> str:
    """The Markdown of the three lists; ``pages`` gives each linked rule's page (the newer version's)."""
    blocks: list[str] = []
    for kind in KINDS:
        of_kind = sorted((c for c in changes if c.change == kind), key=lambda c: c.rule_id)
        if not of_kind:
            blocks.append(f"**Rules {kind}:** none.")
            continue
        bullets = []
        for change in of_kind:
            page = pages.get(change.rule_id)
            named = f"[{change.rule_id}]({page}#{change.rule_id})" if kind != "removed" and page else change.rule_id
            bullets.append(f"- {named} {change.title}")
        blocks.append(f"**Rules {kind}:**\n\n" + "\n".join(bullets))
    return "\n\n".join(blocks) + "\n"
