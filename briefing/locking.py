"""One build of a topic at a time, across processes (the scheduler and a person at a shell).

A file lock per topic in ``OUTPUT/.locks/``: the second process waits up to
``lock_wait_seconds`` (config) and then exits with a clear message instead of building the
same brief twice at once. The operating system releases the lock when its holder dies,
so a killed run never leaves the topic locked.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from .config import Config
from .errors import BriefingError

log = logging.getLogger(__name__)


class BusyError(BriefingError):
    """Another process holds the topic's lock. Exit status 75 (EX_TEMPFAIL: try again later)."""

    exit_code = 75


def lock_path(output: Path, slug: str) -> Path:
    return Path(output) / ".locks" / f"{slug}.lock"


@contextmanager
def topic_lock(config: Config, slug: str, wait: float | None = None) -> Iterator[Path]:
    """Hold the lock of topic ``slug``, waiting at most ``wait`` seconds (default: the config's)."""
    wait = config.lock_wait_seconds if wait is None else wait
    path = lock_path(config.output, slug)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BriefingError(f"{path.parent}: cannot create the lock folder: {exc.strerror or exc}") from None
    lock = FileLock(path, timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise BusyError(f"topic {slug!r} is being built by another process (waited {wait:g}s for {path}); "
                        "try again when it has finished") from None
    log.debug("locked %s", path)
    try:
        yield path
    finally:
        lock.release()
