"""``tracker handbook``: check, list, publish and compare handbook versions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer

from tracker.backend import Backend
from tracker.cli import context
from tracker.cli.output import Format, emit, say, say_document, say_heading, say_json
from tracker.domain.errors import NotFound
from tracker.domain.timeutil import format_local
from tracker.domain.wording import plural

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.domain.handbook.diff import RuleChange
    from tracker.domain.handbook.model import Handbook

app = typer.Typer(help="The handbook: check it, list its rules, publish and compare versions.", no_args_is_help=True)


@app.command("check")
def check(ctx: typer.Context) -> None:
    """Validate the handbook: every problem is printed with its file and line."""
    from tracker.domain.handbook.parser import parse_handbook

    source = context.backend(ctx).settings.handbook
    handbook, problems = parse_handbook(source)
    if problems:
        for problem in problems:
            typer.echo(f"{problem}", err=True)
        typer.echo(f"error: handbook: {plural(len(problems), 'problem')} in {source.docs_dir}", err=True)
        raise typer.Exit(2)
    assert handbook is not None
    drift = _published_drift(context.backend(ctx), handbook)
    if drift:
        typer.echo(
            f"error: handbook: version {handbook.label} is already published, and the pages differ from it: "
            f"{', '.join(drift)}. Employees signed the published text: give the changed handbook a new "
            "extra.handbook_version in mkdocs.yml (and a changelog entry), or undo the change.",
            err=True,
        )
        raise typer.Exit(2)
    say(
        f"Handbook {handbook.label} is valid: {len(handbook.rules)} rules, {len(handbook.channels)} channels, "
        f"{len(handbook.ladder)} ladder levels, look-back {handbook.look_back}, sign-off grace {handbook.grace_period}. "
        f"Content hash {handbook.content_hash[:16]}…"
    )


def _published_drift(backend: Backend, handbook: "Handbook") -> list[str] | None:
    """The working handbook against the published version of its label, when there is a database
    to ask (an editor checking pages on a machine without one is told so, and not refused)."""
    from tracker.db.engine import sqlite_path
    from tracker.records.handbook import queries as handbook_queries

    path = sqlite_path(backend.settings.database_url)
    if path is not None and not path.exists():
        say(f"(No database at {path}: the pages were not compared with the published versions.)")
        return None
    return backend.read(lambda session: handbook_queries.drift_from_published(session, handbook))


@app.command("rules")
def rules(
    ctx: typer.Context,
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
    tag: Optional[str] = typer.Option(None, "--tag", help="Only rules with this tag (e.g. conduct)."),
) -> None:
    """List the rules of the working handbook (ID, title, page, tags, hash)."""
    handbook = context.backend(ctx).handbook()
    rows = [
        {"id": r.id, "title": r.title, "page": r.page, "tags": list(r.tags), "hash": r.hash, "text": r.text}
        for r in handbook.rules.values()
        if tag is None or tag in r.tags
    ]
    emit(
        rows,
        ["id", "title", "page", "tags"] if fmt == Format.table else ["id", "title", "page", "tags", "hash", "text"],
        fmt,
    )


@app.command("show")
def show(ctx: typer.Context, rule_id: str = typer.Argument(..., help="A rule ID such as CON-01.")) -> None:
    """Print one rule of the working handbook."""
    handbook = context.backend(ctx).handbook()
    rule = handbook.rules.get(rule_id.strip().upper())
    if rule is None:
        raise NotFound("rule", f"no rule '{rule_id}' in handbook {handbook.label}")
    say_heading(f"{rule.id} {rule.title}", f"  ({rule.page})\n")
    typer.echo(rule.text)


@app.command("publish")
def publish(
    ctx: typer.Context,
    label: Optional[str] = typer.Option(
        None, "--label", help="Version label; must equal extra.handbook_version in mkdocs.yml (the default)."
    ),
    editorial: bool = typer.Option(
        False, "--editorial", help="Wording-only changes: nobody needs to sign this version again."
    ),
) -> None:
    """Snapshot every rule of the working handbook as a new published version."""
    from tracker.records.handbook import commands as handbook_commands

    c = context.backend(ctx)
    handbook = c.handbook()
    version = c.write(
        lambda s: handbook_commands.publish(handbook, session=s, actor=c.actor, label=label, editorial=editorial)
    )
    kind = "editorial (no re-signing needed)" if editorial else "material (everyone signs again)"
    say(f"Published handbook version {version.label}: {len(handbook.rules)} rules, {kind}.")


@app.command("versions")
def list_versions(
    ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv.")
) -> None:
    """List published versions, newest first."""
    from tracker.records.handbook import queries as handbook_queries

    c = context.backend(ctx)
    rows = [
        {
            "label": v.label,
            "published": format_local(v.published_at) if fmt == Format.table else v.published_at,
            "by": v.published_by,
            "editorial": v.editorial,
            "content_hash": v.content_hash,
        }
        for v in c.read(handbook_queries.list_versions)
    ]
    emit(
        rows,
        ["label", "published", "by", "editorial", "content_hash"],
        fmt,
        empty="No version published yet: run 'tracker handbook publish'.",
    )


@app.command("diff")
def diff(
    ctx: typer.Context,
    old: Optional[str] = typer.Argument(None, help="Older version label (default: the version in force)."),
    new: Optional[str] = typer.Argument(None, help="Newer version label (default: the working handbook)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """Rules added, changed and removed between two versions."""
    from tracker.records.handbook import queries as handbook_queries

    c = context.backend(ctx)
    working = c.handbook() if new is None else None
    old_name, new_name, changes = c.read(lambda s: handbook_queries.diff(s, old, new, working))
    rows = [{"rule": ch.rule_id, "change": ch.change, "title": ch.title} for ch in changes]
    if fmt == Format.json:
        say_json({"from": old_name, "to": new_name, "changes": rows})
        return
    emit(
        rows,
        ["rule", "change", "title"],
        fmt,
        title=f"{old_name} → {new_name}",
        empty=f"No rule changed between {old_name} and {new_name}.",
    )


@app.command("print")
def print_handbook(
    ctx: typer.Context,
    output: Optional[str] = typer.Option(
        None, "--output", help="Write the HTML here, readable only by you (default: print it)."
    ),
    replace: bool = typer.Option(False, "--replace", help="With --output: replace a file already there."),
) -> None:
    """The whole working handbook as one print-ready HTML document: cover, contents, every page in nav order."""
    from tracker.output.handbook_print import render_handbook

    c = context.backend(ctx)
    document = render_handbook(c.settings.handbook, c.handbook())
    if output is None:
        say_document(document)
        return
    from tracker.output.files import export_path, write_export

    path = write_export(export_path(output, None), document, replace=replace, how_to_replace="pass --replace")
    say(f"Wrote the printable handbook to {path} (open it in a browser and print; page numbers are in the footer).")


@app.command("changelog-entry")
def changelog_entry(
    ctx: typer.Context,
    old: Optional[str] = typer.Argument(None, help="Older version label (default: the version in force)."),
    new: Optional[str] = typer.Argument(None, help="Newer version label (default: the working handbook)."),
) -> None:
    """The rules added, changed and removed between two versions, as Markdown lists to paste into changelog.md."""
    from tracker.output.changelog import changelog_lists
    from tracker.records.handbook import queries as handbook_queries

    c = context.backend(ctx)
    working = c.handbook() if new is None else None

    def read(session: "Session") -> tuple[list["RuleChange"], dict[str, str]]:
        _, _, changes = handbook_queries.diff(session, old, new, working)
        if working is not None:
            return changes, {rule.id: rule.page for rule in working.rules.values()}
        version = handbook_queries.get_version(session, new or "")
        return changes, {rule.rule_id: rule.page for rule in handbook_queries.rules_of(session, version.id or 0)}

    changes, pages = c.read(read)
    say_document(changelog_lists(changes, pages).rstrip("\n"))
