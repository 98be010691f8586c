"""Sector agents: AI adoption and formal labour demand, one per sector of the country.

Adoption follows an S-curve A(t) = ceiling x logistic(pace x k x (t - midpoint)). The country's
AI readiness sets when it takes off and how far it goes (see ``adoption_curve``), so a country
with low readiness starts later, not higher. Exposure is split by occupation (ILO gradients)
into an automation part and an augmentation part:

- automation removes formal positions: each month ``elasticity x a x dA`` of the sector's
  formal positions (filled or vacant), where ``a`` is the sector's mean automation exposure.
  Firms adjust first through attrition: a position removed is a vacancy not re-posted (a hire
  foregone, "a job not created"). Only the part an adopting firm cannot absorb through its
  own leavers within ``window`` months becomes layoffs ("jobs destroyed"), chosen among the
  most exposed workers. With a = mean exposure, s = monthly attrition and v = vacancy rate,
  the layoff share of the cut is max(0, 1 - (window x s + v) / (elasticity x a x ceiling))
  (an adopting firm cuts elasticity x a x ceiling of its workforce at once). Evidence that
  adjustment runs through hires foregone: Dauth et al. (2021, JEEA) on robots in Germany.
- augmentation raises labour demand in the same sector: ``ratio x elasticity x g x dA``
  new positions per formal position, where ``g`` is the mean augmentation exposure and
  ``ratio`` the jobs created per job destroyed by the same task share (a sourced
  uncertainty). These AI-era vacancies need high skill in the sector's field, and lapse
  (are offshored or abandoned) at a monthly rate when nobody qualified takes them.

Formal labour demand also follows the baseline demand path (labour-force growth, or a sector's
own growth rate), which posts growth vacancies. All counts are in simulated workers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa


def logistic(month: float, steepness: float, midpoint: float) -> float:
    """The standard S-curve, 0 at -infinity, 1/2 at the midpoint, 1 at +infinity."""
    z = -steepness * (month - midpoint)
    if z > 700:
        return 0.0
    return 1.0 / (1.0 + math.exp(z))


@dataclass(frozen=True)
class AdoptionCurve:
    """A(t) = ceiling x logistic(steepness x (t - midpoint)), t in months after the start."""

    steepness: float
    midpoint: float
    ceiling: float

    def level(self, month: int) -> float:
        """Adoption level in month ``month`` (0 = the start)."""
        return self.ceiling * logistic(month, self.steepness, self.midpoint)


def adoption_curve(readiness: float, *, steepness: float, midpoint_at_100: float,
                   delay_per_point: float, depth_elasticity: float,
                   ceiling: float) -> AdoptionCurve:
    """The adoption curve of a country with AI readiness ``readiness`` (0-100).

    Readiness moves timing and depth, not the S-curve's slope: the midpoint is
    ``midpoint_at_100 + delay_per_point x (100 - readiness)`` months and the ceiling is
    ``ceiling x (readiness / 100) ** depth_elasticity``. So a country with lower readiness
    reaches any given adoption level later, and starts no higher (Comin and Mestieri 2018:
    adoption lags across countries, and a lasting gap in the intensity of use).
    """
    r = min(max(readiness, 0.0), 100.0)
    return AdoptionCurve(steepness=steepness,
                         midpoint=midpoint_at_100 + delay_per_point * (100.0 - r),
                         ceiling=ceiling * (r / 100.0) ** depth_elasticity)


class SectorAgent(mesa.Agent):
    """One sector: adoption, automated task share, formal positions and vacancy pools."""

    def __init__(
        self,
        model: mesa.Model,
        *,
        index: int,
        name: str,
        automation_exposure: float,
        augmentation_exposure: float,
        automation: AdoptionCurve,
        augmentation: AdoptionCurve,
        elasticity: float,
        new_jobs_ratio: float,
        window_months: float,
        attrition: float,
        vacancy_rate: float,
        lapse_rate: float,
        growth: list[float] | None = None,
    ) -> None:
        """Args (shares per month unless stated):
            automation_exposure, augmentation_exposure: the sector's mean exposures (a, g).
            automation, augmentation: adoption curves driving each part.
            elasticity: positions removed per unit of automated task share.
            new_jobs_ratio: positions created per unit of augmented task share, relative to
                those removed per unit of automated task share.
            window_months: months an adopting firm spreads its cut over through attrition.
            attrition: monthly leavers per worker (turnover + retirement), for the layoff share.
            vacancy_rate: the vacancy stock per position (filled or vacant) at the start, as
                a survey measures it; absorbs cuts with the window's leavers (``absorb_with``).
            lapse_rate: share of unfilled AI-era vacancies lost each month.
            growth: monthly growth rate of baseline formal demand, one per month (index 0 =
                month 1), or None for no growth.
        """
        super().__init__(model)
        self.index = index
        self.name = name
        self.automation_exposure = automation_exposure
        self.augmentation_exposure = augmentation_exposure
        self.automation = automation
        self.augmentation = augmentation
        self.elasticity = elasticity
        self.new_jobs_ratio = new_jobs_ratio
        self.lapse_rate = lapse_rate
        self.growth = growth
        self.window_months = window_months
        self.attrition = attrition
        self.absorb_with(vacancy_rate)
        self.adoption = automation.level(0)
        self.adoption_increase = 0.0
        self.augmentation_level = augmentation.level(0)
        self.augmentation_increase = 0.0
        self.open_vacancies = 0.0
        self.skilled_vacancies = 0.0
        # regular vacancies held by programme jobs (substitution): still positions of the
        # sector, not open to searchers, posted again as the programme jobs end
        self.held_vacancies = 0.0
        # positions still to remove from future vacancies, kept apart by cause so that
        # automation's hires foregone never include a fall in baseline demand
        self.pending_cut = 0.0       # automation's cut
        self.pending_decline = 0.0   # baseline demand's decline

    def absorb_with(self, vacancy_rate: float) -> None:
        """Set the layoff share from the vacancies an adopting firm holds open (a stock per
        position, as a vacancy survey measures it) and its leavers over the window: the part
        of the cut at full adoption that neither absorbs is laid off."""
        cut_at_adoption = self.elasticity * self.automation_exposure * self.automation.ceiling
        absorbed = self.window_months * self.attrition + vacancy_rate
        self.layoff_share = (max(0.0, 1.0 - absorbed / cut_at_adoption)
                             if cut_at_adoption > 0 else 0.0)

    @property
    def automated_task_share(self) -> float:
        """Share of the sector's task time automated: mean automation exposure x adoption."""
        return self.automation_exposure * self.adoption

    @property
    def layoff_rate(self) -> float:
        """This month's layoff probability per unit of a formal worker's automation exposure."""
        return self.layoff_share * self.elasticity * self.adoption_increase

    def adopt(self, month: int) -> None:
        """Advance both adoption curves to ``month``."""
        new = self.automation.level(month)
        self.adoption_increase = max(new - self.adoption, 0.0)
        self.adoption = new
        new = self.augmentation.level(month)
        self.augmentation_increase = max(new - self.augmentation_level, 0.0)
        self.augmentation_level = new

    def cut(self, positions: float) -> float:
        """Formal positions removed by automation this month (filled or vacant)."""
        return self.elasticity * self.automation_exposure * self.adoption_increase * positions

    def new_jobs(self, positions: float) -> float:
        """AI-era positions created by augmentation this month."""
        return (self.new_jobs_ratio * self.elasticity * self.augmentation_exposure
                * self.augmentation_increase * positions)

    def growth_rate(self, month: int) -> float:
        """Baseline growth of formal demand in ``month`` (a share of positions)."""
        if not self.growth:
            return 0.0
        return self.growth[min(month, len(self.growth)) - 1]

    def forgo_hires(self, count: float) -> float:
        """Remove ``count`` positions cut by automation from open vacancies (plus automation's
        cut still pending): automation's hires foregone.

        Returns the vacancies actually cancelled; what cannot be cancelled now waits for the
        next vacancies (attrition) in ``pending_cut``.
        """
        cancelled, self.pending_cut = self._cancel(self.pending_cut + count)
        return cancelled

    def shrink(self, count: float) -> float:
        """Remove ``count`` positions lost to a fall in baseline demand (not automation) from
        open vacancies, plus such a fall still pending (``pending_decline``); returns the
        vacancies cancelled. Called after ``forgo_hires`` in a month, so automation's cut
        takes the open vacancies first, as when both were one pending count."""
        cancelled, self.pending_decline = self._cancel(self.pending_decline + count)
        return cancelled

    def _cancel(self, wanted: float) -> tuple[float, float]:
        """Cancel up to ``wanted`` open vacancies: (cancelled, still wanted)."""
        cancelled = min(wanted, max(self.open_vacancies, 0.0))
        self.open_vacancies -= cancelled
        return cancelled, wanted - cancelled

    def lapse(self) -> float:
        """Unfilled AI-era vacancies lost this month (offshored or abandoned)."""
        lost = max(self.skilled_vacancies, 0.0) * self.lapse_rate
        self.skilled_vacancies -= lost
        return lost
