"""File helpers every stage may use (the segmentation cache as well as the run folder)."""

from __future__ import annotations

import os
from pathlib import Path


def ordinary_permissions(path: Path, mode: int) -> None:
    """Give a file or folder made by mkstemp/mkdtemp (0600/0700) the mode the umask allows."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, mode & ~umask)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the whole new one, never a
    part: a temporary file beside it, then renamed over it. On any failure (a full disk, a kill
    signal turned exception) the temporary file is removed and the error raised."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        ordinary_permissions(Path(tmp), 0o666)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:  # a failed write names no file: name it
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
