"""``tracker report``: compliance and service reports, and the employee file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer

from tracker.cli import context
from tracker.cli.output import Format, PrintFormat, emit, say, say_document, say_json
from tracker.domain.errors import InputError
from tracker.domain.timeutil import DateRange, parse_range, today

if TYPE_CHECKING:
    from tracker.reporting.service import ServiceFigures

app = typer.Typer(
    help="Reports: sign-off compliance, first-response attainment, complaints, actions, employee file.",
    no_args_is_help=True,
)


def _period(since: Optional[str], until: Optional[str], days: int) -> DateRange:
    return parse_range(since, until, default_days=days, today=today())


_FROM = typer.Option(None, "--from", help="First day, YYYY-MM-DD (default: 90 days before --to).")
_TO = typer.Option(None, "--to", help="Last day, YYYY-MM-DD (default: today).")


@app.command("compliance")
def compliance(
    ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv.")
) -> None:
    """Sign-off compliance by team for the current material handbook version."""
    from tracker.reporting.compliance import compliance_report

    c = context.backend(ctx)
    report = c.read(compliance_report)
    if fmt == Format.json:
        say_json({"version": report.version, "active": report.active, "signed": report.signed, "teams": report.rows()})
        return
    if fmt == Format.table:
        say(report.summary)
    emit(report.rows(), ["team", "active", "signed", "pending", "percent"], fmt, empty="No active employees.")


@app.command("first-response")
def first_response(
    ctx: typer.Context,
    since: Optional[str] = _FROM,
    until: Optional[str] = _TO,
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """First-response attainment by channel against the handbook's targets."""
    from tracker.reporting import complaint_reports

    c = context.backend(ctx)
    period = _period(since, until, 90)
    channels = c.read(lambda s: complaint_reports.first_response_attainment(s, period))
    if fmt == Format.table:
        rows = [r.as_row() for r in channels]
        say(f"Complaints received {period.start} to {period.end}.")
        emit(
            rows,
            [
                "channel",
                "target",
                "complaints",
                "within_target",
                "missed",
                "waiting",
                "attainment_percent",
                "mean_first_response",
            ],
            fmt,
        )
        return
    rows = [r.as_dict() for r in channels]
    emit(rows, list(rows[0]) if rows else ["channel"], fmt)


