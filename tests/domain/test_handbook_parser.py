"""The rule registry: what the tracker reads from the handbook employees read."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import ROOT
from tests.domain.editing import copy_handbook, edit, line_of, relabel, write_mini
from tracker.domain.business_time import elapsed
from tracker.domain.errors import HandbookError
from tracker.domain.handbook.diff import diff_rules
from tracker.domain.handbook.model import Handbook
from tracker.domain.handbook.parser import Problem, load_handbook, parse_handbook
from tracker.domain.handbook.source import HandbookSource, source_from_path
from tracker.domain.periods import Period

# Every rule ID and title in the handbook, as employees read them.
EXPECTED_RULES = {
    "ACK-01": "Sign within 14 days",
    "VAL-01": "Use common sense",
    "VAL-02": "Be honest and act with integrity",
    "VAL-03": "Be disciplined",
    "VAL-04": "See issues through",
    "VAL-05": "Be flexible, empathetic and keep learning",
    "CON-01": "Never argue with a customer",
    "CON-02": "Greet every customer, never ignore one",
    "CON-03": "No personal phone in front of customers",
    "CON-04": "Apologise for a bad experience",
    "CON-05": "Never brush off a complaint",
    "CON-06": "Follow up when you said you would",
    "CON-07": "Hand work over in writing",
    "CON-08": "Answer urgent cases immediately",
    "CON-09": "Use your judgement when no rule fits",
    "SPD-01": "Give a first response within the channel target",
    "SPD-02": "An automatic reply is not a first response",
    "SPD-03": "Measure response time across the whole conversation",
    "SPD-04": "Keep the response time within the channel's aim",
    "SPD-05": "Keep the queue current",
    "SPD-06": "Give each customer the time they need",
    "CMP-01": "Receive and record every complaint",
    "CMP-02": "Acknowledge within the channel target",
    "CMP-03": "Assess the complaint",
    "CMP-04": "Investigate and hear the employee's side",
    "CMP-05": "Answer the customer and record the resolution",
    "CMP-06": "Dismiss a complaint only with a written reason",
    "CMP-07": "Close the complaint and learn from it",
    "ACT-01": "The corrective-action ladder",
    "ACT-02": "Count earlier steps only within the look-back window",
    "ACT-03": "Skip steps only for gross misconduct",
    "ACT-04": "Set a follow-up date and record the outcome",
    "ACT-05": "Close an action only with an effectiveness check",
    "ACT-06": "Your right to respond",
}
PAGE_OF_PREFIX = {
    "ACK": "index.md",
    "VAL": "values.md",
    "CON": "conduct.md",
    "SPD": "speed.md",
    "CMP": "complaints.md",
    "ACT": "corrective-action.md",
}


# --- the real handbook --------------------------------------------------------


def test_every_rule_is_parsed_with_its_title_and_page(handbook: Handbook) -> None:
    assert {rule_id: rule.title for rule_id, rule in handbook.rules.items()} == EXPECTED_RULES
    for rule in handbook.rules.values():
        assert rule.page == PAGE_OF_PREFIX[rule.id[:3]], rule.id
        assert rule.text.strip(), rule.id


def test_rule_text_is_the_content_under_its_heading(handbook: Handbook) -> None:
    con01 = handbook.rules["CON-01"]
    assert con01.text.startswith("Never argue with a customer, under any circumstances")
    assert con01.text.rstrip().endswith('what I can do."')
    # The next rule's heading and text are not part of it.
    assert "Greet every customer" not in con01.text
    # Prose after the last rule of a page (a lower-case section) is not part of the rule.
    assert "What the company commits to" not in handbook.rules["SPD-06"].text


def test_rules_carry_their_page_tags(handbook: Handbook) -> None:
    assert "conduct" in handbook.rules["CON-01"].tags
    assert "speed" in handbook.rules["SPD-01"].tags


def test_channels_and_first_response_targets(handbook: Handbook) -> None:
    targets = {code: (channel.name, channel.target) for code, channel in handbook.channels.items()}
    assert targets == {
        "chat": ("Live chat", Period(2, "minutes")),
        "phone": ("Phone", Period(2, "minutes")),
        "counter": ("At the counter", Period(1, "minutes")),
        "social": ("Social media", Period(60, "minutes")),
        "email": ("Email and web form", Period(24, "hours")),
    }
    assert handbook.channels["chat"].target.seconds == 120
    assert handbook.channels["social"].target.seconds == 3600
    assert handbook.channels["email"].target.seconds == 86400


def test_the_speed_pages_worked_example_holds_on_its_own_opening_hours(handbook: Handbook) -> None:
    # "a chat that arrives at 16:59 on a Saturday and is answered at 08:01 on Monday waited two minutes"
    assert handbook.hours is not None
    london = ZoneInfo("Europe/London")
    arrived = datetime(2026, 1, 10, 16, 59, tzinfo=london).astimezone(timezone.utc)
    answered = datetime(2026, 1, 12, 8, 1, tzinfo=london).astimezone(timezone.utc)
    assert elapsed(arrived, answered, handbook.hours) == timedelta(minutes=2)
    assert "16:59 on a Saturday" in (ROOT / "handbook" / "speed.md").read_text(encoding="utf-8")


def test_ladder_levels_in_order_with_follow_ups(handbook: Handbook) -> None:
    ladder = [(level.step, level.code, level.name, level.follow_up) for level in handbook.ladder]
    assert ladder == [
        (1, "coaching", "Coaching conversation", Period(30, "days")),
        (2, "verbal", "Verbal warning", Period(30, "days")),
        (3, "written", "Written warning", Period(60, "days")),
        (4, "final", "Final written warning", Period(90, "days")),
        (5, "dismissal", "Dismissal", None),
    ]
    assert handbook.ladder[-1].code == "dismissal"
    assert handbook.standards.level("written").step == 3


def test_look_back_window_grace_period_and_label(handbook: Handbook) -> None:
    assert handbook.look_back == Period(12, "months")
    assert handbook.grace_period == Period(14, "days")
    assert handbook.label == "2026.2"  # extra.handbook_version in mkdocs.yml
    assert len(handbook.content_hash) == 64


def test_the_real_handbook_has_no_problems(handbook_source: HandbookSource) -> None:
    handbook, problems = parse_handbook(handbook_source)
    assert problems == []
    assert handbook is not None


def test_handbook_found_from_its_folder_or_pages_folder() -> None:
    for path in (ROOT, ROOT / "mkdocs.yml", ROOT / "handbook"):
        source = source_from_path(path)
        assert source.config == ROOT / "mkdocs.yml"
        assert source.docs_dir.resolve() == (ROOT / "handbook").resolve()


# --- the content hash -----------------------------------------------------------


@pytest.fixture
def copy(tmp_path: Path) -> HandbookSource:
    return copy_handbook(tmp_path / "copy")


def test_copy_hashes_like_the_original(copy: HandbookSource, handbook: Handbook) -> None:
    assert load_handbook(copy).content_hash == handbook.content_hash


def test_content_hash_changes_when_a_rule_text_changes(copy: HandbookSource, handbook: Handbook) -> None:
    edit(copy, "conduct.md", "winning the point loses the customer.", "winning the point loses the customer for good.")
    edited = load_handbook(copy)
    assert edited.content_hash != handbook.content_hash
    changed = [rule_id for rule_id in handbook.rules if edited.rules[rule_id].hash != handbook.rules[rule_id].hash]
    assert changed == ["CON-01"]


def test_content_hash_changes_when_a_rule_title_changes(copy: HandbookSource, handbook: Handbook) -> None:
    edit(copy, "conduct.md", "Never argue with a customer {#CON-01}", "Never argue with customers {#CON-01}")
    assert load_handbook(copy).content_hash != handbook.content_hash


def test_content_hash_changes_when_a_target_changes(copy: HandbookSource, handbook: Handbook) -> None:
    edit(copy, "speed.md", "| Social media | 60 minutes |", "| Social media | 30 minutes |")
    edited = load_handbook(copy)
    assert edited.channels["social"].target == Period(30, "minutes")
    assert edited.content_hash != handbook.content_hash


def test_guidance_is_marked_not_citable_and_every_rule_that_can_be_broken_is_citable(handbook: Handbook) -> None:
    """Issue 10: values, definitions and supervisors' procedures carry IDs but cannot be breached."""
    not_citable = {rule_id for rule_id, rule in handbook.rules.items() if not rule.citable}
    assert not_citable == {f"VAL-0{n}" for n in range(1, 6)} | {f"CMP-0{n}" for n in range(1, 8)} | {
        f"ACT-0{n}" for n in range(1, 7)
    } | {"SPD-03"}
    assert handbook.standards.not_citable == frozenset(not_citable)
    assert handbook.rules["VAL-01"].title == "Use common sense"  # the class is not part of the title


