"""What changed between two versions of the rules: added, changed, removed, by rule ID."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleChange:
    rule_id: str
    title: str
    change: str  # added, changed, removed


def diff_rules(old: dict[str, tuple[str, str]], new: dict[str, tuple[str, str]]) -> list[RuleChange]:
    """Rules added, changed or removed between two {id: (title, hash)} maps, by ID."""
    changes: list[RuleChange] = []
    for rule_id in sorted(set(old) | set(new)):
        if rule_id not in old:
            changes.append(RuleChange(rule_id, new[rule_id][0], "added"))
        elif rule_id not in new:
            changes.append(RuleChange(rule_id, old[rule_id][0], "removed"))
        elif old[rule_id][1] != new[rule_id][1]:
            changes.append(RuleChange(rule_id, new[rule_id][0], "changed"))
    return changes
