"""Ctrl-C that is never lost.

Python raises KeyboardInterrupt wherever the main thread happens to be. Inside a weakref
callback or a __del__ (the garbage collector runs them at any moment) it is printed as
"Exception ignored" and swallowed, and the command goes on: a backfill interrupted at its third
page ran to the end and exited 0. So the handler also notes the request, each HTTP request
checks the note before it starts, and a command that returns after Ctrl-C still stops as
interrupted; the swallowed one's traceback is not printed (the one line about it comes later).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_requested = threading.Event()


def _on_sigint(_signum: int, _frame: FrameType | None) -> None:
    _requested.set()
    raise KeyboardInterrupt


def requested() -> bool:
    return _requested.is_set()


def check() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed, even if its first raise was swallowed."""
    if _requested.is_set():
        raise KeyboardInterrupt


@contextmanager
def noted() -> Iterator[None]:
    """Note Ctrl-C for the block's duration (main thread only; the previous handler comes back)."""
    _requested.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous, plain_hook = signal.signal(signal.SIGINT, _on_sigint), sys.unraisablehook

    def quiet_about_ctrl_c(unraisable: sys.UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            plain_hook(unraisable)

    sys.unraisablehook = quiet_about_ctrl_c
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        sys.unraisablehook = plain_hook
        _requested.clear()
