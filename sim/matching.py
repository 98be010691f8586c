"""Job search and matching: where searchers look, and how many of them find work.

- ``mobility_matrix``: the share of a searcher's effort spent in each sector, by the sector of
  their last job (own sector first, the rest by similarity of occupation mix; an assumption,
  there are no sector-to-sector flow data for ASEAN).
- ``target_sectors``: one draw per searcher from its origin's row.
- ``hire_rate``: the matching function hires = min(V, S, m x S^eta x V^(1-eta)) per unit of
  search effort S, sector by sector.
- ``calibrate_rates``: the per-sector formal hire rate, informal entry rate, vacancy stock and
  matching efficiency that reproduce, at the start, the country's calibrated job-finding
  hazard, its informal share in every sector and its vacancy rate (observed where published,
  else from a filling rate).

Formal jobs are vacancy-constrained; informal work (own-account, family and informal wage work)
is free entry at a rate per unit of search effort, the dual-labour-market view (Harris and
Todaro 1970; Fields 2009). Informal workers also look for formal jobs on the job, at a reduced
intensity (an assumption).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import kernels
from sim.products import mat_mat, mat_vec, vec_mat


def mobility_matrix(occ_mix: np.ndarray, employment: np.ndarray, own_share: float
                    ) -> np.ndarray:
    """Where searchers look: their own sector, then sectors with a similar occupation mix.

    Row o gives the share of search effort in each sector j of someone whose last job was in
    o: ``own_share`` in o itself and the rest over the other sectors by the cosine similarity
    of the two sectors' ISCO occupation mixes (ILOSTAT ISIC x ISCO) [S, 9]. There are no
    sector-to-sector flow data for ASEAN; this is a labelled assumption.

    The off-diagonal part is balanced (symmetric Sinkhorn scaling of the similarity matrix to
    row sums equal to employment [S]) so that employment is the matrix's stationary
    distribution: searchers reach each sector in proportion to the jobs turnover opens there.
    Returns [S, S], rows summing to 1.
    """
    present = employment > 0
    n = len(employment)
    norm = np.linalg.norm(occ_mix, axis=1, keepdims=True)
    unit = occ_mix / np.maximum(norm, 1e-12)
    kernel = mat_mat(unit, unit.T) * np.outer(present, present)
    np.fill_diagonal(kernel, 0.0)
    target = np.where(present, employment, 0.0)
    scale = np.where(present, 1.0, 0.0)
    for _ in range(500):
        reach = mat_vec(kernel, scale)
        scale = np.sqrt(scale * np.divide(target, reach, out=np.zeros(n), where=reach > 0))
    flows = scale[:, None] * kernel * scale[None, :]
    sizes = flows.sum(axis=1, keepdims=True)
    spread = np.divide(flows, sizes, out=np.zeros_like(flows), where=sizes > 0)
    has_other = sizes[:, 0] > 0
    matrix = spread * np.where(has_other, 1.0 - own_share, 0.0)[:, None]
    matrix[np.diag_indices(n)] = np.where(has_other, own_share, 1.0)
    return matrix


def cdf_columns(mobility: np.ndarray) -> np.ndarray:
    """Column j of the row-wise CDF of ``mobility``, [S, S], for ``target_sectors``."""
    return np.ascontiguousarray(np.cumsum(mobility, axis=1).T)


def target_sectors(columns: np.ndarray, origin: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The sector each searcher looks in: inverse CDF of its origin's mobility row.

    columns: ``cdf_columns`` [S, S]; origin: last sector of each searcher [n]; u: uniform
    draws [n]. Returns the count of CDF entries below ``u`` (at most S - 1) [n], int8: the
    same comparisons as ``(u[:, None] > cdf[origin]).sum(axis=1)``, in one compiled pass
    (``sim.kernels``).
    """
    return kernels.target_sectors(columns, origin, u)


#: Search effort below this share of a sector's monthly hires counts as none (``calibrate_rates``).
UNSEARCHED = 1e-12


