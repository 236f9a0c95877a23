"""The one writer that owns the output folder (as Pelican's writer does).

Every file the project puts under the output folder goes through here so that
two promises hold everywhere:

* nothing is written outside the output folder (``safe_output_path``), and
* a reader never sees a half-written file: data goes to a temporary file in the
  same folder, is fsynced, then renamed over the target (``atomic_write``).
  A failure leaves the earlier file untouched and removes the temporary file.
"""
from __future__ import annotations

import contextlib
import glob
import logging
import os
import tempfile
import time
from pathlib import Path

from .errors import OutputError

log = logging.getLogger(__name__)

# mkstemp creates files 0600; briefs are meant to be read by other users and
# web servers, so give them the usual mode of a freshly created file.
FILE_MODE = 0o644
STALE_TEMP_SECONDS = 600  # a temporary file this old was left by a killed process


def safe_output_path(output_root: Path, *parts: str) -> Path:
    """``output_root / parts``, refusing anything that would land outside ``output_root``.

    Absolute parts, ``..`` and symlinks that lead out of the folder are all
    caught by comparing fully resolved paths. Returns the path in the caller's
    form (not resolved) so messages show what the user configured.
    """
    root = Path(output_root)
    if not parts or any(not isinstance(p, str) or not p or "\x00" in p for p in parts):
        raise OutputError(f"{root}: refusing an empty or invalid output file name {parts!r}")
    candidate = root.joinpath(*parts)
    try:
        real_root = root.resolve()
        real = candidate.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: symlink loop on older Pythons
        raise OutputError(f"{candidate}: cannot resolve output path: {exc}") from None
    if real == real_root or not real.is_relative_to(real_root):
        raise OutputError(f"{candidate}: refusing to write outside the output folder {root}")
    return candidate


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; not every platform can open a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _stage(path: Path, data: bytes) -> Path:
    """Write ``data`` to a fsynced temporary file next to ``path``; return its path.

    The temporary file is removed if anything fails here.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep_stale(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
    except BaseException:
        _discard(tmp)
        raise
    return tmp


def _sweep_stale(path: Path) -> None:
    """Remove temporary files of ``path`` left by a process killed mid-write (SIGKILL, power
    loss). Only old ones: a young one may belong to a writer still at work."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if tmp.lstat().st_mtime < cutoff:
                tmp.unlink()
                log.info("removed %s, left by an interrupted write", tmp)


def _discard(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink(missing_ok=True)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically; raise OutputError naming the path on failure."""
    write_files({Path(path): data})


def write_files(files: dict[Path, bytes]) -> None:
    """Write several files as close to all-or-nothing as a filesystem allows.

    Every file is staged (written and fsynced to a temporary file) before any
    target is replaced, so a full disk or a read-only folder leaves all earlier
    files as they were. Only the final renames, which do not allocate space,
    can fail part-way, and each of them is still atomic on its own.
    """
    staged: list[tuple[Path, Path]] = []
    current = Path()
    try:
        for current, data in files.items():
            staged.append((_stage(current, data), current))
        for tmp, current in staged:
            os.replace(tmp, current)
            log.debug("wrote %s", current)
    except OSError as exc:
        raise OutputError(f"{current}: cannot write: {_reason(exc)}") from None
    finally:
        # After a successful replace the temporary name is gone and this is a no-op.
        for tmp, _ in staged:
            _discard(tmp)
    for folder in {p.parent for p in files}:
        _fsync_dir(folder)
