"""File helpers every stage may use (the segmentation cache as well as the run folder)."""

from __future__ import annotations

import os
from pathlib import Path


def ordinary_permissions(path: Path, mode: int) -> None:
    """Give a file or folder made by mkstemp/mkdtemp (0600/0700) the mode the umask allows."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, mode & ~umask)
