"""Reporters: what the model records each month, in real people (or local currency).

Each reporter is a named function with a one-line docstring that doubles as the metric's
documentation in the README, the CLI and the app. Sector reporters return one value per sector
(by the sector of the current job, the last job, or, for displaced people, the sector they were
first laid off from by automation); country reporters return one value. ``how`` says how
sectors combine into the all-sector total: summed, or averaged with employment weights.

Labour-force concepts follow the ILO (19th ICLS): employment = formal + informal + programme
jobs; the labour force = employment + unemployment; full-time trainees and those who stopped
searching are outside the labour force. The informal share and underemployment rate follow the
definition of the basis the inputs hold them on (``sim.inputs.definition``): a national one
(PSA's underemployment is wider than the ILO's time-related concept), the ILO's, or, for
informality, the status proxy (own-account + contributing family workers, a lower bound).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.agents.workforce import EMPLOYED_STATUSES, REGULAR_JOBS, Status


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


_ROWS: dict[tuple[Status, ...], np.ndarray] = {}  # statuses -> their ledger rows


def _by_sector(model, statuses: tuple[Status, ...], *, under: bool | None = None,
               displaced: bool = False) -> np.ndarray:
    """People in ``statuses`` (with the underemployment flag ``under``, if given) by sector
    [S], from the ledger [status, under, sector, sex, skill] (integer counts: exact sums)."""
    ledger = model.workforce.displaced_stocks if displaced else model.workforce.stocks
    rows = _ROWS.get(statuses)
    if rows is None:  # an index array made once: a tuple of enum members is slow to convert
        rows = _ROWS[statuses] = np.array(statuses, dtype=np.intp)
    if under is None:
        return ledger[rows].sum(axis=(0, 1, 3, 4)) * model.scale
    return ledger[rows, int(under)].sum(axis=(0, 2, 3)) * model.scale


def _long_term(model, displaced: bool) -> np.ndarray:
    workforce = model.workforce
    long_term = model.long_term_unemployed()
    by = workforce.displaced_from[long_term] if displaced else workforce.sector[long_term]
    by = by[by >= 0]
    return np.bincount(by, minlength=model.n_sectors) * model.scale


# -- stocks by sector -------------------------------------------------------------------------

@_sector("people")
def employed(model) -> np.ndarray:
    """People in a regular job (formal or informal), by sector of the job."""
    return _by_sector(model, REGULAR_JOBS)


@_sector("people")
def formal_employed(model) -> np.ndarray:
    """People in formal employment, by sector of the job."""
    return _by_sector(model, (Status.FORMAL,))


@_sector("people")
def informal_employed(model) -> np.ndarray:
    """People in informal employment (own-account, family and informal wage work), by sector."""
    return _by_sector(model, (Status.INFORMAL,))


@_sector("people")
def underemployed(model) -> np.ndarray:
    """Employed people underemployed (want more hours; inputs' basis), by sector of the job."""
    return _by_sector(model, REGULAR_JOBS, under=True)


@_sector("people")
def unemployed(model) -> np.ndarray:
    """Unemployed people (ILO: without work, searching, available), by sector of the last job."""
    return _by_sector(model, (Status.UNEMPLOYED,))


@_sector("people")
def long_term_unemployed(model) -> np.ndarray:
    """Unemployed 12 months or more (survey spell: training months excluded), by last sector."""
    return _long_term(model, displaced=False)


@_sector("people")
def inactive(model) -> np.ndarray:
    """People who stopped searching (outside the labour force), by sector of the last job."""
    return _by_sector(model, (Status.INACTIVE,))


@_sector("people")
def in_training(model) -> np.ndarray:
    """People in a reskilling programme, by sector of their last job."""
    return _by_sector(model, (Status.TRAINING,))


@_sector("people")
def programme_jobs(model) -> np.ndarray:
    """People in a job-creation programme job, by sector of the programme job."""
    return _by_sector(model, (Status.PROGRAMME_JOB,))


@_sector("people")
def entrants_employed(model) -> np.ndarray:
    """People who entered the labour force during the run and hold a regular job, by sector."""
    stocks = model.workforce.entrant_stocks
    return stocks[list(REGULAR_JOBS)].sum(axis=0) * model.scale


@_sector("people")
def entrants_formal(model) -> np.ndarray:
    """Entrants during the run in formal employment, by sector."""
    return model.workforce.entrant_stocks[Status.FORMAL] * model.scale


@_sector("vacancies")
def vacancies(model) -> np.ndarray:
    """Open formal vacancies at the end of the month (regular and AI-era), by sector."""
    open_ = np.array([max(s.open_vacancies, 0.0) + max(s.skilled_vacancies, 0.0)
                      for s in model.sectors])
    return open_ * model.scale


@_sector("vacancies")
def ai_vacancies(model) -> np.ndarray:
    """Open AI-era vacancies (need high skill in the sector's field), by sector."""
    return np.array([max(s.skilled_vacancies, 0.0) for s in model.sectors]) * model.scale


@_sector("local currency per month")
def wage_bill(model) -> np.ndarray:
    """Monthly earnings of everyone employed (programme jobs included), by sector of the job."""
    return model.wage_bill() * model.scale


@_sector("local currency per month")
def regular_wage_bill(model) -> np.ndarray:
    """Monthly earnings from regular jobs (programme jobs' pay left out), by sector."""
    return model.wage_bill(regular_only=True) * model.scale


# -- flows by sector --------------------------------------------------------------------------

@_sector("people per month")
def automation_job_losses(model) -> np.ndarray:
    """Layoffs by automation this month ('jobs destroyed'), by sector of the lost job."""
    return model.flow_layoffs.sum(axis=(1, 2)) * model.scale


@_sector("positions per month")
def hires_foregone(model) -> np.ndarray:
    """Vacancies not re-posted because automation removed the job ('jobs not created')."""
    return model.flow_hires_foregone * model.scale


@_sector("positions per month")
def automation_cut(model) -> np.ndarray:
    """Formal positions removed by automation this month (filled or vacant)."""
    return model.flow_cut * model.scale


@_sector("positions")
def automation_cut_pending(model) -> np.ndarray:
    """Automation's cut not yet absorbed, by sector (a stock): positions that go as the next
    vacancies open. Cut to date = hires foregone + layoffs + this, exactly."""
    return np.array([sector.pending_cut for sector in model.sectors]) * model.scale


@_sector("vacancies per month")
def new_ai_vacancies(model) -> np.ndarray:
    """AI-era vacancies created by augmentation this month (reinstatement), by sector."""
    return model.flow_new_vacancies * model.scale


@_sector("vacancies per month")
def ai_vacancies_lapsed(model) -> np.ndarray:
    """AI-era vacancies lost this month for want of qualified applicants, by sector."""
    return model.flow_lapsed * model.scale


@_sector("people per month")
def turnover_separations(model) -> np.ndarray:
    """Ordinary separations this month (quits, layoffs, contract ends), by sector."""
    return model.flow_turnover * model.scale


@_sector("people per month")
def retirements(model) -> np.ndarray:
    """People leaving the population this month (retirement), by sector of the last job."""
    return model.flow_retired * model.scale


@_sector("people per month")
def hires(model) -> np.ndarray:
    """Hires into formal jobs this month (searchers, entrants, informal workers), by sector."""
    return model.flow_hires * model.scale


@_sector("people per month")
def informal_entries(model) -> np.ndarray:
    """Searchers who started informal work this month, by sector."""
    return model.flow_informal_entries * model.scale


@_sector("people per month")
def hires_from_informal(model) -> np.ndarray:
    """Informal workers hired into formal jobs this month, by sector of the new job."""
    return model.flow_from_informal * model.scale


@_sector("people per month")
def graduates(model) -> np.ndarray:
    """Trainees who completed reskilling this month, by the sector they trained for."""
    return model.reskilling.graduates * model.scale


@_sector("share", how="employment_mean")
def adoption(model) -> np.ndarray:
    """AI adoption level of the sector, A(t), from 0 to the ceiling."""
    return np.array([s.adoption for s in model.sectors])


@_sector("share of task time", how="employment_mean")
def automated_task_share(model) -> np.ndarray:
    """Share of the sector's task time automated: mean automation exposure x adoption."""
    return np.array([s.automated_task_share for s in model.sectors])


# -- people laid off by automation (by sector of first layoff) ---------------------------------

@_sector("people per month")
def displaced_rehired(model) -> np.ndarray:
    """Displaced people hired into a regular job this month, by sector of first layoff."""
    return model.flow_displaced_hires.sum(axis=(1, 2)) * model.scale


@_sector("people")
def displaced_formal(model) -> np.ndarray:
    """People laid off by automation now in formal employment, by sector of first layoff."""
    return _by_sector(model, (Status.FORMAL,), displaced=True)


@_sector("people")
def displaced_informal(model) -> np.ndarray:
    """People laid off by automation now in informal employment, by sector of first layoff."""
    return _by_sector(model, (Status.INFORMAL,), displaced=True)


@_sector("people")
def displaced_underemployed(model) -> np.ndarray:
    """People laid off by automation now employed but underemployed, by sector of first layoff."""
    return _by_sector(model, REGULAR_JOBS, under=True, displaced=True)


@_sector("people")
def displaced_unemployed(model) -> np.ndarray:
    """People laid off by automation now unemployed, by sector of first layoff."""
    return _by_sector(model, (Status.UNEMPLOYED,), displaced=True)


@_sector("people")
def displaced_long_term_unemployed(model) -> np.ndarray:
    """People laid off by automation unemployed 12+ months, by sector of first layoff."""
    return _long_term(model, displaced=True)


@_sector("people")
def displaced_inactive(model) -> np.ndarray:
    """People laid off by automation who stopped searching, by sector of first layoff."""
    return _by_sector(model, (Status.INACTIVE,), displaced=True)


@_sector("people")
def displaced_retired(model) -> np.ndarray:
    """People laid off by automation who have since retired, by sector of first layoff."""
    return model.cohort.retired * model.scale


@_sector("people")
def displaced_in_training(model) -> np.ndarray:
    """People laid off by automation now in reskilling, by sector of first layoff."""
    return _by_sector(model, (Status.TRAINING,), displaced=True)


@_sector("people")
def displaced_in_programme_job(model) -> np.ndarray:
    """People laid off by automation now in a programme job, by sector of first layoff."""
    return _by_sector(model, (Status.PROGRAMME_JOB,), displaced=True)


# -- country --------------------------------------------------------------------------------

def _total(model, statuses: tuple[Status, ...]) -> float:
    return float(model.workforce.stocks[list(statuses)].sum())


@_country("people")
def labour_force(model) -> float:
    """ILO labour force: employed (formal, informal, programme jobs) plus unemployed."""
    return _total(model, (*EMPLOYED_STATUSES, Status.UNEMPLOYED)) * model.scale


@_country("people")
def population(model) -> float:
    """Everyone simulated: the labour force, trainees and those who stopped searching."""
    return float(model.workforce.stocks.sum()) * model.scale


@_country("share")
def unemployment_rate(model) -> float:
    """Unemployed as a share of the labour force (ILO; trainees are outside it)."""
    lf = _total(model, (*EMPLOYED_STATUSES, Status.UNEMPLOYED))
    return _total(model, (Status.UNEMPLOYED,)) / lf if lf else 0.0


@_country("share")
def unemployment_rate_counting_trainees(model) -> float:
    """Unemployed and reskilling trainees as a share of the labour force with the trainees in
    it. ``unemployment_rate`` keeps trainees outside the labour force, as surveys classify
    full-time trainees who are not available for work. The model's trainees search (at
    ``search_intensity``) and leave the course for a job, so they also meet the 19th ICLS
    criteria (without work, seeking, available): this is the upper reading. The gap between
    the two is how much of a programme's fall in unemployment is its trainees."""
    counted = (*EMPLOYED_STATUSES, Status.UNEMPLOYED, Status.TRAINING)
    lf = _total(model, counted)
    return _total(model, (Status.UNEMPLOYED, Status.TRAINING)) / lf if lf else 0.0


@_country("share")
def informal_share(model) -> float:
    """Informal share of employment on the inputs' basis: national, ILO harmonised or proxy."""
    employed_ = _total(model, EMPLOYED_STATUSES)
    return _total(model, (Status.INFORMAL,)) / employed_ if employed_ else 0.0


@_country("share")
def underemployment_rate(model) -> float:
    """Underemployment, share of employment, on the inputs' basis: national or ILO time-related."""
    employed_ = _total(model, EMPLOYED_STATUSES)
    under = float(model.workforce.stocks[list(REGULAR_JOBS), 1].sum())
    return under / employed_ if employed_ else 0.0


@_country("share")
def vacancy_rate(model) -> float:
    """Formal vacancies as a share of formal jobs plus vacancies (as DOSM and MOM measure it)."""
    open_ = sum(max(s.open_vacancies, 0.0) + max(s.skilled_vacancies, 0.0)
                for s in model.sectors)
    jobs = _total(model, (Status.FORMAL,))
    return open_ / (jobs + open_) if jobs + open_ else 0.0


@_country("people per month")
def entrants(model) -> float:
    """People entering the labour force this month."""
    return float(model.flow_entrants.sum()) * model.scale


@_country("people per month")
def discouraged(model) -> float:
    """Long-term unemployed who stopped searching this month."""
    return float(model.flow_discouraged) * model.scale


@_country("people per month")
def reskilling_assigned(model) -> float:
    """People newly eligible for reskilling and randomly assigned (offer or control)."""
    return float(model.reskilling.assigned) * model.scale


@_country("people per month")
def reskilling_enrolments(model) -> float:
    """People who started reskilling this month."""
    return float(model.reskilling.enrolled) * model.scale


@_country("people")
def reskilling_people(model) -> float:
    """Distinct people enrolled in reskilling to date (one person can enrol in several spells)."""
    return float(model.reskilling.people_trained) * model.scale


@_country("people")
def reskilling_waiting(model) -> float:
    """People offered a reskilling place and still waiting for a seat."""
    return float(model.reskilling.queue.size) * model.scale


@_country("people per month")
def reskilling_dropouts(model) -> float:
    """Trainees who left reskilling this month without completing it."""
    return float(model.reskilling.dropouts) * model.scale


@_country("people per month")
def programme_hires(model) -> float:
    """People hired into job-creation programme jobs this month."""
    return float(model.job_creation.enrolled) * model.scale


@_country("people per month")
def programme_kept_on(model) -> float:
    """Programme workers kept on in a regular vacancy when their programme job ended."""
    return float(model.job_creation.kept_on) * model.scale


@_country("vacancies per month")
def programme_substitution(model) -> float:
    """Regular vacancies taken by programme jobs this month (substitution)."""
    return float(model.job_creation.substituted) * model.scale


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
    "hires_foregone_cumulative": "hires_foregone",
    "automation_cut_cumulative": "automation_cut",
    "new_ai_vacancies_cumulative": "new_ai_vacancies",
    "ai_vacancies_lapsed_cumulative": "ai_vacancies_lapsed",
    "displaced_rehired_cumulative": "displaced_rehired",
    "graduates_cumulative": "graduates",
    "reskilling_enrolments_cumulative": "reskilling_enrolments",
    "reskilling_cost_cumulative": "reskilling_cost",
    "job_creation_cost_cumulative": "job_creation_cost",
    "wage_bill_cumulative": "wage_bill",
    "programme_hires_cumulative": "programme_hires",
}


def exposed_employment(model) -> dict[str, float]:
    """Share of employment in GenAI-exposed occupations, as the ILO counts it, by sex.

    Each employed person counts with their occupation's share of occupations in an ILO 2025
    exposure gradient (2-digit ISCO-08 where the country has 2-digit employment, else the major
    group): the ILO's method at the finest occupation level the data allow, with no fitted
    factor. Returns shares for ``all``, ``female`` and ``male`` (one pass over the population).
    """
    workforce = model.workforce
    n = workforce.n
    status = workforce.status[:n]
    employed = (status == Status.FORMAL) | (status == Status.INFORMAL)
    exposed = model.inputs.exposed_share[workforce.occ[:n]]
    female = workforce.female[:n]
    out = {}
    for name, mask in (("all", employed), ("female", employed & female),
                       ("male", employed & ~female)):
        out[name] = float(exposed[mask].mean()) if mask.any() else float("nan")
    return out
