"""Policy programme agents: reskilling and job creation.

Each programme is switched on and shaped by the scenario's levers and acts once a month, after
displacement and before matching: it first releases the people whose time is up (graduates and
drop-outs; programme jobs that end), then enrols new people into its seats.

Programme sizes are given per 100,000 people in the labour force so a scenario reads the same
for Brunei and Indonesia; the model turns them into simulated workers with stochastic rounding.
Costs are given in months of the country's average earnings (no sourced per-trainee costs exist
for ASEAN outside Singapore) and reported in local currency.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.agents.workforce import N_SKILL, NO_SECTOR, Status, Workforce
from sim.scenarios.schema import JobCreation, Reskilling
from sim.vocabulary import LONG_TERM_MONTHS


def stochastic_round(rng: np.random.Generator, value: float) -> int:
    """Round ``value`` up with probability equal to its fractional part (unbiased)."""
    whole = int(np.floor(value))
    return whole + int(rng.random() < value - whole)


def pick(rng: np.random.Generator, candidates: np.ndarray, count: int) -> np.ndarray:
    """Up to ``count`` distinct candidates, uniformly at random."""
    if count >= candidates.size:
        return candidates
    return rng.choice(candidates, size=count, replace=False)


class ReskillingProgramme(mesa.Agent):
    """Seats, eligibility, duration, completion, skill gain, target sectors and cost."""

    def __init__(self, model: mesa.Model, lever: Reskilling, sector_ids: dict[str, int],
                 sector_weights: np.ndarray) -> None:
        super().__init__(model)
        self.lever = lever
        targets = np.array([sector_ids[name] for name in lever.target_sectors], dtype=np.int8)
        weights = sector_weights[targets]
        self.targets = targets
        self.target_p = (weights / weights.sum() if weights.sum() > 0
                         else np.full(targets.size, 1 / targets.size))
        self.seats_per_month = lever.seats_per_100k * model.labour_force_real / 100_000
        self.cost_per_trainee = lever.cost_per_trainee_wage_months * model.avg_wage_lcu
        self.enrolled = 0
        self.graduates = np.zeros(model.n_sectors, dtype=np.int64)
        self.dropouts = 0

    def step(self) -> None:
        """Graduate those whose training is over, then fill this month's seats."""
        model = self.model
        self.enrolled = 0
        self.graduates[:] = 0
        self.dropouts = 0
        if not self.lever.enabled or model.month < self.lever.start_month:
            return
        workforce: Workforce = model.workforce
        rng = model.rng
        month = model.month
        idle = model.idle
        in_training = idle[workforce.status[idle] == Status.TRAINING]
        months = month - workforce.status_since[in_training]
        done = in_training[months >= self.lever.duration_months]
        completed = rng.random(done.size) < self.lever.completion_rate
        graduates, dropouts = done[completed], done[~completed]
        target = workforce.target[graduates]
        skill = np.minimum(workforce.skill[graduates] + self.lever.skill_gain, N_SKILL - 1)
        self.graduates = np.bincount(target, minlength=model.n_sectors)
        # Graduates search afresh in their new sector; drop-outs resume their old search.
        workforce.move(graduates, Status.UNEMPLOYED, month, sector=target,
                       skill=skill.astype(np.int8))
        workforce.move(dropouts, Status.UNEMPLOYED, month)
        workforce.status_since[dropouts] = workforce.jobless_since[dropouts]
        workforce.target[done] = NO_SECTOR
        self.dropouts = int(dropouts.size)

        seats = stochastic_round(rng, self.seats_per_month / model.scale)
        if seats <= 0:
            return
        unemployed = idle[workforce.status[idle] == Status.UNEMPLOYED]
        eligible = unemployed[month - workforce.jobless_since[unemployed]
                              >= self.lever.min_months_unemployed]
        if self.lever.eligibility == "automation_displaced":
            eligible = eligible[workforce.displaced_from[eligible] != NO_SECTOR]
        chosen = pick(rng, eligible, seats)
        workforce.target[chosen] = rng.choice(self.targets, size=chosen.size, p=self.target_p)
        workforce.move(chosen, Status.TRAINING, month)
        self.enrolled = int(chosen.size)

    @property
    def cost_this_month(self) -> float:
        """Cost committed this month in local currency (real trainees x cost per trainee)."""
        return self.enrolled * self.model.scale * self.cost_per_trainee


class JobCreationProgramme(mesa.Agent):
    """Programme jobs: how many a month, in which sectors, for how long, for whom, at what cost."""

    def __init__(self, model: mesa.Model, lever: JobCreation, sector_ids: dict[str, int],
                 sector_weights: np.ndarray) -> None:
        super().__init__(model)
        self.lever = lever
        sectors = np.array([sector_ids[name] for name in lever.sectors], dtype=np.int8)
        weights = sector_weights[sectors]
        self.sectors = sectors
        self.sector_p = (weights / weights.sum() if weights.sum() > 0
                         else np.full(sectors.size, 1 / sectors.size))
        self.jobs_per_month = lever.jobs_per_100k * model.labour_force_real / 100_000
        self.cost_per_job_month = lever.cost_per_job_month_wage_months * model.avg_wage_lcu
        self.hired = 0
        self.kept_on = 0
        self.active = 0

    def step(self) -> None:
        """End programme jobs that are over, then hire this month's programme workers."""
        model = self.model
        self.hired = 0
        self.kept_on = 0
        if not self.lever.enabled or model.month < self.lever.start_month:
            self.active = 0
            return
        workforce: Workforce = model.workforce
        rng = model.rng
        month = model.month
        idle = model.idle
        in_jobs = idle[workforce.status[idle] == Status.PROGRAMME_JOB]
        ending = in_jobs[month - workforce.status_since[in_jobs] >= self.lever.duration_months]
        kept = rng.random(ending.size) < self.lever.transition_to_regular
        workforce.move(ending[kept], Status.EMPLOYED, month)
        workforce.move(ending[~kept], Status.UNEMPLOYED, month, jobless=True)
        self.kept_on = int(kept.sum())

        jobs = stochastic_round(rng, self.jobs_per_month / model.scale)
        unemployed = idle[workforce.status[idle] == Status.UNEMPLOYED]
        if self.lever.targeting == "automation_displaced":
            eligible = unemployed[workforce.displaced_from[unemployed] != NO_SECTOR]
        elif self.lever.targeting == "long_term_unemployed":
            eligible = unemployed[month - workforce.jobless_since[unemployed] >= LONG_TERM_MONTHS]
        else:
            eligible = unemployed
        chosen = pick(rng, eligible, jobs)
        sectors = rng.choice(self.sectors, size=chosen.size, p=self.sector_p)
        workforce.move(chosen, Status.PROGRAMME_JOB, month, sector=sectors)
        self.hired = int(chosen.size)
        self.active = int(in_jobs.size - ending.size + chosen.size)

    @property
    def cost_this_month(self) -> float:
        """Wage and overhead cost of this month's programme jobs in local currency."""
        return self.active * self.model.scale * self.cost_per_job_month
