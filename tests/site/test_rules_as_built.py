"""The rules the tracker reads are the rules the built site shows: the same IDs, and each rule's
text renders to what the site shows under its heading.

Hypothesis writes a page of Markdown from the constructs that fooled the old line scanner (and a
rule heading that shows its ID, as the handbook's do, whose title is read without it): a rule
heading inside an HTML comment (invisible on the site, so no rule), a setext heading (a rule on the
site, so a rule), headings in code fences and HTML blocks, comments inside a rule's text, and a
rule heading inside an admonition (which the tracker refuses, naming it: its text would not read
the same out of the box). The page is added to a copy of the project and built with
``mkdocs build --strict``; the tracker's parser reads the same copy.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.domain.handbook.parser import parse_handbook
from tracker.domain.handbook.rendering import site_markdown
from tracker.domain.handbook.source import read_mkdocs_config, source_from_config

WORDS = st.lists(
    st.sampled_from("staff greet every customer politely *always* answer kindly".split()), min_size=2, max_size=6
)
TEXT = WORDS.map(" ".join).map(lambda text: text[0].upper() + text[1:] + ".")
TITLE = WORDS.map(" ".join).map(lambda text: text.replace("*", "").strip().capitalize() or "Rule")


KINDS = ["atx", "atx-shown-id", "setext", "comment", "fence", "html", "inline-comment"]


@st.composite
def page(draw: Any, kinds: list[str] = KINDS) -> tuple[str, set[str], set[str]]:
    """(Markdown, the IDs the site must show as rules, IDs of rules inside an admonition)."""
    blocks, shown, boxed = ["# Generated rules", "", draw(TEXT), ""], set(), set()
    for number in range(1, draw(st.integers(2, 7)) + 1):
        rule = f"ZZZ-{number:02d}"
        kind = draw(st.sampled_from(kinds))
        title, text = draw(TITLE), draw(TEXT)
        if kind == "atx":
            blocks += [f"## {title} {{#{rule}}}", "", text]
            shown.add(rule)
        elif kind == "atx-shown-id":  # the heading shows the ID, as the handbook's do
            blocks += [f'## <span class="rule-id">{rule}</span> · {title} {{#{rule}}}', "", text]
            shown.add(rule)
        elif kind == "setext":
            heading = f"{title} {{#{rule}}}"
            blocks += [heading, "-" * len(heading), "", text]
            shown.add(rule)
        elif kind == "comment":
            blocks += ["<!--", f"## {title} {{#{rule}}}", "", text, "-->"]
        elif kind == "fence":
            blocks += ["```text", f"## {title} {{#{rule}}}", "```"]
        elif kind == "html":
            blocks += ["<div>", f"## {title} {{#{rule}}}", "</div>"]
        elif kind == "admonition":
            blocks += ["!!! note", "", f"    ## {title} {{#{rule}}}", "", f"    {text}"]
            boxed.add(rule)
        else:
            blocks += [f"## {title} {{#{rule}}}", "", f"{text} <!-- not shown: {draw(TEXT)} --> {draw(TEXT)}"]
            shown.add(rule)
        blocks.append("")
    return "\n".join(blocks) + "\n", shown, boxed


class _Text(HTMLParser):
    """The text a reader sees: tags dropped, the headings' permalink marks left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip or (tag == "a" and "headerlink" in (dict(attrs).get("class") or "")):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if self._skip and tag == "a":
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def seen(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join("".join(parser.parts).split())


def site_sections(html: str) -> dict[str, tuple[str, str]]:
    """Each rule heading's id on the built page, and the heading and text the site shows."""
    article = html[html.index('<article class="md-content__inner md-typeset">') :]
    article = article[: article.index("</article>")]
    heads = list(re.finditer(r'<h2 id="(ZZZ-\d\d)"[^>]*>.*?</h2>', article, re.DOTALL))
    sections = {}
    for head in heads:
        end = re.compile(r"<h[12][ >]").search(article, head.end())
        stop = end.start() if end else len(article)
        sections[head.group(1)] = (seen(head.group(0)), seen(article[head.end() : stop]))
    return sections


def _project(site_tools: Any, folder: Path, markdown_text: str) -> Path:
    """A copy of the project with the generated page in its nav; its mkdocs.yml."""
    config_file = site_tools.copy_project(folder)
    config_text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        config_text.replace(
            "  - Changelog: changelog.md\n", "  - Changelog: changelog.md\n  - Generated: generated.md\n"
        ),
        encoding="utf-8",
    )
    docs = folder / str(read_mkdocs_config(config_file).get("docs_dir"))
    (docs / "generated.md").write_text(markdown_text, encoding="utf-8")
    return config_file


@pytest.mark.slow
@pytest.mark.timeout(600)  # a few site builds, and more while hypothesis shrinks a failure
def test_the_parser_reads_the_rules_the_built_site_shows(site_tools: Any, tmp_path_factory: Any) -> None:
    @settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(page())
    def check(generated: tuple[str, set[str], set[str]]) -> None:
        markdown_text, shown, _ = generated
        project = tmp_path_factory.mktemp("generated")
        config_file = _project(site_tools, project, markdown_text)
        handbook, problems = parse_handbook(source_from_config(config_file))
        assert problems == [], problems
        assert handbook is not None

        site_dir = project / "site"
        build = site_tools.run_build(site_tools.mkdocs_command(config_file, site_dir), site_dir, project)
        assert build.returncode == 0, build.describe()
        sections = site_sections((site_dir / "generated.html").read_text(encoding="utf-8"))

        parsed = {rule_id for rule_id in handbook.rules if rule_id.startswith("ZZZ-")}
        assert parsed == set(sections), "the tracker and the site disagree on what is a rule"
        assert parsed == shown, "the generated page did not exercise what it meant to"
        md = site_markdown(read_mkdocs_config(config_file).get("markdown_extensions"))
        for rule_id in parsed:
            md.reset()
            heading, body = sections[rule_id]
            rule = handbook.rules[rule_id]
            assert seen(md.convert(rule.text)) == body, rule_id
            # The title the tracker reads is the heading the site shows, without the ID it may show.
            assert rule.title == heading.removeprefix(f"{rule_id} · "), (rule_id, heading)
            assert "not shown" not in handbook.rules[rule_id].text

    check()


def test_a_rule_inside_an_admonition_is_refused_by_name(site_tools: Any, tmp_path_factory: Any) -> None:
    """The site shows it as a heading inside the box; out of the box its indented text would read
    as code, so the tracker names it rather than publish something else."""

    @settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(page([*KINDS, "admonition"]).filter(lambda generated: bool(generated[2])))
    def check(generated: tuple[str, set[str], set[str]]) -> None:
        markdown_text, _, boxed = generated
        config_file = _project(site_tools, tmp_path_factory.mktemp("boxed"), markdown_text)
        handbook, problems = parse_handbook(source_from_config(config_file))
        assert handbook is None
        for rule in boxed:
            assert any(
                rule in str(problem) and "generated.md" in str(problem) and "indented block" in str(problem)
                for problem in problems
            ), problems

    check()
