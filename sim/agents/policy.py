"""Policy programme agents: reskilling and job creation, run as real programmes run.

Both act once a month, after displacement and before matching:
1. release those whose time is up (graduates and drop-outs; programme jobs that end);
2. randomly assign the newly eligible to an offer or to the evaluation's control group
   (``sim.evaluation``); the offered join a waiting list;
3. fill this month's places from the waiting list in the stated order.

Rules (each a documented parameter in ``sim.scenarios.schema``):
- eligibility runs on months since the last regular job (training and programme jobs do not
  reset it); a person is assigned at most once per spell without a regular job, across both
  programmes (an optional cool-down allows a repeat within a spell);
- people on the waiting list who find work, or stop searching, leave it;
- trainees and programme workers keep searching at a reduced intensity (lock-in; see
  ``sim.model.LabourMarketModel.match``);
- a completed course raises the skill band (which admits to AI-era vacancies in the trained
  sector) and earnings (``sim.earnings.training_factor``), and wipes part of the search time
  employers see (``search_refresh``); a drop-out resumes the search where it paused;
- a programme job is employment (ILO); while it lasts it holds ``substitution_share`` of a
  regular vacancy in its sector (substitution: the position is still the sector's, but no
  searcher can take it), posted again when the programme job ends (Dahlberg and Forslund's
  displacement is by subsidised jobs while they exist); at the end a worker is kept on only
  into an open regular vacancy of that sector (a fractional vacancy with the chance of its
  fraction, so the count does not depend on the simulation's scale); otherwise they return
  to search with the jobless clock still running.

Sizes are given per 100,000 people in the labour force and turned into simulated people with
stochastic rounding. Costs are in months of the country's average earnings (no sourced costs
exist for ASEAN outside Singapore) and reported in local currency.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.agents.columns import isin
from sim.agents.workforce import N_SKILL, NEVER, NO_SECTOR, Status, Workforce
from sim.earnings import training_factor
from sim.scenarios.schema import JobCreation, Reskilling
from sim.vocabulary import LONG_TERM_MONTHS

RESKILLING, JOB_CREATION = 0, 1


def stochastic_round(rng: np.random.Generator, value: float) -> int:
    """Round ``value`` up with probability equal to its fractional part (unbiased)."""
    whole = int(np.floor(value))
    return whole + int(rng.random() < value - whole)


def _pick_sector(rng: np.random.Generator, sectors: np.ndarray, weights: np.ndarray,
                 n: int) -> np.ndarray:
    return rng.choice(sectors, size=n, p=weights) if n else np.empty(0, dtype=np.int8)


class Programme(mesa.Agent):
    """What both programmes share: eligibility, random assignment and the waiting list."""

    kind = RESKILLING
    lever: Reskilling | JobCreation

    def __init__(self, model: mesa.Model, lever: Reskilling | JobCreation) -> None:
        super().__init__(model)
        self.lever = lever
        self.queue = np.empty(0, dtype=np.int64)
        self.queued_since = np.empty(0, dtype=np.int16)
        self.queued_spell = np.empty(0, dtype=np.int16)  # jobless_since when offered
        self.assigned = 0       # newly assigned this month (offered + control)
        self.offered = 0
        self.enrolled = 0

    @property
    def running(self) -> bool:
        """Whether the programme acts this month: from simulated month start_month + 1 on (0 =
        from the first simulated month; 12 = from the thirteenth, January 2027 for a run
        starting 2026-01)."""
        return self.lever.enabled and self.model.month > self.lever.start_month

    def _eligible(self, min_months: int, group: str) -> np.ndarray:
        """Unemployed people newly eligible this month (not yet assigned in this spell, or
        assigned at least ``cooldown_months`` ago; never someone already on the waiting list)."""
        model, workforce = self.model, self.model.workforce
        month = model.month
        pool = workforce.with_status(Status.UNEMPLOYED)
        pool = pool[month - workforce.jobless_since[pool] >= min_months]
        assigned = workforce.last_enrol[pool]
        fresh = assigned < workforce.jobless_since[pool]
        cooldown = self.lever.cooldown_months
        if cooldown is not None:
            fresh |= (assigned != NEVER) & (month - assigned >= cooldown)
        pool = pool[fresh]
        if self.queue.size:  # a person waits on the list once (a cooldown must not add twice)
            pool = pool[~isin(pool, self.queue)]
        if group == "automation_displaced":
            pool = pool[workforce.displaced_from[pool] != NO_SECTOR]
        elif group == "focus_sectors":
            pool = pool[np.isin(workforce.sector[pool], model.focus_ids)]
        elif group == "long_term_unemployed":
            pool = pool[month - workforce.jobless_since[pool] >= LONG_TERM_MONTHS]
        return pool

    def _assign(self, eligible: np.ndarray) -> None:
        model, workforce = self.model, self.model.workforce
        month = model.month
        workforce.last_enrol[eligible] = month
        long_term = month - workforce.jobless_since[eligible] >= LONG_TERM_MONTHS
        offered = model.evaluation.assign(eligible, month, self.kind, long_term)
        joining = eligible[offered]
        self.queue = np.concatenate([self.queue, joining])
        self.queued_since = np.concatenate(
            [self.queued_since, np.full(joining.size, month, dtype=np.int16)])
        self.queued_spell = np.concatenate([self.queued_spell,
                                            workforce.jobless_since[joining]])
        self.assigned = int(eligible.size)
        self.offered = int(joining.size)

    def _keep(self, mask: np.ndarray) -> None:
        self.queue = self.queue[mask]
        self.queued_since = self.queued_since[mask]
        self.queued_spell = self.queued_spell[mask]

    def forget(self, people: np.ndarray) -> None:
        """People who left the population leave the waiting list."""
        if self.queue.size and people.size:
            self._keep(~isin(self.queue, people))

    def _take_from_queue(self, places: int) -> np.ndarray:
        """The first ``places`` people on the waiting list still unemployed in the spell in
        which they were offered a place (a job found, even one lost again, ends the offer)."""
        workforce = self.model.workforce
        self._keep((workforce.status[self.queue] == Status.UNEMPLOYED)
                   & (workforce.jobless_since[self.queue] == self.queued_spell))
        if places <= 0 or self.queue.size == 0:
            return np.empty(0, dtype=np.int64)
        if self.lever.queue_order == "longest_jobless_first":
            order = np.lexsort((self.queued_since, workforce.jobless_since[self.queue]))
        else:  # first come, first served
            order = np.argsort(self.queued_since, kind="stable")
        chosen = order[:places]
        taken = self.queue[chosen]
        keep = np.ones(self.queue.size, dtype=bool)
        keep[chosen] = False
        self._keep(keep)
        return taken

    @staticmethod
    def _resume_clocks(workforce: Workforce, idx: np.ndarray, month: int, *,
                       refresh: float = 0.0, new_spell: bool = False) -> None:
        """Back to search after training or a programme job.

        Training is not unemployment (ILO), so the survey's unemployment spell resumes where it
        paused; a programme job is employment, so a new spell starts (``new_spell``). The
        search itself resumes where it paused, less the share ``refresh`` of the time already
        searched (a completed course). The months-since-last-regular-job clock is never touched.
        """
        away = (month - workforce.status_since[idx]).astype(np.int16)
        if new_spell:
            workforce.spell_start[idx] = month
        else:
            workforce.spell_start[idx] += away
        searched = workforce.status_since[idx] - workforce.search_since[idx]
        kept = np.round(searched * (1.0 - refresh)).astype(np.int16)
        workforce.search_since[idx] = month - kept


def sector_chances(names: list[str], sector_ids: dict[str, int],
                   sector_weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A programme's sectors: their ids [k] int8 (``names`` in order) and the chance of each
    [k], in proportion to ``sector_weights`` [S] (equal chances if their weights are all 0)."""
    ids = np.array([sector_ids[name] for name in names], dtype=np.int8)
    weights = sector_weights[ids]
    chances = (weights / weights.sum() if weights.sum() > 0
               else np.full(ids.size, 1 / ids.size))
    return ids, chances


