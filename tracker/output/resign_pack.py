"""An employee's re-signing pack (``tracker signoffs sheet``): their acknowledgement form, filled
in, and the full text of exactly the rules they have not signed yet, ready to print.

Why a pack and not the handbook: asking someone to sign again means asking them to read what
changed, and nothing else. The rules are the stored text of the version in force (what the
signature will bind to, principle 3), and which rules is the handbook diff the tracker already
keeps (``records.signoffs.queries.signoff_standing``: from the version of their last valid
sign-off to the version in force; every rule for someone who never signed). Removed rules are
named by ID and title: there is no text left to read. The form's statements and fields are the
handbook's own acknowledgement page (``acknowledgement.md``), rendered as the site renders it, with
the employee's company, team, number and name filled in; signature and dates stay blank for pen.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from sqlmodel import Session

from tracker.domain.errors import InputError
from tracker.domain.handbook.diff import RuleChange
from tracker.domain.handbook.source import HandbookSource, read_mkdocs_config
from tracker.output.handbook_print import PRINT_CSS, PageRenderer, read_meta
from tracker.records.employees.queries import get_employee
from tracker.records.handbook.queries import version_in_force
from tracker.records.signoffs.queries import signoff_standing

ACKNOWLEDGEMENT_PAGE = "acknowledgement.md"
_FIELD = re.compile(r'<p class="(hb-field[^"]*)">(.*?)</p>', re.DOTALL)
_LINK = re.compile(r"<a\b[^>]*>(.*?)</a>", re.DOTALL)


@dataclass(frozen=True)
class PackRule:
    """A rule to read before signing: as stored in the version in force (``text`` is its Markdown;
    empty for a removed rule)."""

    id: str
    title: str
    change: str  # added, changed, removed
    text: str


@dataclass(frozen=True)
class ResignPack:
    """What the pack prints, read in one transaction."""

    number: str
    name: str
    team: str
    company: str
    version: str
    effective: str  # "takes effect 2026-12-03", or "published 2026-12-03" when mkdocs.yml names another version
    last_signed: str | None
    up_to_date: bool  # holds a valid sign-off covering the material version: nothing to re-sign
    rules: tuple[PackRule, ...]


def load_pack(session: Session, number: str, source: HandbookSource) -> ResignPack:
    """The employee's standing against the version in force, with the stored text of each rule to read."""
    config = read_mkdocs_config(source.config) if source.config else {}
    meta = read_meta(config)
    employee = get_employee(session, number)
    standing = signoff_standing(session, employee.number)
    in_force = version_in_force(session)
    if meta.version == in_force.label and meta.effective_date:
        effective = f"takes effect {meta.effective_date}"
    else:  # the working handbook's date belongs to another label: say when this one was published
        effective = f"published {in_force.published_on.isoformat()}"
    return ResignPack(
        number=employee.number,
        name=employee.name,
        team=employee.team,
        company=meta.company,
        version=in_force.label,
        effective=effective,
        last_signed=standing.last_signed,
        up_to_date=standing.up_to_date,
        rules=_rules(standing.changes, standing.texts),
    )


def _rules(changes: list[RuleChange], texts: dict[str, str]) -> tuple[PackRule, ...]:
    return tuple(PackRule(c.rule_id, c.title, c.change, texts.get(c.rule_id, "")) for c in changes)


def _filled_form(form_html: str, pack: ResignPack) -> str:
    """The acknowledgement page with the employee's details written on its lines; links made
    plain text (a printed form cannot be clicked, and the pages it links to are not in the pack)."""
    values = {"company": pack.company, "team": pack.team, "employee number": pack.number, "printed name": pack.name}

    def fill(match: re.Match[str]) -> str:
        label = match.group(2).strip()
        value = values.get(html.unescape(label).lower())
        shown = f'<span class="hb-value">{html.escape(value)}</span>' if value else ""
        return f'<p class="{match.group(1)}">{label}{shown}</p>'

    return _LINK.sub(r"\1", _FIELD.sub(fill, form_html))


def _change_note(rule: PackRule, pack: ResignPack) -> str:
    """ "(changed)" or "(added)" beside a rule's title; nothing for someone who never signed, to
    whom every rule is new."""
    return f' <span class="pack-change">({rule.change})</span>' if pack.last_signed else ""


def render_pack(pack: ResignPack, source: HandbookSource) -> str:
    """The pack as one HTML document: the filled-in form on its own sheet, then the rules."""
    config = read_mkdocs_config(source.config) if source.config else {}
    page = source.docs_dir / ACKNOWLEDGEMENT_PAGE
    try:
        form_text = page.read_text(encoding="utf-8")
    except OSError:
        raise InputError(
            "handbook", f"{page} cannot be read: the pack prints the handbook's acknowledgement form"
        ) from None
    renderer = PageRenderer(config)
    meta = read_meta(config)
    since = (
        f"Rules changed since you last signed (version {html.escape(pack.last_signed)})"
        if pack.last_signed
        else f"Every rule of version {html.escape(pack.version)} (you have not signed the handbook before)"
    )
    readable = [r for r in pack.rules if r.change != "removed"]
    removed = [r for r in pack.rules if r.change == "removed"]
    rules_html = "".join(
        f'<section class="pack-rule" id="{r.id}"><h2><span class="rule-id">{r.id}</span> · {html.escape(r.title)}'
        f"{_change_note(r, pack)}</h2>{renderer.render(r.text)}</section>"
        for r in readable
    )
    removed_html = (
        "<h2>Rules removed</h2><ul>"
        + "".join(f'<li><span class="rule-id">{r.id}</span> {html.escape(r.title)}</li>' for r in removed)
        + "</ul>"
        if removed
        else ""
    )
    header = (
        f'<p class="pack-version">{html.escape(meta.title)}: version <strong>{html.escape(pack.version)}</strong>, '
        f"{html.escape(pack.effective)}. Prepared for {html.escape(pack.name)} ({html.escape(pack.number)}).</p>"
    )
    running = f"{pack.name} ({pack.number}) · handbook {pack.version}"
    css = PRINT_CSS.replace("var(--hb-running)", '"' + running.replace("\\", "").replace('"', "'") + '"')
    css += ".pack-form { break-after: page; } .pack-change { font-weight: normal; font-size: 10pt; color: #444; }"
    # The form on one sheet: tighter lines than the handbook's own printed form.
    css += " .pack-form h1 { margin-bottom: 3mm; } .pack-form h2 { margin-top: 4mm; }"
    css += " .pack-form p.hb-field { padding-top: 4mm; } .pack-form p.hb-field--sign { padding-top: 9mm; }"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Re-signing pack: {html.escape(pack.name)} ({html.escape(pack.number)}), "
        f"handbook {html.escape(pack.version)}</title>"
        f"<style>{css}</style></head><body>"
        f'<section class="pack-form">{header}{_filled_form(renderer.render(form_text), pack)}</section>'
        f'<section class="pack-rules"><h1>{since}</h1>'
        f"<p>Read these {len(readable)} rule(s) before you sign: they are the text of version "
        f"{html.escape(pack.version)} your signature refers to.</p>"
        f"{rules_html}{removed_html}</section></body></html>\n"
    )
