"""The SHA-256 of a file, read in 1 MiB blocks: the identity of an inbox file (raw.files), of a register
file and of a published file (reports/release.py)."""

from __future__ import annotations

import hashlib
import os


def sha256_of(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