def test_making_a_rule_not_citable_changes_that_rule_only(copy: HandbookSource, handbook: Handbook) -> None:
    edit(
        copy,
        "conduct.md",
        "Never argue with a customer {#CON-01}",
        "Never argue with a customer {#CON-01 .not-citable}",
    )
    edited = load_handbook(copy)
    assert not edited.rules["CON-01"].citable
    changed = [rule_id for rule_id in handbook.rules if edited.rules[rule_id].hash != handbook.rules[rule_id].hash]
    assert changed == ["CON-01"]
    assert edited.rules["CON-01"].text == handbook.rules["CON-01"].text


def test_whitespace_only_changes_keep_the_hash(copy: HandbookSource, handbook: Handbook) -> None:
    # Re-wrap a paragraph, double a space, add trailing spaces and blank lines.
    edit(
        copy,
        "conduct.md",
        "Never argue with a customer, under any circumstances, on any channel. Even when\n",
        "Never  argue with a customer,\nunder any circumstances, on any channel.   Even when\n\n",
    )
    edit(
        copy,
        "speed.md",
        "Every customer gets a first response from a person within the target for the\n",
        "Every customer gets a first response from a person within the target for the   \n",
    )
    edited = load_handbook(copy)
    assert edited.rules["CON-01"].text != handbook.rules["CON-01"].text  # the Markdown did change
    assert edited.content_hash == handbook.content_hash


