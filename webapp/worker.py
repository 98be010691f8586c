"""Start-up of the app's worker processes (spawned, so this module must import little)."""

from __future__ import annotations

import signal
import sys

from sim.runner import warm_up


def start_worker() -> None:
    """Load the simulator and its data ahead of the first run; leave Ctrl+C to the server.

    Ctrl+C in the terminal reaches the whole process group: without this, every worker would
    print a KeyboardInterrupt traceback while the server shuts its pool down.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up()


def has_module(name: str) -> bool:
    """Whether this worker process has imported ``name`` (the tests ask it)."""
    return name in sys.modules
