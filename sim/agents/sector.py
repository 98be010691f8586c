"""Sector agents: automation adoption and labour demand, one per sector of the country.

Each sector follows an S-curve of AI adoption A(t) in [0, ceiling]. Its steepness scales with
the country's AI readiness and the scenario's adoption pace; its midpoint and ceiling are
scenario uncertainties. The share of the sector's task time automated is exposure x A(t). The
month's increase in A turns into a displacement probability for each worker in proportion to
the worker's own task exposure (``displacement_rate``), and into new AI-era vacancies elsewhere
(reinstatement, posted by the model in proportion to each sector's augmentation potential).

Vacancies are held in two pools per sector: ``open`` (replacement of ordinary turnover, any
skill) and ``skilled`` (new AI-era jobs, a minimum skill band). Both are counted in simulated
workers.
"""

from __future__ import annotations

import math

import mesa


def logistic(month: float, steepness: float, midpoint: float) -> float:
    """The standard S-curve, 0 at -infinity, 1/2 at the midpoint, 1 at +infinity."""
    z = -steepness * (month - midpoint)
    if z > 700:
        return 0.0
    return 1.0 / (1.0 + math.exp(z))


class SectorAgent(mesa.Agent):
    """One sector: its adoption curve, automated task share and open vacancies."""

    def __init__(
        self,
        model: mesa.Model,
        *,
        index: int,
        name: str,
        exposure: float,
        augmentation: float,
        steepness: float,
        midpoint: float,
        ceiling: float,
        displacement_elasticity: float,
        open_vacancies: float,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.name = name
        self.exposure = exposure
        self.augmentation = augmentation
        self.steepness = steepness
        self.midpoint = midpoint
        self.ceiling = ceiling
        self.elasticity = displacement_elasticity
        self.adoption = self._curve(0)
        self.adoption_increase = 0.0
        self.open_vacancies = open_vacancies
        self.skilled_vacancies = 0.0

    def _curve(self, month: int) -> float:
        return self.ceiling * logistic(month, self.steepness, self.midpoint)

    @property
    def automated_task_share(self) -> float:
        """Share of the sector's task time automated: mean exposure x adoption."""
        return self.exposure * self.adoption

    @property
    def displacement_rate(self) -> float:
        """This month's job-loss probability per unit of a worker's task exposure."""
        return self.elasticity * self.adoption_increase

    def adopt(self) -> None:
        """Advance adoption by one month along the S-curve."""
        new = self._curve(self.model.month)
        self.adoption_increase = max(new - self.adoption, 0.0)
        self.adoption = new
