"""Earnings: what each job pays, the scar of displacement and the return to training.

Monthly earnings of an employed person, in local currency:

    wage[sector, skill] x (informal ratio if informal) x (hours ratio if underemployed)
    x personal factor

- ``wage[sector, skill]``: the sector's average monthly earnings of employees (ILOSTAT
  EAR_EMTA_SEX_ECO_NB, data/sectors.csv) spread over skill bands by the pay of ISCO major
  groups (PSA Labour Force Survey, Philippines, average daily basic pay by occupation, Jan
  2025; data/occupation_pay.csv; the same structure is assumed elsewhere), normalised so
  that the sector's formal workers at the start earn the ILOSTAT average.
- informal work pays ``informal_ratio`` of a formal job in the same sector and skill band (an
  assumption, range 0.45-0.85: no ASEAN estimate was found; raw gaps in Thailand and Viet Nam
  are of this size and conditional gaps smaller);
- underemployment pays ``hours_ratio`` (``underemployed_pay``): the time-related underemployed
  work fewer hours than they want and earn ``earnings.underemployed_hours_ratio`` of full
  hours (an assumption); a national definition wider than the ILO's time-related concept
  (PSA's counts full-time workers who want an additional or a new job) is docked for its
  time-related part only;
- the personal factor is 1, times (1 - scar) after re-employment following an automation
  layoff, times (1 + training return) after a completed course (see ``DisplacedCohort`` and
  ``training_factor``).

A programme job pays a flat ``programme_wage`` (the labour share of its cost).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.agents.columns import isin
from sim.agents.workforce import N_SKILL, Status

MONTHS_PER_ACADEMIC_YEAR = 9  # Jacobson, LaLonde and Sullivan (2005) count academic years


@dataclass
class WageTable:
    """Pay per (sector, skill band) and the multipliers of informality and underemployment."""

    formal: np.ndarray  # [S, 3] monthly earnings of a formal worker, local currency
    informal_ratio: float
    hours_ratio: float
    programme_wage: float

    @classmethod
    def build(
        cls,
        sector_wage: np.ndarray,
        skill_pay: np.ndarray,
        formal_by_skill: np.ndarray,
        *,
        informal_ratio: float,
        hours_ratio: float,
        programme_wage: float,
    ) -> WageTable:
        """Pay table from sector averages [S], relative pay by skill band [3] and the start's
        formal workers by sector and skill band [S, 3] (used to normalise each sector)."""
        weights = formal_by_skill / np.maximum(formal_by_skill.sum(axis=1, keepdims=True), 1)
        mean_rel = (weights * skill_pay).sum(axis=1)
        mean_rel = np.where(mean_rel > 0, mean_rel, skill_pay.mean())
        table = sector_wage[:, None] * skill_pay[None, :] / mean_rel[:, None]
        return cls(table, informal_ratio, hours_ratio, programme_wage)

    def cell_pay(self, n_sectors: int) -> np.ndarray:
        """Pay per unit of personal factor for every ledger cell [status, under, S, sex, skill]."""
        pay = np.zeros((6, 2, n_sectors, 2, N_SKILL))
        base = self.formal[:, None, :]  # [S, 1, skill] broadcast over sex
        for under, hours in ((0, 1.0), (1, self.hours_ratio)):
            pay[Status.FORMAL, under] = base * hours
            pay[Status.INFORMAL, under] = base * hours * self.informal_ratio
        return pay

    def earnings(
        self,
        status: np.ndarray,
        under: np.ndarray,
        sector: np.ndarray,
        skill: np.ndarray,
        factor: np.ndarray,
    ) -> np.ndarray:
        """Monthly earnings of each person (0 if not employed), local currency."""
        s = np.clip(sector, 0, None).astype(np.intp)
        pay = self.formal[s, skill.astype(np.intp)] * factor
        pay = np.where(under, pay * self.hours_ratio, pay)
        out = np.where(status == Status.FORMAL, pay, 0.0)
        out = np.where(status == Status.INFORMAL, pay * self.informal_ratio, out)
        return np.where(status == Status.PROGRAMME_JOB, self.programme_wage, out)


def underemployed_pay(hours_ratio: float, hours_share: float) -> float:
    """Average pay of an underemployed person relative to full hours, when ``hours_share`` of
    the underemployed (on the country's basis) are time-related and earn ``hours_ratio``, and
    the rest work full hours (``CountryInputs.underemployment_hours_share``: 1 on the ILO
    basis and for definitions bounded by hours; 0.58 for PSA's, the ILOSTAT time-related rate
    over PSA's headline, data/README.md §17).

    Applied to every underemployed person alike (an average, not a second flag per person):
    totals and means are those of the split, individual pay is not.
    """
    return 1.0 - hours_share * (1.0 - hours_ratio)


def training_factor(
    months: int, female: np.ndarray, *, return_men: float, return_women: float
) -> np.ndarray:
    """Earnings multiplier after completing ``months`` of training, per person.

    Jacobson, LaLonde and Sullivan (2005, J. Econometrics; IZA DP 1017): one academic year of
    community-college credits raises displaced workers' long-term earnings by about 9% (men)
    and 13% (women); technical courses more (14% and 29%). Scaled by months / 9.
    """
    years = months / MONTHS_PER_ACADEMIC_YEAR
    return 1.0 + years * np.where(female, return_women, return_men)


@dataclass
class DisplacedCohort:
    """Everyone laid off by automation: when, from where, what they earned, their scar.

    A re-employment after the layoff pays the destination job less a scar: ``scar_switch`` if
    the person changed sector, ``scar_same`` if not, fading with half-life ``half_life_months``
    towards ``floor`` (assumptions bracketed by Couch and Placzek 2010, AER: losses above 30%
    at first and up to 15% six years later; Lachowska, Mas and Woodbury 2020, AER: 70% of
    displaced workers lose pay even at employers paying the same; OECD 2013 on Korea: a 15%
    pay cut into mostly non-regular jobs). Only the first re-employment sets the scar.
    """

    scar_same: float
    scar_switch: float
    half_life_months: float
    floor: float
    n_sectors: int
    ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    month: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int16))
    origin: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int8))
    pre_earnings: np.ndarray = field(default_factory=lambda: np.empty(0))
    rehired: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int16))
    scar0: np.ndarray = field(default_factory=lambda: np.empty(0))
    scar: np.ndarray = field(default_factory=lambda: np.empty(0))
    retired: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # every layoff ever recorded (members who retire stay here): person, month, month left
    log_ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    log_month: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int16))
    log_left: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int16))
    pre_total: float = 0.0  # sum of pre-layoff monthly earnings over everyone ever laid off

    def __post_init__(self) -> None:
        # members who left the population (their slots are reused), by sector of displacement
        self.retired = np.zeros(self.n_sectors, dtype=np.int64)

    def __len__(self) -> int:
        return int(self.ids.size)

    def add(self, ids: np.ndarray, month: int, origin: np.ndarray, earnings: np.ndarray) -> None:
        """Record first-time automation layoffs."""
        if ids.size == 0:
            return
        self.ids = np.concatenate([self.ids, ids])
        self.month = np.concatenate([self.month, np.full(ids.size, month, dtype=np.int16)])
        self.origin = np.concatenate([self.origin, origin.astype(np.int8)])
        self.pre_earnings = np.concatenate([self.pre_earnings, earnings])
        self.rehired = np.concatenate([self.rehired, np.full(ids.size, -1, dtype=np.int16)])
        self.scar0 = np.concatenate([self.scar0, np.zeros(ids.size)])
        self.scar = np.concatenate([self.scar, np.zeros(ids.size)])
        self.log_ids = np.concatenate([self.log_ids, ids])
        self.log_month = np.concatenate([self.log_month, np.full(ids.size, month, np.int16)])
        self.log_left = np.concatenate([self.log_left, np.full(ids.size, 32767, np.int16)])
        self.pre_total += float(earnings.sum())

    def members(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions in the cohort, mask over ``ids``) of the ids that are cohort members."""
        if self.ids.size == 0 or ids.size == 0:
            return np.empty(0, dtype=np.intp), np.zeros(ids.size, dtype=bool)
        order = np.argsort(self.ids, kind="stable")
        where = np.searchsorted(self.ids, ids, sorter=order)
        where = np.minimum(where, self.ids.size - 1)
        found = self.ids[order[where]] == ids
        return order[where[found]], found

    def rehire(self, ids: np.ndarray, month: int, sector: np.ndarray) -> np.ndarray:
        """Scar the first re-employment of cohort members among ``ids`` (sector [len(ids)]).

        Returns the multiplier (1 - scar) for every id (1 for non-members or repeat hires).
        """
        multiplier = np.ones(ids.size)
        pos, found = self.members(ids)
        if pos.size == 0:
            return multiplier
        first = self.rehired[pos] < 0
        pos = pos[first]
        hit = np.flatnonzero(found)[first]
        switched = sector[hit] != self.origin[pos]
        scar = np.where(switched, self.scar_switch, self.scar_same)
        self.rehired[pos] = month
        self.scar0[pos] = scar
        self.scar[pos] = scar
        multiplier[hit] = 1.0 - scar
        return multiplier

    def fade(self, month: int) -> tuple[np.ndarray, np.ndarray]:
        """Scars fade: returns (cohort positions, multiplier on their personal factor)."""
        live = np.flatnonzero((self.rehired >= 0) & (self.scar > self.floor))
        if live.size == 0 or self.half_life_months <= 0:
            return live, np.ones(live.size)
        elapsed = month - self.rehired[live]
        new = self.floor + (self.scar0[live] - self.floor) * 0.5 ** (
            elapsed / self.half_life_months
        )
        new = np.minimum(new, self.scar[live])
        multiplier = (1.0 - new) / (1.0 - self.scar[live])
        self.scar[live] = new
        return live, multiplier

    def forget(self, ids: np.ndarray, month: int) -> None:
        """Members among ``ids`` left the population (their slots will be reused)."""
        pos, _ = self.members(ids)
        if pos.size == 0:
            return
        open_ = np.flatnonzero(self.log_left == 32767)
        self.log_left[open_[isin(self.log_ids[open_], self.ids[pos])]] = month
        keep = np.ones(self.ids.size, dtype=bool)
        keep[pos] = False
        self.retired += np.bincount(self.origin[pos], minlength=self.n_sectors)
        for name in ("ids", "month", "origin", "pre_earnings", "rehired", "scar0", "scar"):
            setattr(self, name, getattr(self, name)[keep])

    def watch_list(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(people, layoff month, month they left the population or 32767) for a twin run."""
        return self.log_ids.copy(), self.log_month.copy(), self.log_left.copy()
