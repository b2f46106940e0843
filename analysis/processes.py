"""When forking worker processes is safe: shared by the runtime's analysis workers and the lint's
indexing workers."""

from __future__ import annotations

import os
import sys
import threading


def single_threaded() -> bool:
    """Does this process run one thread? Counted by the operating system: a library's native
    threads (a BLAS or Arrow thread pool, a test runner's) are invisible to ``threading`` but make
    a fork as unsafe as a Python thread does (Python 3.12+ warns)."""
    if threading.active_count() > 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc: what threading sees is what we know
        return True


def can_fork() -> bool:
    """Forking workers is safe here: Linux, and a single thread."""
    return sys.platform.startswith("linux") and single_threaded()
