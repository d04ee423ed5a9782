"""The same export imported twice would add every complaint again under new references: the
second import is refused by the file's recorded SHA-256 (a renamed copy too), unless --again."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.cli.conftest import Runner
from tests.cli.test_errors import assert_one_line_error, ready, table_counts  # noqa: F401 - the fixture


def test_a_file_imported_before_is_refused_unless_asked(ready: Runner, tmp_path: Path) -> None:  # noqa: F811
    export = tmp_path / "export.csv"
    export.write_text(
        "received_at,channel,summary\n2026-03-02 10:00,chat,Rude on the phone\n2026-03-03 11:00,email,No answer\n",
        encoding="utf-8",
    )
    first = ready("complaints", "import", str(export))
    assert first.code == 0, first.err
    before = table_counts(ready)
    copy = tmp_path / "export-copy.csv"
    shutil.copyfile(export, copy)
    for path in (export, copy):
        again = ready("complaints", "import", str(path))
        assert_one_line_error(again, 2)
        assert again.err.startswith("error: file: this file was already imported (2 complaints from export.csv, ")
        assert table_counts(ready) == before, "nothing was imported"
    forced = ready("complaints", "import", str(copy), "--again")
    assert forced.code == 0, forced.err
    assert len(ready("complaints", "list", "--format", "json").json()) == 5
