"""The SHA-256 of a file, read a megabyte at a time: imports record it in their audit event (and
refuse a file imported before by it), backups print it. A million-contact export is not read into
memory to be hashed."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


def sha256_of_stream(stream: BinaryIO) -> str:
    """The digest of what is left in ``stream``, which is then rewound to its start for reading."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return sha256_of_stream(handle)
