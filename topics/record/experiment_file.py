"""A new experiment file, written by ``topics init``: created exclusively, never replacing one."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError


def write_new(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, which must not exist yet (the check and the create are one step)."""
    try:
        with open(path, "x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError as exc:
        raise ConfigError(
            f"{str(path)!r} exists; `topics init` never replaces an experiment file: choose another name with "
            "--name, or edit that file"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"cannot write {str(path)!r}: {exc.strerror}; choose a folder you can write to") from exc