def test_non_rule_prose_changes_keep_the_hash(copy: HandbookSource, handbook: Handbook) -> None:
    # The page introduction, a lower-case section right after a rule, and a whole non-rule page.
    edit(
        copy,
        "conduct.md",
        "These rules describe how you treat customers",
        "These rules explain how you treat customers",
    )
    edit(
        copy,
        "speed.md",
        "## What the company commits to {#our-commitments}\n",
        "## What the company commits to {#our-commitments}\n\nA new paragraph of explanation.\n",
    )
    measures = copy.docs_dir / "measures.md"
    measures.write_text(measures.read_text(encoding="utf-8") + "\nOne more worked example.\n", encoding="utf-8")
    assert load_handbook(copy).content_hash == handbook.content_hash


def test_version_label_comes_from_mkdocs_yml(copy: HandbookSource, handbook: Handbook) -> None:
    relabel(copy, "2027.1")
    relabelled = load_handbook(copy)
    assert relabelled.label == "2027.1"
    assert relabelled.content_hash == handbook.content_hash  # the label is not rule text


def test_diff_rules_names_added_changed_and_removed() -> None:
    old = {"CON-01": ("Argue", "h1"), "CON-02": ("Greet", "h2"), "CON-03": ("Phone", "h3")}
    new = {"CON-01": ("Argue", "h1"), "CON-02": ("Greet", "h2b"), "CON-04": ("Apologise", "h4")}
    changes = [(c.rule_id, c.change, c.title) for c in diff_rules(old, new)]
    assert changes == [("CON-02", "changed", "Greet"), ("CON-03", "removed", "Phone"), ("CON-04", "added", "Apologise")]


# --- `handbook check` problems on a small broken handbook --------------------------


@pytest.fixture
def mini(tmp_path: Path) -> HandbookSource:
    return write_mini(tmp_path / "mini")


def _problems(source: HandbookSource) -> list[Problem]:
    handbook, problems = parse_handbook(source)
    assert handbook is None, "a handbook with problems must not be returned"
    return problems


def _replace(source: HandbookSource, page: str, old: str, new: str) -> Path:
    edit(source, page, old, new)
    return source.docs_dir / page


