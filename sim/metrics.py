"""Reporters: what the model records each month, in real workers (or local currency).

Each reporter is a named function with a one-line docstring that doubles as the metric's
documentation in the README, the CLI and the app. Sector reporters return one value per sector
(by the sector of the current job, the last job, or, for displaced workers, the sector they
lost a job to automation in); country reporters return one value. ``how`` says how sectors
combine into the all-sector total: summed, or averaged with employment weights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.agents.workforce import Status


@dataclass(frozen=True)
class Metric:
    """A recorded quantity: its reporter, unit and how sectors combine."""

    name: str
    reporter: Callable
    unit: str
    how: str  # "sum" | "employment_mean" | "country"

    @property
    def description(self) -> str:
        """The reporter's one-line docstring."""
        return (self.reporter.__doc__ or "").strip()


SECTOR_METRICS: dict[str, Metric] = {}
COUNTRY_METRICS: dict[str, Metric] = {}


def _sector(unit: str, how: str = "sum") -> Callable:
    def register(func: Callable) -> Callable:
        SECTOR_METRICS[func.__name__] = Metric(func.__name__, func, unit, how)
        return func
    return register


def _country(unit: str) -> Callable:
    def register(func: Callable) -> Callable:
        COUNTRY_METRICS[func.__name__] = Metric(func.__name__, func, unit, "country")
        return func
    return register


def _stock(model, status: Status) -> np.ndarray:
    return model.workforce.stocks[status].sum(axis=(1, 2)) * model.scale


def _displaced(model, status: Status) -> np.ndarray:
    return model.workforce.displaced_stocks[status].sum(axis=(1, 2)) * model.scale


def _long_term(model, displaced: bool) -> np.ndarray:
    workforce = model.workforce
    long_term = model.long_term_unemployed()
    if displaced:
        by = workforce.displaced_from[long_term]
        by = by[by >= 0]
    else:
        by = workforce.sector[long_term]
    return np.bincount(by, minlength=model.n_sectors) * model.scale


@_sector("workers")
def employed(model) -> np.ndarray:
    """Workers in a regular job, by sector of the job."""
    return _stock(model, Status.EMPLOYED)


@_sector("workers")
def unemployed(model) -> np.ndarray:
    """Unemployed workers searching for a job, by sector of their last job."""
    return _stock(model, Status.UNEMPLOYED)


@_sector("workers")
def long_term_unemployed(model) -> np.ndarray:
    """Unemployed workers jobless for 12 months or more, by sector of their last job."""
    return _long_term(model, displaced=False)


@_sector("workers")
def in_training(model) -> np.ndarray:
    """Workers in a reskilling programme, by sector of their last job."""
    return _stock(model, Status.TRAINING)


@_sector("workers")
def programme_jobs(model) -> np.ndarray:
    """Workers in a job-creation programme job, by sector of the programme job."""
    return _stock(model, Status.PROGRAMME_JOB)


@_sector("workers per month")
def automation_job_losses(model) -> np.ndarray:
    """Jobs lost to automation this month, by sector of the lost job."""
    return model.flow_automation.sum(axis=(1, 2)) * model.scale


@_sector("workers per month")
def turnover_separations(model) -> np.ndarray:
    """Ordinary separations this month (quits, layoffs, contract ends), by sector."""
    return model.flow_turnover * model.scale


@_sector("workers per month")
def hires(model) -> np.ndarray:
    """Unemployed workers hired into regular jobs this month, by sector of the new job."""
    return model.flow_hires * model.scale


@_sector("vacancies")
def vacancies(model) -> np.ndarray:
    """Open vacancies at the end of the month (replacement and new AI-era jobs), by sector."""
    open_ = np.array([max(s.open_vacancies, 0.0) + max(s.skilled_vacancies, 0.0)
                      for s in model.sectors])
    return open_ * model.scale


