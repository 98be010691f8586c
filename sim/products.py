"""Matrix products summed in one fixed order, the same bits on every CPU.

numpy's ``@`` hands float products to BLAS (OpenBLAS in numpy's wheels), which picks a kernel
for the CPU it runs on; the kernels add in different orders, so the last bits of a product
depend on the machine. The model's calibration and matching use a few small products (sector x
sector, sector x occupation group): with OpenBLAS's Sandybridge kernel (a CPU without AVX2,
``OPENBLAS_CORETYPE=Sandybridge``), 18 of the 51 golden tests failed, bit for bit, where the
Haswell and SkylakeX kernels passed. These products multiply element by element and add
along one axis, row after row, in numpy's own loops: exact to the bit, whatever the CPU. The
matrices are small (at most 12 x 12), so the speed does not matter.
"""

from __future__ import annotations

import numpy as np

__all__ = ["mat_mat", "mat_vec", "vec_mat"]


def vec_mat(v: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``v @ m`` for v [k] and m [k, n]: [n], the rows of m weighted by v added in row order."""
    terms = np.asarray(v, dtype=float)[:, None] * np.ascontiguousarray(m, dtype=float)
    return terms.sum(axis=0)


def mat_vec(m: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``m @ v`` for m [k, n] and v [n]: [k] (``vec_mat`` on m's transpose)."""
    return vec_mat(v, np.ascontiguousarray(np.asarray(m, dtype=float).T))


def mat_mat(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for a [m, k] and b [k, n]: [m, n], the k terms of each entry added in order."""
    a = np.asarray(a, dtype=float)
    b = np.ascontiguousarray(b, dtype=float)
    return (a[:, :, None] * b[None, :, :]).sum(axis=1)