def test_the_small_handbook_is_valid(mini: HandbookSource) -> None:
    handbook = load_handbook(mini)
    assert set(handbook.rules) == {"CON-01", "SPD-01", "ACT-01", "ACT-02", "ACK-01"}
    assert [level.code for level in handbook.ladder] == ["coaching", "dismissal"]
    assert handbook.label == "1.0"


def test_duplicate_rule_id(mini: HandbookSource) -> None:
    (mini.docs_dir / "speed.md").write_text("# More\n\n## Be kind again {#CON-01}\n\nStill kind.\n", encoding="utf-8")
    first = line_of(mini.docs_dir / "rules.md", "{#CON-01}")
    assert _problems(mini) == [Problem("speed.md", 3, f"duplicate rule ID CON-01 (first used at rules.md:{first})")]


@pytest.mark.parametrize("bad_id", ["CON-1", "Con-02", "CONS-02", "CON_02"])
def test_malformed_rule_id(mini: HandbookSource, bad_id: str) -> None:
    page = _replace(mini, "rules.md", "## Be kind {#CON-01}", f"## Be kind {{#{bad_id}}}")
    problems = _problems(mini)
    assert len(problems) == 1
    assert (problems[0].file, problems[0].line) == ("rules.md", line_of(page, f"{{#{bad_id}}}"))
    assert problems[0].message.startswith(f"malformed rule ID '{bad_id}'")


def test_rule_without_text(mini: HandbookSource) -> None:
    page = _replace(
        mini, "rules.md", "## Be kind {#CON-01}\n\nNever argue with a customer.\n", "## Be kind {#CON-01}\n\n"
    )
    assert _problems(mini) == [Problem("rules.md", line_of(page, "{#CON-01}"), "rule CON-01 has no text")]


def test_channel_without_target(mini: HandbookSource) -> None:
    page = _replace(mini, "rules.md", "| email | Email | 24 hours |", "| email | Email |  |")
    assert _problems(mini) == [
        Problem("rules.md", line_of(page, "| email | Email |"), "channel 'email' has no first-response target")
    ]


def test_unparseable_channel_target(mini: HandbookSource) -> None:
    page = _replace(mini, "rules.md", "| email | Email | 24 hours |", "| email | Email | 2 fortnights |")
    problems = _problems(mini)
    assert len(problems) == 1
    assert (problems[0].file, problems[0].line) == ("rules.md", line_of(page, "| email |"))
    assert "channel 'email' target" in problems[0].message and "fortnights" in problems[0].message


def test_unparseable_ladder_follow_up(mini: HandbookSource) -> None:
    page = _replace(mini, "rules.md", "| coaching | 30 days |", "| coaching | thirty days |")
    problems = _problems(mini)
    assert len(problems) == 1
    assert (problems[0].file, problems[0].line) == ("rules.md", line_of(page, "| coaching |"))
    assert "ladder level 'coaching' follow-up" in problems[0].message and "thirty days" in problems[0].message


def test_unparseable_standard(mini: HandbookSource) -> None:
    page = _replace(mini, "rules.md", "| Look-back window | 12 months |", "| Look-back window | a year |")
    problems = _problems(mini)
    line = line_of(page, "| Look-back window |")
    assert Problem("rules.md", line, problems[0].message) == problems[0]
    assert "standard 'Look-back window'" in problems[0].message
    # Without a readable value the window is missing as well.
    assert any("Look-back window" in p.message and p.line == 0 for p in problems[1:])


def test_link_to_a_rule_that_does_not_exist(mini: HandbookSource) -> None:
    page = _replace(mini, "rules.md", "See [the ladder](#ACT-01).", "See [the ladder](#CON-99).")
    assert _problems(mini) == [
        Problem("rules.md", line_of(page, "(#CON-99)"), "link to rule CON-99, which does not exist")
    ]


def test_link_to_a_rule_on_the_wrong_page(mini: HandbookSource) -> None:
    page = _replace(mini, "rules.md", "See [the ladder](#ACT-01).", "See [the ladder](changelog.md#ACT-01).")
    problems = _problems(mini)
    assert [(p.file, p.line) for p in problems] == [("rules.md", line_of(page, "changelog.md#ACT-01"))]
    assert "the rule is on rules.md" in problems[0].message