@_sector("vacancies per month")
def new_ai_vacancies(model) -> np.ndarray:
    """New AI-era vacancies posted this month (reinstatement), by sector."""
    return model.flow_new_vacancies * model.scale


@_sector("workers per month")
def graduates(model) -> np.ndarray:
    """Trainees who completed reskilling this month, by the sector they trained for."""
    return model.reskilling.graduates * model.scale


@_sector("share", how="employment_mean")
def adoption(model) -> np.ndarray:
    """AI adoption level of the sector, A(t), from 0 to the ceiling."""
    return np.array([s.adoption for s in model.sectors])


@_sector("share of task time", how="employment_mean")
def automated_task_share(model) -> np.ndarray:
    """Share of the sector's task time automated: mean task exposure x adoption."""
    return np.array([s.automated_task_share for s in model.sectors])


@_sector("workers per month")
def displaced_rehired(model) -> np.ndarray:
    """Displaced workers hired into a regular job this month, by sector of first loss."""
    return model.flow_displaced_hires.sum(axis=(1, 2)) * model.scale


@_sector("workers")
def displaced_employed(model) -> np.ndarray:
    """Workers displaced by automation who are back in a regular job, by sector of first loss."""
    return _displaced(model, Status.EMPLOYED)


@_sector("workers")
def displaced_unemployed(model) -> np.ndarray:
    """Workers displaced by automation who are unemployed, by sector of first loss."""
    return _displaced(model, Status.UNEMPLOYED)


@_sector("workers")
def displaced_long_term_unemployed(model) -> np.ndarray:
    """Workers displaced by automation unemployed for 12+ months, by sector of first loss."""
    return _long_term(model, displaced=True)


@_sector("workers")
def displaced_in_training(model) -> np.ndarray:
    """Workers displaced by automation now in reskilling, by sector of first loss."""
    return _displaced(model, Status.TRAINING)


@_sector("workers")
def displaced_in_programme_job(model) -> np.ndarray:
    """Workers displaced by automation now in a programme job, by sector of first loss."""
    return _displaced(model, Status.PROGRAMME_JOB)


@_country("workers")
def labour_force(model) -> float:
    """Everyone simulated: employed + unemployed + in training + in programme jobs."""
    return float(model.workforce.stocks.sum() * model.scale)


@_country("share")
def unemployment_rate(model) -> float:
    """Unemployed as a share of the labour force (trainees are not counted as unemployed)."""
    stocks = model.workforce.stocks
    total = stocks.sum()
    return float(stocks[Status.UNEMPLOYED].sum() / total) if total else 0.0


@_country("workers per month")
def reskilling_enrolments(model) -> float:
    """People who started reskilling this month."""
    return float(model.reskilling.enrolled * model.scale)


@_country("workers per month")
def reskilling_dropouts(model) -> float:
    """Trainees who left reskilling this month without completing it."""
    return float(model.reskilling.dropouts * model.scale)


@_country("workers per month")
def programme_hires(model) -> float:
    """People hired into job-creation programme jobs this month."""
    return float(model.job_creation.hired * model.scale)


@_country("workers per month")
def programme_kept_on(model) -> float:
    """Programme workers kept on in a regular job when their programme job ended."""
    return float(model.job_creation.kept_on * model.scale)


@_country("local currency per month")
def reskilling_cost(model) -> float:
    """Reskilling cost committed this month (enrolments x cost per trainee), local currency."""
    return float(model.reskilling.cost_this_month)


@_country("local currency per month")
def job_creation_cost(model) -> float:
    """Cost of this month's programme jobs, local currency."""
    return float(model.job_creation.cost_this_month)


# Running totals derived from monthly flows after a run (name -> monthly metric it sums).
CUMULATIVE = {
    "automation_job_losses_cumulative": "automation_job_losses",
    "displaced_rehired_cumulative": "displaced_rehired",
    "graduates_cumulative": "graduates",
    "reskilling_cost_cumulative": "reskilling_cost",
    "job_creation_cost_cumulative": "job_creation_cost",
}
