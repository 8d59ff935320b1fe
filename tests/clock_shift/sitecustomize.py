"""Moves a test's subprocess clock as far as the test run's own (see tests/clock.py).

On PYTHONPATH only for subprocesses of a `pytest --clock ...` run; it does nothing otherwise.
"""

import os

_offset = os.environ.get("PYTEST_CLOCK_OFFSET_S")
if _offset:
    import time

    import time_machine

    time_machine.travel(time.time() + float(_offset), tick=True).start()