def test_link_inside_code_is_not_checked(mini: HandbookSource) -> None:
    _replace(mini, "rules.md", "See [the ladder](#ACT-01).", "Write links as `[x](#CON-99)`.\n\n```\n[y](#CON-98)\n```")
    assert load_handbook(mini).rules["ACK-01"]


def test_missing_channel_table(mini: HandbookSource) -> None:
    _replace(
        mini, "rules.md", "| Code | Channel | First-response target |", "| Code | Medium | First-response target |"
    )
    problems = _problems(mini)
    assert [(p.file, p.line) for p in problems] == [("docs", 0)]
    assert "no channel table" in problems[0].message


def test_the_ladder_reads_the_same_whatever_the_order_of_its_columns(mini: HandbookSource) -> None:
    """The page puts the codes last (issue 10: a code column first pushed the level off a phone's
    screen); the parser reads the columns by their names."""
    before = [(level.step, level.name, level.code, level.follow_up) for level in load_handbook(mini).ladder]
    page = _replace(
        mini, "rules.md", "| Step | Level | Code | Follow-up within |", "| Step | Level | Follow-up within | Code |"
    )
    text = page.read_text(encoding="utf-8")
    text = text.replace("| coaching | 30 days |", "| 30 days | coaching |").replace(
        "| dismissal | — |", "| — | dismissal |"
    )
    page.write_text(text, encoding="utf-8")
    after = [(level.step, level.name, level.code, level.follow_up) for level in load_handbook(mini).ladder]
    assert (
        after
        == before
        == [(1, "Coaching conversation", "coaching", Period(30, "days")), (2, "Dismissal", "dismissal", None)]
    )


def test_missing_ladder_table(mini: HandbookSource) -> None:
    _replace(
        mini, "rules.md", "| Step | Level | Code | Follow-up within |", "| Step | Name | Code | Follow-up within |"
    )
    problems = _problems(mini)
    assert [(p.file, p.line) for p in problems] == [("docs", 0)]
    assert "no ladder table" in problems[0].message


@pytest.mark.parametrize(
    "row, name",
    [
        ("| Look-back window | 12 months |", "Look-back window"),
        ("| Sign-off grace period | 14 days |", "Sign-off grace period"),
    ],
)
def test_missing_standard(mini: HandbookSource, row: str, name: str) -> None:
    _replace(mini, "rules.md", row + "\n", "")
    problems = _problems(mini)
    assert [(p.file, p.line) for p in problems] == [("docs", 0)]
    assert f"no '{name}' row" in problems[0].message


def test_changelog_label_mismatch(mini: HandbookSource) -> None:
    assert mini.config is not None
    mini.config.write_text(mini.config.read_text().replace('"1.0"', '"1.1"'), encoding="utf-8")
    changelog = mini.docs_dir / "changelog.md"
    assert _problems(mini) == [
        Problem(
            "changelog.md",
            line_of(changelog, "## 1.0"),
            "the newest changelog entry is '1.0', but mkdocs.yml says version 1.1",
        )
    ]


def test_missing_version_label(mini: HandbookSource) -> None:
    assert mini.config is not None
    mini.config.write_text(
        "site_name: Mini handbook\ndocs_dir: docs\nmarkdown_extensions: [attr_list]\n", encoding="utf-8"
    )
    problems = _problems(mini)
    assert [(p.file, p.line) for p in problems] == [(str(mini.config), 0)]
    assert "extra.handbook_version" in problems[0].message


def test_without_attr_list_the_site_shows_no_rule_ids(mini: HandbookSource) -> None:
    """MkDocs would print '{#CON-01}' as heading text: the editor is told why no rule was found."""
    assert mini.config is not None
    config = mini.config.read_text(encoding="utf-8").replace("  - attr_list\n", "")
    mini.config.write_text(config, encoding="utf-8")
    problems = _problems(mini)
    assert [p.message for p in problems if p.file == str(mini.config)] == [
        "the handbook has no rules: mkdocs.yml's markdown_extensions lacks attr_list, "
        "so the site shows no rule IDs ('## Title {#CON-01}')"
    ]


