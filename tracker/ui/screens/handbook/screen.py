"""The handbook: read and search the working handbook's rules, the published
versions, the differences between two versions, and publishing a new one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    DataTable,
    Input,
    Markdown,
    OptionList,
    Select,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.option_list import Option

from tracker.backend import error_message
from tracker.db.models import HandbookVersion
from tracker.domain.errors import HandbookError
from tracker.domain.handbook.diff import RuleChange, diff_rules
from tracker.domain.handbook.model import Handbook, Rule
from tracker.domain.timeutil import format_local
from tracker.domain.wording import plural
from tracker.records.handbook import queries as versions
from tracker.ui.requests import HandbookRequest, Request
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.screens.handbook.forms import describe_changes, publish_form
from tracker.ui.text import as_content, as_text, shown
from tracker.ui.widgets.form import FormDialog
from tracker.ui.widgets.text_input import TextInput
from tracker.ui.worker import run_db

if TYPE_CHECKING:
    from sqlmodel import Session

WORKING = "__working__"  # the "B" choice meaning the working handbook (not published)
_RULE_LINK = re.compile(r"#([A-Z]{3}-\d{2})$")
_ID_LIKE = re.compile(r"^[A-Za-z]{3}(-\d{0,2})?$")


def matches(rule: Rule, query: str) -> bool:
    """Every word of ``query`` is the start of the rule's ID or a whole word of its title or text."""
    words = query.split()
    haystack = f"{rule.title}\n{rule.text}"
    for word in words:
        if _ID_LIKE.match(word) and rule.id.lower().startswith(word.lower()):
            continue
        if not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", haystack, re.IGNORECASE):
            return False
    return True


def rule_markdown(rule: Rule) -> str:
    tags = f" · tags: {', '.join(rule.tags)}" if rule.tags else ""
    return shown(f"## {rule.id} {rule.title}\n\n*{rule.page}, line {rule.line}{tags}*\n\n{rule.text}\n")


@dataclass(frozen=True)
class Loaded:
    handbook: Handbook | None
    problems: list[str]
    versions: list[HandbookVersion]


