"""Hostile Markdown for the handbook parser.

Whatever an editor (or a bad merge) puts in the pages, ``parse_handbook``
returns either ``(handbook, [])`` or ``(None, problems)`` where every problem
names a file, a line (>= 0, inside that file) and a one-line message. It never
raises, and ``load_handbook`` raises only ``HandbookError``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ROOT
from tests.domain.editing import MINI_CHANGELOG, MINI_RULES, write_mini
from tests.hostile.conftest import FORMULAS, hyp
from tracker.domain.errors import HandbookError
from tracker.domain.handbook.model import Handbook
from tracker.domain.handbook.parser import Problem, load_handbook, parse_handbook
from tracker.domain.handbook.source import HandbookSource, source_from_config

EXAMPLES = 60


def check_outcome(source: HandbookSource) -> tuple[Handbook | None, list[Problem]]:
    """The contract: a handbook and no problems, or no handbook and located problems."""
    outcome = parse_handbook(source)
    assert isinstance(outcome, tuple) and len(outcome) == 2
    handbook, problems = outcome
    if handbook is not None:
        assert problems == []
        assert isinstance(handbook, Handbook)
        assert handbook.rules and handbook.channels and len(handbook.ladder) >= 2
        assert handbook.ladder[-1].follow_up is None
        assert all(rule.text.strip() and rule.title for rule in handbook.rules.values())
        assert all(channel.target.seconds > 0 for channel in handbook.channels.values())
        assert len(handbook.content_hash) == 64
    else:
        assert problems, "no handbook and no problem to show"
        pages = {path.relative_to(source.docs_dir).as_posix(): path for path in source.docs_dir.rglob("*.md")}
        for problem in problems:
            assert isinstance(problem, Problem)
            assert isinstance(problem.file, str) and problem.file.strip(), problem
            assert isinstance(problem.line, int) and problem.line >= 0, problem
            assert isinstance(problem.message, str) and problem.message.strip(), problem
            assert "\n" not in problem.message and "\r" not in problem.message, problem
            if problem.file in pages:
                lines = pages[problem.file].read_bytes().decode("utf-8", errors="replace").splitlines()
                assert problem.line <= len(lines) + 1, (problem, len(lines))
            assert "Traceback" not in str(problem)
    # load_handbook agrees, and fails only with the tracker's own error
    if handbook is None:
        with pytest.raises(HandbookError) as caught:
            load_handbook(source)
        assert caught.value.problems == problems
    else:
        assert load_handbook(source).content_hash == handbook.content_hash
    return handbook, problems


# --- hostile pieces of Markdown ---------------------------------------------------------

SNIPPETS = [
    "## Duplicate rule {#CON-01}\n\nSome text.\n",
    "## Lower-case id {#con-01}\n\nText.\n",
    "## Malformed id {#CON-1}\n\nText.\n",
    "## Malformed id {#CONX-01}\n\nText.\n",
    "### Too deep {#CON-77}\n\nText.\n",
    "## {#CON-78}\n\nText.\n",
    "## No text {#CON-79}\n",
    '## Attr list {: #CON-80 .class data-x="{y}" }\n\nText.\n',
    "# Title only\n",
    "####### seven hashes\n",
    "##\n",
    "## Trailing hashes ## {#CON-81} ###\n\nText.\n",
    "```\nunterminated fence\n",
    "~~~~\n## Inside a fence {#CON-82}\n~~~\n",
    "    ## indented code {#CON-83}\n",
    "---\ntags: [a\n---\n",
    "---\ntags: 3\n---\n",
    "---\ndate: 2026-02-30\n---\n",
    "| Code | Channel | First-response target |\n|---|---|---|\n| fax | Fax | 0 minutes |\n",
    "| Code | Channel | First-response target |\n|---|---|---|\n| FAX | Fax | 2 minutes |\n| fax | | 1 day |\n",
    "| Code | Channel | First-response target |\n|---|---|---|\n| fax | Fax | 999999 weeks |\n",
    "| Code | Channel | First-response target |\n|---|---|---|\n| fax | Fax | 12 months |\n",
    "| Step | Level | Code | Follow-up within |\n|---|---|---|---|\n| 1 | Talk | talk | — |\n",
    "| Step | Level | Code | Follow-up within |\n|---|---|---|---|\n| 2 | Talk | talk | 1 day |\n| x | y | z |\n",
    "| Standard | Value |\n|---|---|\n| Look-back window | 12 fortnights |\n| Look-back window | 1 day |\n",
    "| Standard | Value |\n|---|---|\n| Sign-off grace period | -1 days |\n",
    "| a \\| b | c |\n|:---:|---:|\n| \\| | \\\\| |\n",
    "|---|\n|---|\n",
    "[link](conduct.md#XYZ-99)\n",
    "[link](speed.md#CON-01)\n",
    "[link](../../../etc/passwd#CON-01)\n",
    '[link](<conduct.md#CON-01> "title")\n',
    "[x](#)\n[y](#A)\n[z](http://example.invalid/#CON-01)\n",
    "`[in code](conduct.md#XYZ-98)`\n",
    "\ufeff# BOM in the middle\n",
    "\u2028line separator\u2029paragraph separator\x85next line\n",
    "\r\n\r\n\r",
    "\t\t## tab-indented heading {#CON-84}\n",
    "## " + "#" * 1_000 + " {#CON-85}\n\nText.\n",
    "## " + " #" * 3_000 + "\n",
    "| " + "| " * 3_000 + "\n" + "|---" * 3_000 + "|\n",
    "{" * 2_000 + "\n",
    "## Ünïcödé 规则 {#CON-86}\n\n" + "Ω" * 10_000 + "\n",
    *(f"## Formula {cell} {{#CON-87}}\n\n{cell}\n" for cell in FORMULAS),
]
PRINTABLE_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


def markdown_piece() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(SNIPPETS), PRINTABLE_TEXT)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    body = draw(
        st.one_of(
            st.sampled_from(["tags: [test]", "tags:\n  - a\n  - b", 'title: "=cmd()"', "a: &x [*x, *x]"]),
            # the wrong shape
            st.sampled_from(["tags: 3", "tags: {a: 1}", "tags: [a, [b, c], {d: e}]", "tags", ": :", "? [a, b]\n: c"]),
            # not YAML
            st.sampled_from(["[unclosed", "tags: !!python/name:os.system", "tags: !!binary xx", "\t tabs: 1"]),
            # YAML whose values cannot be built: impossible dates and times, bad explicit types, deep nesting
            st.sampled_from(
                [
                    "date: 2026-02-30",
                    "date: 2026-13-01",
                    "when: 2026-01-01 25:00:00",
                    "n: !!int xyz",
                    "n: !!float abc",
                    "tags: " + "[" * 200 + "]" * 200,
                    "tags: " + "[" * 1_000,
                ]
            ),
            PRINTABLE_TEXT,
        )
    )
    closing = draw(st.sampled_from(["---", "...", "--- ", ""]))
    return f"---\n{body}\n{closing}\n"


@st.composite
def page(draw: st.DrawFn) -> str:
    parts = [draw(front_matter())] if draw(st.integers(0, 3)) else []
    parts += draw(st.lists(markdown_piece(), max_size=6))
    return "\n".join(parts)


# --- a small valid handbook with a generated page beside (or instead of) its rules ------


@pytest.fixture
def mini(tmp_path: Path) -> HandbookSource:
    return write_mini(tmp_path / "mini")


def test_the_mini_handbook_is_valid(mini: HandbookSource) -> None:
    handbook, problems = check_outcome(mini)
    assert handbook is not None, problems


def test_arbitrary_text_as_an_extra_page(mini: HandbookSource) -> None:
    extra = mini.docs_dir / "extra.md"

    @hyp(EXAMPLES)
    @given(st.text(max_size=2_000))
    def run(text: str) -> None:
        extra.write_text(text, encoding="utf-8")
        check_outcome(mini)

    run()


def test_generated_pages_with_hostile_structure(mini: HandbookSource) -> None:
    rules = mini.docs_dir / "rules.md"
    extra = mini.docs_dir / "nested" / "extra.md"
    extra.parent.mkdir()

    @hyp(EXAMPLES)
    @given(page(), st.sampled_from(["beside", "instead", "appended"]))
    def run(text: str, where: str) -> None:
        rules.write_text(
            MINI_RULES + text if where == "appended" else (text if where == "instead" else MINI_RULES), encoding="utf-8"
        )
        extra.write_text(text if where == "beside" else "", encoding="utf-8")
        check_outcome(mini)

    run()


def test_arbitrary_bytes_as_a_page(mini: HandbookSource) -> None:
    extra = mini.docs_dir / "bytes.md"

    @hyp(30)
    @given(st.binary(max_size=500))
    def run(data: bytes) -> None:
        extra.write_bytes(data)
        check_outcome(mini)

    run()


def test_arbitrary_changelog(mini: HandbookSource) -> None:
    changelog = mini.docs_dir / "changelog.md"

    @hyp(30)
    @given(st.one_of(page(), st.sampled_from(["", "## 1.0\n", "## 1.0 {#v1-0}\n", "## 1.01\n", "## 0.9\n## 1.0\n"])))
    def run(text: str) -> None:
        changelog.write_text(text, encoding="utf-8")
        check_outcome(mini)

    run()


# --- the real handbook with random edits ------------------------------------------------


@pytest.fixture(scope="module")
def real_copy(tmp_path_factory: pytest.TempPathFactory) -> HandbookSource:
    dest = tmp_path_factory.mktemp("real")
    shutil.copyfile(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(ROOT / "handbook", dest / "handbook", ignore=shutil.ignore_patterns("assets"))
    return source_from_config(dest / "mkdocs.yml")


@st.composite
def edit(draw: st.DrawFn, pages: list[str]) -> tuple[str, str, int, int, str]:
    """(page, kind, line, how many lines, text): insert, delete or replace lines of one page."""
    name = draw(st.sampled_from(pages))
    kind = draw(st.sampled_from(["insert", "delete", "replace", "insert", "insert"]))
    line = draw(st.integers(0, 250))
    count = draw(st.integers(1, 12))
    text = draw(markdown_piece())
    return name, kind, line, count, text


def test_random_edits_to_the_real_handbook(real_copy: HandbookSource) -> None:
    originals = {path.name: path.read_text(encoding="utf-8") for path in real_copy.docs_dir.glob("*.md")}
    handbook, problems = check_outcome(real_copy)
    assert handbook is not None, problems

    @hyp(40)
    @given(st.lists(edit(sorted(originals)), min_size=1, max_size=3))
    def run(edits: list[tuple[str, str, int, int, str]]) -> None:
        try:
            for name, kind, line, count, text in edits:
                path = real_copy.docs_dir / name
                lines = path.read_text(encoding="utf-8").split("\n")
                at = min(line, len(lines))
                if kind == "insert":
                    lines[at:at] = text.split("\n")
                elif kind == "delete":
                    del lines[at : at + count]
                else:
                    lines[at : at + count] = text.split("\n")
                path.write_text("\n".join(lines), encoding="utf-8")
            check_outcome(real_copy)
        finally:
            for name, text in originals.items():
                (real_copy.docs_dir / name).write_text(text, encoding="utf-8")

    run()


# --- named hostile inputs -----------------------------------------------------------------

FRONT_MATTER_CASES = {
    "impossible date": "date: 2026-02-30",
    "impossible month": "reviewed: 2026-13-01",
    "impossible hour": "when: 2026-01-01 25:00:00",
    "bad !!int": "n: !!int xyz",
    "deep nesting": "tags: " + "[" * 1_000 + "]" * 1_000,
    "unclosed deep nesting": "tags: " + "[" * 1_000,
    "python tag": "tags: !!python/object/apply:os.system ['true']",
    "tags not a list": "tags: conduct",
}


@pytest.mark.parametrize("body", FRONT_MATTER_CASES.values(), ids=FRONT_MATTER_CASES.keys())
def test_hostile_front_matter_is_a_located_problem(mini: HandbookSource, body: str) -> None:
    (mini.docs_dir / "extra.md").write_text(f"---\n{body}\n---\n\n# Extra\n", encoding="utf-8")
    handbook, problems = check_outcome(mini)
    assert handbook is None
    assert any(problem.file == "extra.md" for problem in problems), problems


def test_a_long_heading_is_parsed_in_linear_time(tmp_path: Path) -> None:
    """A heading with a long run of spaces (or '#') before its last word. The heading
    pattern backtracks: 1,000 spaces take ~2 s, 2,000 ~14 s, 5,000 over three minutes. Run
    in a child process so a hang fails this test after a few seconds instead of stalling the suite."""
    source = write_mini(tmp_path / "mini")
    (source.docs_dir / "long.md").write_text(
        "# Long headings\n\n## Spaces" + " " * 2_000 + "end\n\n## Hashes " + "#" * 20_000 + " end\n", encoding="utf-8"
    )
    script = (
        "import sys; from tracker.domain.handbook.parser import parse_handbook; from tracker.domain.handbook.source import source_from_config; "
        "from pathlib import Path; parse_handbook(source_from_config(Path(sys.argv[1])))"
    )
    started = time.monotonic()
    try:
        subprocess.run([sys.executable, "-c", script, str(source.config)], check=True, timeout=3, cwd=ROOT)
    except subprocess.TimeoutExpired:
        pytest.fail("parsing a page with two long headings took more than 3 s (it should take milliseconds)")
    assert time.monotonic() - started < 3


def test_a_page_that_is_not_utf8(mini: HandbookSource) -> None:
    (mini.docs_dir / "latin.md").write_bytes("# Règles\n".encode("latin-1"))
    handbook, problems = check_outcome(mini)
    assert handbook is None
    assert [(p.file, p.line) for p in problems] == [("latin.md", 0)]


def test_a_missing_folder_and_a_missing_config(tmp_path: Path) -> None:
    check_outcome(HandbookSource(config=None, docs_dir=tmp_path / "nowhere"))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "rules.md").write_text(MINI_RULES, encoding="utf-8")
    (tmp_path / "docs" / "changelog.md").write_text(MINI_CHANGELOG, encoding="utf-8")
    handbook, problems = check_outcome(HandbookSource(config=None, docs_dir=tmp_path / "docs"))
    assert handbook is None and problems[0].line == 0