def hire_rate(efficiency: np.ndarray, eta: float, effort: np.ndarray,
              vacancies: np.ndarray) -> np.ndarray:
    """Hires per unit of search effort in each sector [S]: min(V, S, m S^eta V^(1-eta)) / S."""
    vac = np.maximum(vacancies, 0.0)
    hires = np.minimum.reduce([vac, effort, efficiency * effort ** eta * vac ** (1 - eta)])
    return np.divide(hires, effort, out=np.zeros_like(hires), where=effort > 0)


@dataclass(frozen=True)
class Rates:
    """Start-of-run matching rates per sector [S] (per unit of search effort, per month)."""

    formal: np.ndarray        # q_F: formal hires per unit of effort
    informal: np.ndarray      # q_I: informal entries per unit of an unemployed searcher's effort
    vacancies: np.ndarray     # formal vacancy stock at the end of a month (simulated positions)
    efficiency: np.ndarray    # m: matching efficiency


def calibrate_rates(*, hire_rate_start: float, formal: np.ndarray, informal: np.ndarray,
                    searching: np.ndarray, mobility: np.ndarray, on_the_job: float,
                    separation: np.ndarray, reopened: np.ndarray, eta: float,
                    vacancy_rate: float | None, filling_rate: float) -> Rates:
    """Rates that hold formal and informal employment at their start level in every sector.

    Args:
        hire_rate_start: c, the monthly hazard of finding any work for a searcher at full
            efficiency (``sim.calibrate``); split here into formal hires and informal entry.
        formal, informal: employment F and I by sector [S]; searching: unemployed search effort
            aimed at each sector [S]; mobility: [S, S] where searchers look (``mobility_matrix``);
            on_the_job: informal workers' search intensity for formal jobs.
        separation: monthly separations per worker [S], which searchers refill.
        reopened: jobs re-opened in a month [S] (ordinary and retirement leavers): vacancies at
            matching time are the end-of-month stock plus these.
        eta: matching elasticity; vacancy_rate: observed vacancies / (jobs + vacancies), a stock
            as surveys measure it, or None; filling_rate: share of the vacancies open at
            matching time filled in the month, where no vacancy rate is observed.

    Steady state, sector by sector: formal hires (from the unemployed and from informal workers
    searching on the job) replace formal leavers, q_F (searching + on-the-job effort) = s F;
    informal entries from the unemployed replace informal leavers and those who moved to a
    formal job, q_I searching = s I + (on-the-job hires out of the sector). Summed over sectors,
    the unemployed leave at s (F + I), the calibrated inflow, so the unemployment rate holds.
    """
    otj_effort = on_the_job * vec_mat(informal, mobility)
    effort = searching + otj_effort
    hires = separation * formal
    # A sector searched by less than 1e-12 of its monthly hires counts as unsearched, as one
    # with no effort at all: a rate per unit of effort beyond 1e12 a month is not a rate but a
    # division by (almost) zero, and overflows (a numerical guard; found with an on-the-job
    # intensity of 2e-311 and a sector nobody unemployed searched).
    searched = effort > hires * UNSEARCHED
    effort = np.where(searched, effort, 0.0)
    q_formal = np.divide(hires, effort, out=np.zeros_like(hires), where=searched)
    moved_out = on_the_job * informal * mat_vec(mobility, q_formal)  # informal -> formal, by origin
    replace = separation * informal + moved_out
    q_informal = np.divide(replace, searching, out=np.zeros_like(replace), where=searching > 0)
    if vacancy_rate is not None:
        stock = vacancy_rate / (1.0 - vacancy_rate) * formal
        at_matching = stock + reopened
    else:
        at_matching = np.maximum(hires / filling_rate, reopened)
        stock = at_matching - reopened
    tightness = np.divide(at_matching, effort, out=np.zeros_like(at_matching), where=effort > 0)
    efficiency = np.divide(q_formal, tightness ** (1 - eta), out=np.zeros_like(q_formal),
                           where=tightness > 0)
    return Rates(q_formal, q_informal, stock, efficiency)
