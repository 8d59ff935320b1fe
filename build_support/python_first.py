"""The build backend: setuptools', after a check that this Python is new enough.

pip resolves a checkout's dependencies before it compares its Requires-Python, so on Python 3.11
an install stopped at a dependency (garmin-connect-personal-api-python needs 3.12) and never named
the real cause. This check runs first, when pip asks the backend what it needs to build.
"""

import sys

from setuptools.build_meta import *  # noqa: F403 - the whole PEP 517 interface, unchanged

if sys.version_info < (3, 12):  # noqa: UP036 - runs on whichever Python installs it
    raise SystemExit(
        f"runstrength needs Python 3.12 or newer; this is Python "
        f"{sys.version_info.major}.{sys.version_info.minor} ({sys.executable}). "
        "See README.md, Install: `pipx run uv tool install --python 3.12 /path/to/runstrength` "
        "installs it with a Python 3.12 of its own."
    )
