"""The ``tracker`` command: global options, sub-command groups, and the one
place where failures become one-line messages and exit codes.

Exit codes: 0 success, 1 a failure to retry or investigate (conflict,
database), 2 bad input (the message names the field). No traceback reaches the
user; unexpected errors are logged to a file whose path is printed.
"""

from __future__ import annotations

import sys
from typing import Callable, Optional

import typer

from tracker.backend import Backend, error_message
from tracker.cli import (
    actions,
    audit,
    complaints,
    contacts,
    database,
    demo,
    employees,
    handbook,
    reports,
    serve,
    signoffs,
)
from tracker.cli.output import say_error
from tracker.config import Settings, load_settings
from tracker.crash_log import log_unexpected
from tracker.domain.errors import InputError, RowErrors, TrackerError

app = typer.Typer(
    name="tracker",
    help=(
        "Service-standards compliance tracker: handbook sign-offs, customer complaints and corrective actions.\n\n"
        "Run with no command to open the terminal app."
    ),
    no_args_is_help=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)
app.add_typer(database.app, name="db")
app.add_typer(handbook.app, name="handbook")
app.add_typer(employees.app, name="employees")
app.add_typer(signoffs.app, name="signoffs")
app.add_typer(complaints.app, name="complaints")
app.add_typer(contacts.app, name="contacts")
app.add_typer(actions.app, name="actions")
app.add_typer(audit.app, name="audit")
app.add_typer(reports.app, name="report")
app.command("demo")(demo.demo)
app.command("serve", help=f"{serve.serve.__doc__}\n\n{serve.WARNING}")(serve.serve)


@app.callback()
def main(
    ctx: typer.Context,
    db: Optional[str] = typer.Option(
        None,
        "--db",
        envvar="TRACKER_DATABASE_URL",
        show_envvar=True,
        help="Database URL (sqlite:///path or postgresql+psycopg://user@host/db) or a SQLite file path. "
        "Default: tracker.db in your user data folder.",
    ),
    handbook_path: Optional[str] = typer.Option(
        None,
        "--handbook",
        envvar="TRACKER_HANDBOOK",
        show_envvar=True,
        help="The handbook: an mkdocs.yml, its folder, or the pages folder. "
        "Default: the nearest mkdocs.yml, else the copy shipped with the tracker.",
    ),
    acting_as: Optional[str] = typer.Option(
        None,
        "--as",
        envvar="TRACKER_ACTOR",
        show_envvar=True,
        help="Your name as recorded on every record and audit event. Default: your login name.",
    ),
) -> None:
    ctx.obj = Backend(load_settings(database=db, handbook=handbook_path, acting_as=acting_as))
    if ctx.invoked_subcommand is None:
        if _open_app is None:
            typer.echo(ctx.get_help())
            return
        ctx.obj.settings.refuse_missing_database()  # before the app takes the screen: one line, exit 2
        code = _open_app(ctx.obj.settings)
        if code:
            raise typer.Exit(code)


def _usage_problem(exc: Exception) -> int:
    context = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and context is not None:
        print(context.get_help())
        return 2
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    where = f" (see '{context.command_path} --help')" if context is not None else ""
    return _fail(" ".join(message.split()) + where, int(getattr(exc, "exit_code", 2) or 2))


# The input field each option fills, where the option is named otherwise (``--rules`` fills ``rule_ids``).
_OPTION_OF_FIELD = {
    "employee_number": "employee",
    "rule_ids": "rules",
    "complaint_refs": "complaints",
    "gross_misconduct_reason": "gross_misconduct",
    "version_label": "version",
    "replied_at": "at",
    "from": "since",
    "to": "until",
    "path": "output",
}


def _as_typed(exc: TrackerError, command: object, argv: list[str]) -> str:
    """A refusal naming the option the person typed (``--received-at``), not the input field
    behind it (``received_at``): the importer names its column and a form marks its field, with
    the same reason. A field no option of the command fills keeps its own name."""
    if not isinstance(exc, InputError) or isinstance(exc, RowErrors):
        return error_message(exc)
    leaf: object = command
    for token in argv:
        leaf = getattr(leaf, "commands", {}).get(token, leaf)
    params = {param.name: param for param in getattr(leaf, "params", ())}
    param = params.get(_OPTION_OF_FIELD.get(exc.field, exc.field)) or params.get(exc.field)
    if param is None or param.param_type_name != "option":
        return error_message(exc)
    return f"{max(param.opts, key=len)}: {exc.reason}"


def _fail(message: str, code: int) -> int:
    """The one line every failure ends as, escaped (``say_error``): a usage error quotes the
    argument as typed ("No such option: --\\x1b[2J")."""
    say_error(message)
    return code


_open_app: Callable[[Settings], int] | None = None


def run(argv: list[str] | None = None, *, open_app: Callable[[Settings], int] | None = None) -> int:
    """Run the command line; returns (and, for the console script, exits with) the exit code.

    ``open_app`` is what a bare ``tracker`` (no command) starts: the entry point
    passes the terminal app, so the command line never imports the UI.
    """
    global _open_app
    _open_app = open_app
    command = typer.main.get_command(app)
    code = 0
    try:
        result = command.main(args=argv, prog_name="tracker", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        code = _fail("cancelled; nothing was changed", 1)
    except typer.TyperException as exc:  # Typer's (vendored click) usage and parameter errors
        code = _usage_problem(exc)
    except TrackerError as exc:
        code = _fail(_as_typed(exc, command, sys.argv[1:] if argv is None else argv), exc.exit_code)
    except KeyboardInterrupt:
        code = _fail("interrupted; the last change in progress was not saved", 130)
    except BrokenPipeError:
        code = 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
        path = log_unexpected(exc)
        where = f"details in {path}" if path else "the log could not be written"
        code = _fail(f"{error_message(exc)}; {where}", 1)
    if argv is None:
        sys.exit(code)
    return code