class HandbookScreen(TrackerScreen):
    BINDINGS = [
        Binding("slash", "search", "Search"),
        Binding("1", "tab('rules')", "Rules"),
        Binding("2", "tab('versions')", "Versions"),
        Binding("3", "tab('compare')", "Compare"),
        Binding("P", "publish", "Publish"),
        Binding("f5", "refresh", "Reload"),
        Binding("escape", "focus_list", "List", show=False),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    def __init__(self) -> None:
        super().__init__()
        self.handbook: Handbook | None = None
        self.problems: list[str] = []
        self.versions: list[HandbookVersion] = []
        self.shown: list[Rule] = []
        self.pending_rule: str | None = None  # a rule asked for before the handbook was read

    def body(self) -> ComposeResult:
        yield Static("Handbook", classes="section-title")
        yield Static("Loading the handbook…", id="hb-status", classes="list-status")
        yield Static("", id="hb-problems", classes="empty-state")
        with TabbedContent(id="hb-tabs", initial="rules"):
            with TabPane("Rules (1)", id="rules"):
                yield TextInput(placeholder="Search: a rule ID (CON-01) or words (argue, phone)", id="rule-search")
                with Horizontal(id="rule-browser"):
                    yield OptionList(id="rule-list")
                    with VerticalScroll(id="rule-view"):
                        yield Markdown("", id="rule-text", open_links=False)
            with TabPane("Versions (2)", id="versions"):
                yield Static("", id="versions-status", classes="list-status")
                yield DataTable(id="versions-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Compare (3)", id="compare"):
                with Horizontal(classes="filters"):
                    yield Select([], id="diff-a", allow_blank=True, prompt="Version A")
                    yield Static("→", id="diff-arrow")
                    yield Select([], id="diff-b", allow_blank=True, prompt="Version B")
                yield Static("", id="diff-status", classes="list-status")
                yield DataTable(id="diff-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#hb-problems").display = False
        self.query_one("#versions-table", DataTable).add_columns("Label", "Published", "By", "Kind", "Content hash")
        self.query_one("#diff-table", DataTable).add_columns("Change", "Rule", "Title")
        self.action_refresh()
        self.query_one("#rule-list", OptionList).focus()
        request = self.take_pending_request()
        if request is not None:
            self.handle_request(request)

    # --- loading ---------------------------------------------------------------------

    def action_refresh(self) -> None:
        def load() -> Loaded:
            try:
                handbook, problems = self.backend.handbook(), []
            except HandbookError as exc:
                handbook, problems = None, [str(p) for p in exc.problems]
            return Loaded(handbook, problems, self.backend.read(versions.list_versions))

        run_db(self, load, self.show, group="handbook", exclusive=True)

    def show(self, loaded: Loaded) -> None:
        self.handbook, self.problems, self.versions = loaded.handbook, loaded.problems, loaded.versions
        problems = self.query_one("#hb-problems", Static)
        problems.display = bool(self.problems)
        if self.problems:
            problems.update(
                as_content(
                    f"The working handbook has {plural(len(self.problems), 'problem')}; fix them in the Markdown, then press f5:\n"
                    + "\n".join(f"  {p}" for p in self.problems)
                )
            )
        self._show_status()
        self._fill_rules()
        if self.pending_rule:
            rule_id, self.pending_rule = self.pending_rule, None
            self.handle_request(HandbookRequest(rule_id=rule_id))
        self._fill_versions()
        self._fill_compare_choices()

    def _show_status(self) -> None:
        hb = self.handbook
        working = (
            f"Working handbook {hb.label}: {plural(len(hb.rules), 'rule')}."
            if hb
            else "The working handbook cannot be read."
        )
        if not self.versions:
            status = f"{working} No version published yet: press P to publish the first version."
        else:
            v = self.versions[0]
            status = (
                f"{working} In force: {v.label}, published {format_local(v.published_at)} by {v.published_by}. "
                "P publishes a new version."
            )
        self.query_one("#hb-status", Static).update(as_content(status))

    # --- rules -----------------------------------------------------------------------

    def _fill_rules(self) -> None:
        rules = sorted(self.handbook.rules.values(), key=lambda rule: rule.id) if self.handbook else []
        query = self.query_one("#rule-search", Input).value.strip()
        self.shown = [rule for rule in rules if not query or matches(rule, query)]
        listing = self.query_one("#rule-list", OptionList)
        highlighted = listing.highlighted_option.id if listing.highlighted_option is not None else None
        listing.clear_options()
        listing.add_options(
            Option(as_text(Text.assemble((rule.id, "bold"), "  ", rule.title)), id=rule.id) for rule in self.shown
        )
        if self.shown:
            ids = [rule.id for rule in self.shown]
            listing.highlighted = ids.index(highlighted) if highlighted in ids else 0
            self._show_rule(self.shown[listing.highlighted or 0])
        else:
            if not rules:
                message = "No rules to show: the working handbook has problems (listed above)."
            else:
                message = f"No rule matches “{query}”. Search by a rule ID (CON-01) or whole words; escape clears."
            self.query_one("#rule-text", Markdown).update(shown(message))

    def _show_rule(self, rule: Rule) -> None:
        self.query_one("#rule-text", Markdown).update(rule_markdown(rule))
        self.query_one("#rule-view", VerticalScroll).scroll_home(animate=False)

    @on(OptionList.OptionHighlighted, "#rule-list")
    def _rule_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.handbook and event.option.id in self.handbook.rules:
            self._show_rule(self.handbook.rules[event.option.id])

    @on(OptionList.OptionSelected, "#rule-list")
    def _rule_selected(self) -> None:
        self.query_one("#rule-view", VerticalScroll).focus()

    @on(Input.Changed, "#rule-search")
    def _search_changed(self) -> None:
        self._fill_rules()

    @on(Input.Submitted, "#rule-search")
    def _search_submitted(self) -> None:
        self.query_one("#rule-list", OptionList).focus()

    @on(Markdown.LinkClicked)
    def _link(self, event: Markdown.LinkClicked) -> None:
        found = _RULE_LINK.search(event.href)
        if found and self.handbook and found.group(1) in self.handbook.rules:
            self.select_rule(found.group(1))

    def handle_request(self, request: Request) -> None:
        """Show one rule (e.g. from a complaint), or one tab."""
        if not isinstance(request, HandbookRequest):
            return
        rule_id, tab = request.rule_id, request.tab
        if rule_id:
            rule_id = rule_id.strip().upper()
            if self.handbook is None:
                self.pending_rule = rule_id
            elif rule_id in self.handbook.rules:
                if self.is_mounted:
                    self.action_tab("rules")
                self.select_rule(rule_id)
            else:
                self.notify(f"No rule {rule_id} in the working handbook.", severity="warning")
        elif tab in ("rules", "versions", "compare"):
            self.call_after_refresh(self.action_tab, tab)

    def select_rule(self, rule_id: str) -> None:
        search = self.query_one("#rule-search", Input)
        if rule_id not in [rule.id for rule in self.shown]:
            search.value = ""
            self._fill_rules()
        listing = self.query_one("#rule-list", OptionList)
        listing.highlighted = listing.get_option_index(rule_id)

    # --- versions ----------------------------------------------------------------------

    def _fill_versions(self) -> None:
        table = self.query_one("#versions-table", DataTable)
        table.clear()
        for v in self.versions:
            kind = "editorial (no re-signing)" if v.editorial else "material"
            table.add_row(
                as_text(v.label),
                format_local(v.published_at),
                as_text(v.published_by),
                kind,
                v.content_hash[:12],
                key=v.label,
            )
        self.query_one("#versions-status", Static).update(
            "Published versions, newest first. Enter compares a version with the one before it."
            if self.versions
            else "No version published yet: press P to publish the first version."
        )

    @on(DataTable.RowSelected, "#versions-table")
    def _version_chosen(self, event: DataTable.RowSelected) -> None:
        labels = [v.label for v in self.versions]
        label = str(event.row_key.value)
        index = labels.index(label)
        older = labels[index + 1] if index + 1 < len(labels) else label
        self._set_compare(older, label)
        self.action_tab("compare")

    # --- compare -------------------------------------------------------------------------

    def _fill_compare_choices(self) -> None:
        labels = [(shown(v.label), v.label) for v in self.versions]
        a, b = self.query_one("#diff-a", Select), self.query_one("#diff-b", Select)
        with self.prevent(Select.Changed):
            a.set_options(labels)
            working = [(shown(f"Working copy ({self.handbook.label})"), WORKING)] if self.handbook else []
            b.set_options(working + labels)
        if labels:
            self._set_compare(labels[0][1], WORKING if self.handbook else labels[0][1])
        else:
            self._show_diff(None, None, [])

    def _set_compare(self, old: str, new: str) -> None:
        with self.prevent(Select.Changed):
            self.query_one("#diff-a", Select).value = old
            self.query_one("#diff-b", Select).value = new
        self._compare()

    @on(Select.Changed, "#diff-a, #diff-b")
    def _compare(self) -> None:
        a, b = self.query_one("#diff-a", Select).value, self.query_one("#diff-b", Select).value
        if a is Select.NULL or b is Select.NULL:
            return
        old, new = str(a), None if b == WORKING else str(b)
        working = self.handbook
        self.read(lambda s: versions.diff(s, old, new, working), lambda result: self._show_diff(*result))

    def _show_diff(self, old: str | None, new: str | None, changes: list[RuleChange]) -> None:
        table = self.query_one("#diff-table", DataTable)
        table.clear()
        styles = {"added": "green", "changed": "yellow", "removed": "red"}
        for change in changes:
            table.add_row(
                Text(change.change, style=styles.get(change.change, "")), as_text(change.rule_id), as_text(change.title)
            )
        if old is None:
            status = "Nothing published yet, so nothing to compare: press P to publish the first version."
        elif not changes:
            status = f"No rule changed between {old} and {new}."
        else:
            status = f"{old} → {new}: " + describe_changes(changes).split(":", 1)[0] + "."
        self.query_one("#diff-status", Static).update(as_content(status))

    # --- publishing --------------------------------------------------------------------------

    def action_publish(self) -> None:
        """Read the handbook afresh, show what would change, and confirm."""

        def prepare() -> tuple[Handbook, str | None, list[RuleChange]]:
            handbook = self.backend.handbook()

            def changes(session: Session) -> tuple[str | None, list[RuleChange]]:
                latest = versions.latest_version(session)
                if latest is None:
                    return None, diff_rules({}, versions.working_rule_map(handbook))
                return latest.label, versions.diff(session, None, None, handbook)[2]

            return (handbook, *self.backend.read(changes))

        def ready(result: tuple[Handbook, str | None, list[RuleChange]]) -> None:
            handbook, previous, changes = result
            labels = [v.label for v in self.versions]
            self.app.push_screen(
                FormDialog(publish_form(self.backend, handbook, previous, changes, labels)), self._published
            )

        def failed(exc: BaseException) -> None:
            if isinstance(exc, HandbookError):
                self.action_refresh()  # list the problems on screen
                self.notify(
                    f"Not published: the handbook has {plural(len(exc.problems), 'problem')}, listed on screen.",
                    severity="error",
                    timeout=10,
                )
            else:
                self.notify(error_message(exc), severity="error", timeout=10)

        run_db(self, prepare, ready, failed, group="publish", exclusive=True)

    def _published(self, version: HandbookVersion | None) -> None:
        if version is not None:
            self.action_refresh()

    # --- keys ------------------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        target = {"rules": "#rule-list", "versions": "#versions-table", "compare": "#diff-table"}[tab]
        self.query_one(target).focus()

    def action_search(self) -> None:
        self.query_one(TabbedContent).active = "rules"
        self.query_one("#rule-search", Input).focus()

    def action_focus_list(self) -> None:
        search = self.query_one("#rule-search", Input)
        if search.has_focus and search.value:
            search.value = ""
        self.action_tab(self.query_one(TabbedContent).active or "rules")
