"""What an export embeds reads back as exactly what was typed: Markdown tables (every report's
.md export, the printable employee file) and HTML, rendered by the library that builds the handbook
site (Python-Markdown) and parsed back cell by cell. A summary holding a carriage return used to end
its table row; ``|``, ``<b>``, ``[link](…)`` and ``*`` became a new cell, markup or a link."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from html import unescape
from html.parser import HTMLParser

import markdown
from hypothesis import given
from hypothesis import strategies as st

from tests.cli.conftest import Runner
from tests.hostile.conftest import hyp
from tracker.output.tables import markdown_table

# Printable text and every line break Markdown or a browser would honour; no control characters
# (refused where they enter) and no surrogates.
TEXT = (
    st.lists(
        st.one_of(
            st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=6),
            st.sampled_from(list("|\\`*_[]<>&~!{}#()-+.\r\n\u2028") + ["&amp;", "<b>", "](x)", "**", "~~"]),
        ),
        min_size=1,
        max_size=10,
    )
    .map("".join)
    .filter(lambda text: len(text.strip()) >= 3)
)


class Cells(HTMLParser):
    """The text of every table cell, row by row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_cells(html: str) -> list[list[str]]:
    parser = Cells()
    parser.feed(html)
    return parser.rows


def as_one_line(text: str) -> str:
    """What a table cell can hold of ``text``: its words, line breaks read as spaces."""
    return " ".join(text.split())


def rendered(markdown_text: str) -> str:
    return markdown.markdown(markdown_text, extensions=["tables"])


@hyp(150)
@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=4))
def test_a_markdown_report_reads_back_cell_for_cell(rows: list[tuple[str, str]]) -> None:
    text = markdown_table(["a", "b"], [{"a": a, "b": b} for a, b in rows], title="Report", note="A note")
    header, *body = table_cells(rendered(text))
    assert header == ["a", "b"]
    assert len(body) == len(rows), "a value ended its row or started another"
    for (a, b), cells in zip(rows, body):
        assert [as_one_line(cell) for cell in cells] == [as_one_line(a), as_one_line(b)]


def test_the_employee_file_reads_back_in_markdown_and_html(tracker: Runner) -> None:
    assert tracker("handbook", "publish").code == 0
    received = (datetime.now() - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M")
    numbers = (f"H-{n}" for n in itertools.count(1))

    @hyp(25)
    @given(TEXT, TEXT)
    def go(name: str, summary: str) -> None:
        number = next(numbers)
        added = tracker(
            "employees", "add", "--number", number, "--name", name, "--team", "Desk", "--hire-date", "2024-01-01"
        )
        if added.code != 0:  # refused where it entered (a line break in a name): one line, code 2
            assert added.code == 2 and added.err.startswith("error: --name:"), added.err
            name = "Plain Name"
            assert (
                tracker(
                    "employees",
                    "add",
                    "--number",
                    number,
                    "--name",
                    name,
                    "--team",
                    "Desk",
                    "--hire-date",
                    "2024-01-01",
                ).code
                == 0
            )
        logged = tracker(
            "complaints",
            "log",
            "--channel",
            "email",
            "--summary",
            summary,
            "--received-at",
            received,
            "--employee",
            number,
        )
        assert logged.code == 0, logged.err
        stored = tracker("complaints", "list", "--employee", number, "--format", "json").json()[0]["summary"]

        md = tracker("report", "employee", number)
        assert md.code == 0, md.err
        html_from_md = rendered(md.out)
        assert as_one_line(name) in as_one_line(_heading(html_from_md))
        _, *timeline = table_cells(html_from_md)
        assert len(timeline) == 1, "one complaint, one row"
        assert as_one_line(stored) in as_one_line(timeline[0][2])

        page = tracker("report", "employee", number, "--format", "html")
        assert page.code == 0, page.err
        _, *timeline = table_cells(page.out)
        assert len(timeline) == 1 and stored in timeline[0][2]

    go()


def test_an_employee_file_says_no_records_only_when_there_are_none(tracker: Runner) -> None:
    assert tracker("handbook", "publish").code == 0
    assert (
        tracker(
            "employees", "add", "--number", "E-1", "--name", "Ann Lee", "--team", "Desk", "--hire-date", "2024-01-01"
        ).code
        == 0
    )
    empty = tracker("report", "employee", "E-1").out
    assert "No records yet" in empty
    received = (datetime.now() - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M")
    assert (
        tracker(
            "complaints",
            "log",
            "--channel",
            "email",
            "--summary",
            "Slow reply",
            "--received-at",
            received,
            "--employee",
            "E-1",
        ).code
        == 0
    )
    one = tracker("report", "employee", "E-1").out
    assert "No records yet" not in one and "Slow reply" in one


def _heading(html: str) -> str:
    """The first heading's text, as a reader sees it (entities read)."""
    start = html.index("<h1>") + 4
    return unescape(html[start : html.index("</h1>")])
