"""The ``tracker`` command line: thin commands over the record-keeping functions.

Each command module imports the storage layer (``tracker.records``, ``db``, ``audit``, ``reporting``,
``maintenance``, ``demo``, ``web``, SQLAlchemy, SQLModel) and the input models inside the commands
that use them, so ``tracker --help`` and ``tracker COMMAND --help`` load none of it
(``tests/cli/test_help_imports.py``). Names needed only for type checking go under ``TYPE_CHECKING``;
a command's parameter types must stay cheap to import, because Typer evaluates them.
"""