class ReskillingProgramme(Programme):
    """Seats, eligibility, duration, completion, skill gain, target sectors and cost."""

    kind = RESKILLING
    lever: Reskilling

    def __init__(self, model: mesa.Model, lever: Reskilling, sector_ids: dict[str, int],
                 sector_weights: np.ndarray) -> None:
        super().__init__(model, lever)
        self.targets, self.target_p = sector_chances(lever.target_sectors, sector_ids,
                                                     sector_weights)
        self.seats_per_month = lever.seats_per_100k * model.labour_force_real / 100_000
        self.cost_per_trainee = lever.cost_per_trainee_wage_months * model.avg_wage_lcu
        self.graduates = np.zeros(model.n_sectors, dtype=np.int64)
        self.dropouts = 0
        self.trained_ids = np.empty(0, dtype=np.int64)  # everyone ever enrolled, sorted
        self.trained_left = 0  # of whom left the population (their slots are reused)

    def step(self) -> None:
        """Release those whose course is over, assign the newly eligible, fill the seats."""
        self.enrolled = self.assigned = self.offered = 0
        self.graduates[:] = 0
        self.dropouts = 0
        if not self.running:
            return
        model, workforce = self.model, self.model.workforce
        rng, month, lever = model.streams.programme, model.month, self.lever
        in_training = workforce.with_status(Status.TRAINING)
        done = in_training[month - workforce.status_since[in_training] >= lever.duration_months]
        completed = rng.random(done.size) < lever.completion_rate
        graduates, dropouts = done[completed], done[~completed]
        self._graduate(graduates)
        self._resume_clocks(workforce, dropouts, month)
        workforce.move(dropouts, Status.UNEMPLOYED, month)
        workforce.target[done] = NO_SECTOR
        self.dropouts = int(dropouts.size)

        self._assign(self._eligible(lever.min_months_unemployed, lever.eligibility))
        seats = stochastic_round(rng, self.seats_per_month / model.scale)
        chosen = self._take_from_queue(seats)
        if chosen.size == 0:
            return
        workforce.target[chosen] = _pick_sector(rng, self.targets, self.target_p, chosen.size)
        workforce.move(chosen, Status.TRAINING, month)
        model.evaluation.note_enrolment(chosen, month, self.kind)
        self.enrolled = int(chosen.size)
        self.trained_ids = np.union1d(self.trained_ids, chosen)

    def forget(self, people: np.ndarray) -> None:
        """People who left the population leave the waiting list; the count of people ever
        trained keeps them."""
        super().forget(people)
        gone = isin(self.trained_ids, people)
        self.trained_left += int(gone.sum())
        self.trained_ids = self.trained_ids[~gone]

    @property
    def people_trained(self) -> int:
        """Distinct people ever enrolled (enrolments can repeat across spells)."""
        return int(self.trained_ids.size) + self.trained_left

    def _graduate(self, graduates: np.ndarray) -> None:
        """Graduates: skill up, earnings factor up, a fresh search in the trained sector."""
        model, workforce, lever = self.model, self.model.workforce, self.lever
        month = model.month
        target = workforce.target[graduates]
        old = workforce.skill[graduates]
        new = np.minimum(old + lever.skill_gain, N_SKILL - 1).astype(np.int8)
        # The pay table pays by skill band; keep the band's pay gap out of the training return.
        pay = model.skill_pay
        factor = (workforce.factor[graduates] * pay[old] / pay[new] * training_factor(
            lever.duration_months, workforce.female[graduates],
            return_men=lever.earnings_return_men, return_women=lever.earnings_return_women))
        self.graduates = np.bincount(target, minlength=model.n_sectors)
        self._resume_clocks(workforce, graduates, month, refresh=lever.search_refresh)
        workforce.move(graduates, Status.UNEMPLOYED, month, sector=target, skill=new,
                       factor=factor.astype(np.float32))

    @property
    def cost_this_month(self) -> float:
        """Cost committed this month in local currency (real trainees x cost per trainee)."""
        return self.enrolled * self.model.scale * self.cost_per_trainee


