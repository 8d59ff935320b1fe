"""Ctrl-C is never lost: not even when it lands in a finaliser, where Python swallows it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import click
from click.testing import CliRunner

from runstrength.cli import handle_errors
from runstrength.http_limits import BoundedSession


class PressesCtrlC:
    """Its finaliser gets the Ctrl-C, as a weakref callback in the garbage collector can: Python
    prints "Exception ignored" and the code around it goes on."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)


def test_a_ctrl_c_swallowed_by_a_finaliser_stops_the_next_request_and_the_command() -> None:
    went_on: list[str] = []

    @click.command()
    @handle_errors
    def backfill() -> None:
        PressesCtrlC()  # dropped at once: its __del__ runs here
        went_on.append("after the swallowed Ctrl-C")
        BoundedSession(total_s=5).get("http://127.0.0.1:9/next-page")  # never sent
        went_on.append("after the request")

    result = CliRunner().invoke(backfill)
    assert went_on == ["after the swallowed Ctrl-C"]  # it was swallowed, and then caught
    assert result.exit_code == 130, result.output
    assert "interrupted" in result.output and "Traceback" not in result.output
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


SWALLOWING_COMMAND = """
import os, signal, click
from runstrength.cli import handle_errors

class PressesCtrlC:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)

@click.command()
@handle_errors
def replan():
    PressesCtrlC()

replan()
"""


def test_a_command_that_ends_after_a_swallowed_ctrl_c_says_interrupted_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SWALLOWING_COMMAND], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 130
    # Python's "Exception ignored in ... Traceback ... KeyboardInterrupt" is not printed.
    assert done.stderr == (
        "runstrength: interrupted. What was finished is kept and nothing is half-written; "
        "run it again.\n"
    )
