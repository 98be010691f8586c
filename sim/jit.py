"""The one switch for the compiled loops: ``ENABLED``, and ``compiled``, the numba decorator.

numba is a dependency; the numpy twins of the kernels (``sim.kernels``) run where numba is
missing, or when ``SIM_NUMBA=0`` is set (the environment is read when this module is first
imported). Every kernel reads ``ENABLED`` from this module when it is called, so setting
``sim.jit.ENABLED = False`` (as the tests do) sends every later call down the numpy path.
"""

from __future__ import annotations

import os

try:  # numba is a dependency; the numpy twins keep the model running without it
    import numba
except ImportError:  # pragma: no cover - exercised only where numba is missing
    numba = None  # type: ignore[assignment]

ENABLED = numba is not None and os.environ.get("SIM_NUMBA", "1") != "0"


def compiled(func):
    """Compile ``func`` with numba (cached on disk) when numba is on at import; otherwise
    return the Python function unchanged."""
    if not ENABLED:
        return func
    return numba.njit(cache=True, nogil=True)(func)