class JobCreationProgramme(Programme):
    """Programme jobs: how many a month, in which sectors, for how long, for whom, at what cost."""

    kind = JOB_CREATION
    lever: JobCreation

    def __init__(self, model: mesa.Model, lever: JobCreation, sector_ids: dict[str, int],
                 sector_weights: np.ndarray) -> None:
        super().__init__(model, lever)
        self.sectors, self.sector_p = sector_chances(lever.sectors, sector_ids, sector_weights)
        self.jobs_per_month = lever.jobs_per_100k * model.labour_force_real / 100_000
        self.cost_per_job_month = lever.cost_per_job_month_wage_months * model.avg_wage_lcu
        self.kept_on = 0
        self.ended = 0
        self.substituted = 0.0
        self.active = 0

    def step(self) -> None:
        """End programme jobs that are over, assign the newly eligible, create this month's jobs."""
        self.enrolled = self.assigned = self.offered = self.kept_on = self.ended = 0
        self.substituted = 0.0
        if not self.running:
            self.active = int(self.model.workforce.stocks[Status.PROGRAMME_JOB].sum())
            return
        model, workforce, lever = self.model, self.model.workforce, self.lever
        rng, month = model.streams.programme, model.month
        in_jobs = workforce.with_status(Status.PROGRAMME_JOB)
        ending = in_jobs[month - workforce.status_since[in_jobs] >= lever.duration_months]
        self._release(in_jobs, ending)
        self._end(ending)

        self._assign(self._eligible(0, lever.targeting))
        jobs = stochastic_round(rng, self.jobs_per_month / model.scale)
        chosen = self._take_from_queue(jobs)
        sectors = _pick_sector(rng, self.sectors, self.sector_p, chosen.size)
        workforce.move(chosen, Status.PROGRAMME_JOB, month, sector=sectors)
        model.evaluation.note_enrolment(chosen, month, self.kind)
        created = np.bincount(sectors, minlength=model.n_sectors)
        for sector in model.sectors:
            # substitution: programme jobs hold regular vacancies of the sector while they last
            taken = min(lever.substitution_share * created[sector.index],
                        max(sector.open_vacancies, 0.0))
            sector.open_vacancies -= taken
            sector.held_vacancies += taken
            self.substituted += taken
        self.enrolled = int(chosen.size)
        self.active = int(workforce.stocks[Status.PROGRAMME_JOB].sum())

    def _release(self, in_jobs: np.ndarray, ending: np.ndarray) -> None:
        """The regular vacancies held by the programme jobs that end are posted again: in each
        sector, the ending jobs' share of its programme jobs times the vacancies it holds."""
        model, workforce = self.model, self.model.workforce
        n = model.n_sectors
        active = np.bincount(workforce.sector[in_jobs], minlength=n)
        ended = np.bincount(workforce.sector[ending], minlength=n)
        for sector in model.sectors:
            j = sector.index
            if ended[j]:
                back = sector.held_vacancies * ended[j] / active[j]
                sector.held_vacancies -= back
                sector.open_vacancies += back

    def _end(self, ending: np.ndarray) -> None:
        """Programme jobs that end: kept on into an open regular vacancy, or back to search."""
        model, workforce = self.model, self.model.workforce
        rng, month = model.streams.programme, model.month
        self.ended = int(ending.size)
        wants = ending[rng.random(ending.size) < self.lever.transition_to_regular]
        kept = []
        for sector in model.sectors:
            here = wants[workforce.sector[wants] == sector.index]
            if not here.size:
                continue
            room = stochastic_round(rng, max(sector.open_vacancies, 0.0))
            if room:
                take = here[:room]
                sector.open_vacancies -= take.size
                kept.append(take)
        kept_on = np.concatenate(kept) if kept else np.empty(0, dtype=np.int64)
        model.hire(kept_on, Status.FORMAL, workforce.sector[kept_on], source="programme")
        back = np.setdiff1d(ending, kept_on, assume_unique=True)
        self._resume_clocks(workforce, back, month, new_spell=True)
        workforce.move(back, Status.UNEMPLOYED, month)
        self.kept_on = int(kept_on.size)

    @property
    def cost_this_month(self) -> float:
        """Wage and overhead cost of this month's programme jobs in local currency."""
        return self.active * self.model.scale * self.cost_per_job_month