def test_a_rule_in_an_html_comment_is_no_rule(mini: HandbookSource) -> None:
    """The site does not show it, so nobody signs it."""
    _replace(
        mini,
        "rules.md",
        "## Be kind {#CON-01}",
        "<!--\n## Overtime without pay {#CON-99}\n\nWork late.\n-->\n\n## Be kind {#CON-01}",
    )
    handbook = load_handbook(mini)
    assert "CON-99" not in handbook.rules
    assert "Overtime" not in handbook.rules["ACT-02"].text + handbook.rules["CON-01"].text


def test_a_setext_rule_heading_is_a_rule(mini: HandbookSource) -> None:
    _replace(
        mini,
        "rules.md",
        "## Be kind {#CON-01}",
        "Greet in the customer's language {#CON-98}\n-----------------------------------------\n\nSay hello.\n\n"
        "## Be kind {#CON-01}",
    )
    rule = load_handbook(mini).rules["CON-98"]
    assert (rule.title, rule.text) == ("Greet in the customer's language", "Say hello.")


def test_comments_are_left_out_of_a_rules_text_and_table_rows_keep_their_lines(mini: HandbookSource) -> None:
    page = _replace(
        mini,
        "rules.md",
        "| Code | Channel | First-response target |",
        "Targets below. <!-- draft:\nphone targets pending -->\n\n| Code | Channel | First-response target |",
    )
    handbook = load_handbook(mini)
    assert "draft" not in handbook.rules["SPD-01"].text and "pending" not in handbook.rules["SPD-01"].text
    assert handbook.rules["SPD-01"].text.startswith("Targets below.")
    _replace(mini, "rules.md", "| email | Email | 24 hours |", "| email | Email | a day |")
    assert [p.line for p in _problems(mini)] == [line_of(page, "| email |")]


def test_a_rule_heading_in_a_fence_or_html_block_is_no_rule(mini: HandbookSource) -> None:
    _replace(
        mini,
        "rules.md",
        "## Be kind {#CON-01}",
        "```text\n## In code {#CON-97}\n```\n\n<div>\n## In HTML {#CON-96}\n</div>\n\n## Be kind {#CON-01}",
    )
    assert not {"CON-96", "CON-97"} & set(load_handbook(mini).rules)


def test_a_rule_inside_an_admonition_is_refused(mini: HandbookSource) -> None:
    page = _replace(
        mini,
        "rules.md",
        "## Be kind {#CON-01}",
        "!!! note\n\n    ## Boxed {#CON-95}\n\n    Text.\n\n## Be kind {#CON-01}",
    )
    config = mini.config
    assert config is not None
    config.write_text(config.read_text(encoding="utf-8").replace("  - tables\n", "  - tables\n  - admonition\n"))
    [problem] = _problems(mini)
    assert (problem.file, problem.line) == ("rules.md", line_of(page, "{#CON-95}"))
    assert problem.message.startswith("rule CON-95 is inside an indented block")


def test_rule_must_be_a_level_two_heading(mini: HandbookSource) -> None:
    page = _replace(mini, "rules.md", "## Be kind {#CON-01}", "### Be kind {#CON-01}")
    problems = _problems(mini)
    assert [(p.file, p.line) for p in problems] == [("rules.md", line_of(page, "{#CON-01}"))]
    assert "level-2 heading" in problems[0].message


def test_every_problem_is_reported_at_once(mini: HandbookSource) -> None:
    page = _replace(mini, "rules.md", "| email | Email | 24 hours |", "| email | Email | soon |")
    _replace(mini, "rules.md", "See [the ladder](#ACT-01).", "See [the ladder](#CON-77).")
    (mini.docs_dir / "more.md").write_text("## X {#SPD-1}\n\nText.\n", encoding="utf-8")
    problems = _problems(mini)
    assert {(p.file, p.line) for p in problems} == {
        ("rules.md", line_of(page, "| email |")),
        ("rules.md", line_of(page, "#CON-77")),
        ("more.md", 1),
    }
    with pytest.raises(HandbookError) as caught:
        load_handbook(mini)
    assert caught.value.problems == problems
    assert "and 2 more" in str(caught.value)


def test_problem_prints_as_file_colon_line() -> None:
    assert str(Problem("conduct.md", 39, "duplicate rule ID CON-01")) == "conduct.md:39: duplicate rule ID CON-01"