@app.command("complaints-by-rule")
def by_rule(
    ctx: typer.Context,
    since: Optional[str] = _FROM,
    until: Optional[str] = _TO,
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """How often each rule was cited in complaints."""
    from tracker.reporting import complaint_reports

    c = context.backend(ctx)
    period = _period(since, until, 90)
    rows = c.read(lambda s: complaint_reports.complaints_by_rule(s, period))
    emit(rows, ["rule", "title", "complaints"], fmt, empty="No complaint cited a rule in this period.")


@app.command("complaints-by-month")
def by_month(
    ctx: typer.Context,
    since: Optional[str] = _FROM,
    until: Optional[str] = _TO,
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """Complaints per month, with first-response targets missed and dismissals."""
    from tracker.reporting import complaint_reports

    c = context.backend(ctx)
    period = _period(since, until, 365)
    rows = c.read(lambda s: complaint_reports.complaints_by_month(s, period))
    emit(
        rows, ["month", "complaints", "first_response_missed", "dismissed"], fmt, empty="No complaints in this period."
    )


@app.command("actions")
def actions(
    ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv.")
) -> None:
    """Open corrective actions, with overdue follow-ups marked."""
    from tracker.reporting.actions import REPORT_FIELDS, action_rows

    day = today()
    emit(
        context.backend(ctx).read(lambda session: action_rows(session, day=day, state="open")),
        list(REPORT_FIELDS),
        fmt,
        empty="No open corrective actions.",
    )


@app.command("employee")
def employee(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="Employee number."),
    fmt: Optional[PrintFormat] = typer.Option(
        None, "--format", help="md (the default) or html to print and file, json for scripts, csv."
    ),
    output: Optional[str] = typer.Option(
        None,
        "--output",
        help="Write the file here, readable only by you; .md, .html or .json chooses the format "
        "(a shell redirect creates the file at your umask).",
    ),
    replace: bool = typer.Option(False, "--replace", help="With --output: replace a file already there."),
) -> None:
    """The employee's complete file in date order: sign-offs, complaints, actions, follow-ups."""
    from tracker.output.employee_file import FORMATS, employee_file_dict, render_employee_file
    from tracker.reporting import employee_file

    c = context.backend(ctx)
    if output is None:
        record = c.read(lambda s: employee_file.employee_file(s, number))
        if fmt in (PrintFormat.csv, PrintFormat.table):
            rows = [{"date": d, "kind": k, "text": t} for d, k, t in record.timeline()]
            emit(rows, ["date", "kind", "text"], fmt)
        elif fmt == PrintFormat.json:
            say_json(employee_file_dict(record))
        else:
            say_document(render_employee_file(record, (fmt or PrintFormat.md).value))
        return
    from tracker.output.files import export_path, write_export
    from tracker.output.tables import format_of

    path = export_path(output, None)
    chosen = format_of(path, FORMATS)  # as the app's export chooses it: by the file name
    if fmt is not None and fmt.value != chosen:
        raise InputError(
            "--format", f"'{fmt.value}' disagrees with the file name {path.name} ({chosen}); leave --format out"
        )
    record = c.read(lambda s: employee_file.employee_file(s, number))
    write_export(path, render_employee_file(record, chosen), replace=replace, how_to_replace="pass --replace")
    say(f"Wrote the file of {record.number} to {path} (readable only by you).")


@app.command("service")
def service(
    ctx: typer.Context,
    by: str = typer.Option("team", "--by", help="team, employee, channel, topic or week."),
    since: Optional[str] = _FROM,
    until: Optional[str] = _TO,
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """Are the speed standards kept? Imported contacts against each channel's targets, with sample sizes."""
    from tracker.reporting.service import GROUPINGS, PERIOD_DAYS, service_report

    if by not in GROUPINGS:
        raise InputError("--by", f"'{by}' is not one of {', '.join(GROUPINGS)}")
    c = context.backend(ctx)
    period = _period(since, until, PERIOD_DAYS)
    report = c.read(lambda s: service_report(s, by=by, period=period))
    smallest = report.smallest_sample
    rows = [g.as_dict(smallest) for g in [*report.groups, report.baseline]] if report.groups else []
    if fmt != Format.table:
        if fmt == Format.json:
            say_json(
                {
                    "by": by,
                    "from": period.start,
                    "to": period.end,
                    "handbook_version": report.version,
                    "fewest_contacts_for_a_rate": smallest,
                    "groups": rows[:-1],
                    "all_contacts": rows[-1] if rows else None,
                }
            )
        else:
            emit(rows, list(rows[0]) if rows else ["group"], fmt)
        return
    say(
        f"Contacts received {period.start} to {period.end}, by {by}, against handbook {report.version}'s "
        f"speed standards. A rate over fewer than {smallest} contacts is too few to judge. "
        "Rates beside the baseline of all contacts; nobody is judged on a number alone."
    )
    emit(
        [_service_row(group, smallest) for group in [*report.groups, report.baseline]] if report.groups else [],
        [
            "group",
            "contacts",
            "first_response_within_target",
            "median_first_response",
            "p90_first_response",
            "response_time",
            "over_ceiling",
            "closed_unanswered",
            "waiting_past_target",
        ],
        fmt,
        empty="No contacts in this period. Import some with: tracker contacts import FILE --from PROFILE",
    )


def _service_row(group: "ServiceFigures", smallest: int) -> dict[str, object]:
    from tracker.domain.periods import format_seconds

    rate = group.attainment(smallest)
    attainment = f"too few to judge (n={group.decided})" if rate is None else f"{rate:.1f}% of {group.decided}"
    return {
        "group": group.group,
        "contacts": group.contacts,
        "first_response_within_target": attainment,
        "median_first_response": format_seconds(group.median_first),
        "p90_first_response": format_seconds(group.p90_first),
        "response_time": f"{format_seconds(group.response_time)} (n={group.replies})",
        "over_ceiling": f"{group.over_ceiling} of {group.with_aim}",
        "closed_unanswered": group.closed_unanswered,
        "waiting_past_target": group.waiting_late,
    }
