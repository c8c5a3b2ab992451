"""Ctrl-C in tests, whatever the suite was started from.

A shell starts a background job (``make test &``) with SIGINT ignored, and that disposition is inherited: Python then
installs no KeyboardInterrupt handler, in the test process or in any child it starts. A test that sends SIGINT must
therefore set the handler it relies on itself: ``default_sigint()`` in this process, ``DEFAULT_SIGINT`` (a
``preexec_fn``) for a child, which then installs Python's own handler at start-up as it would from a terminal.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager


@contextmanager
def default_sigint():
    """Within the block SIGINT raises KeyboardInterrupt in the main thread, as in an interactive session."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _restore_default_sigint() -> None:  # runs in the child between fork and exec
    signal.signal(signal.SIGINT, signal.SIG_DFL)


DEFAULT_SIGINT = _restore_default_sigint
