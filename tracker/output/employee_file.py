"""Printable documents: the employee file as Markdown or standalone HTML.

The HTML carries its own stylesheet and no scripts or external links, so it
prints the same anywhere and can be filed as is.
"""

from __future__ import annotations

import html

from tracker.domain.timeutil import format_local
from tracker.domain.wording import plural
from tracker.output.tables import json_text, md_text
from tracker.reporting.employee_file import EmployeeFile


def record_counts(record: EmployeeFile) -> str:
    """'1 sign-off, 3 complaints, 0 corrective actions': the file's closing line, in both formats."""
    return ", ".join(
        (
            plural(len(record.signoffs), "sign-off"),
            plural(record.complaint_count, "complaint"),
            plural(len(record.actions), "corrective action"),
        )
    )


def employee_file_markdown(record: EmployeeFile) -> str:
    """Every value escaped (``md_text``): a summary cannot end its table row, start a link or
    bring HTML into the printed file."""
    timeline = record.timeline()
    lines = [
        f"# Employee file: {md_text(record.name)} ({md_text(record.number)})",
        "",
        f"- Team: {md_text(record.team)}",
        f"- Hired: {record.hire_date}",
        f"- Status: {'active' if record.active else 'inactive'}",
        f"- Printed: {format_local(record.printed_at)}",
        "",
        "| Date | Record | Details |",
        "|---|---|---|",
    ]
    lines += [f"| {day} | {md_text(kind)} | {md_text(text)} |" for day, kind, text in timeline]
    if not timeline:
        lines.append("| — | — | No records yet |")
    lines += [
        "",
        f"{record_counts(record)}.",
    ]
    return "\n".join(lines) + "\n"


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.4em; margin-bottom: .2em; }
table { border-collapse: collapse; width: 100%; font-size: .9em; }
th, td { border: 1px solid #999; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #eee; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2em 1em; }
dt { font-weight: bold; }
@media print { body { margin: 0; } }
"""


def employee_file_html(record: EmployeeFile) -> str:
    esc = html.escape
    rows = (
        "\n".join(
            f"<tr><td>{day}</td><td>{esc(kind)}</td><td>{esc(text)}</td></tr>" for day, kind, text in record.timeline()
        )
        or '<tr><td colspan="3">No records yet</td></tr>'
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Employee file: {esc(record.name)} ({esc(record.number)})</title>
<style>{_STYLE}</style></head>
<body>
<h1>Employee file: {esc(record.name)} ({esc(record.number)})</h1>
<dl><dt>Team</dt><dd>{esc(record.team)}</dd><dt>Hired</dt><dd>{record.hire_date}</dd>
<dt>Status</dt><dd>{"active" if record.active else "inactive"}</dd><dt>Printed</dt><dd>{esc(format_local(record.printed_at))}</dd></dl>
<table><thead><tr><th>Date</th><th>Record</th><th>Details</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<p>{record_counts(record)}.</p>
</body></html>
"""


def employee_file_dict(record: EmployeeFile) -> dict[str, object]:
    return {
        "number": record.number,
        "name": record.name,
        "team": record.team,
        "hire_date": record.hire_date.isoformat(),
        "active": record.active,
        "printed_at": record.printed_at.isoformat(),
        "signoffs": [
            {
                "id": s.signoff.id,
                "version": s.version_label,
                "signed_on": s.signoff.signed_on.isoformat(),
                "method": s.signoff.method,
                "filing_ref": s.signoff.filing_ref,
                "printed_name": s.signoff.printed_name,
                "meaning": s.signoff.meaning,
                "valid": s.valid,
                "revoked_reason": s.revocation.reason if s.revocation else None,
            }
            for s in record.signoffs
        ],
        "complaints": [c.as_dict(redact=True) for c in record.complaints],
        "actions": [a.as_dict() for a in record.actions],
        "timeline": [{"date": d.isoformat(), "kind": k, "text": t} for d, k, t in record.timeline()],
    }


# The formats the employee file is written in, by file extension.
FORMATS: dict[str, str] = {".html": "html", ".md": "md", ".json": "json"}


def render_employee_file(record: EmployeeFile, fmt: str) -> str:
    """The employee file as ``fmt`` (one of ``FORMATS``' values)."""
    if fmt == "html":
        return employee_file_html(record)
    if fmt == "json":
        return json_text(employee_file_dict(record))
    return employee_file_markdown(record)
