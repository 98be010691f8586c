"""LabourMarketModel: one country's labour market under AI adoption, month by month.

The model holds one ``Workforce`` agent (every simulated person, as arrays), one
``SectorAgent`` per sector and the two programme agents. ``step`` tells the month's story:

1. sectors advance along their adoption curves;
2. people leave jobs (ordinary turnover) and the population (retirement); formal leavers'
   jobs become vacancies;
3. firms adjust formal labour demand: automation removes positions, first by not re-posting
   vacancies (hires foregone), beyond what attrition absorbs by layoffs of the most exposed;
   baseline growth adds vacancies; augmentation adds AI-era vacancies, which lapse unfilled;
4. young people enter the labour force; some stop searching, some start again; hours change
   (time-related underemployment);
5. the programmes release, assign (randomised evaluation) and enrol people;
6. searchers meet vacancies (formal) or start informal work;
7. pay scars fade; the evaluation records its outcomes.

Every random process draws from its own stream (``sim.streams``). Counts are in simulated
people; reporters (``sim.metrics``) multiply by the scale factor to report real people.
"""

from __future__ import annotations

import numpy as np

from sim import kernels
from sim.agents.columns import shaped
from sim.agents.policy import stochastic_round
from sim.agents.workforce import (
    N_SKILL,
    NO_SECTOR,
    REGULAR_JOBS,
    UNDER,
    Status,
    Workforce,
)
from sim.errors import ModelError
from sim.flows import LabourFlows
from sim.inputs import CountryInputs
from sim.matching import (
    hire_rate,
    target_sectors,
)
from sim.model_setup import ModelSetup
from sim.population import (
    automatic_scale,
    draw_people,
)
from sim.products import vec_mat
from sim.scenarios.schema import Scenario
from sim.streams import Streams
from sim.vocabulary import LONG_TERM_MONTHS, SKILL_BANDS

__all__ = ["LabourFlows", "LabourMarketModel", "ModelError", "automatic_scale"]

#: Where entrants start, in the order of ``flow_entrants``.
ENTRANT_STATUSES = np.array([Status.UNEMPLOYED, Status.FORMAL, Status.INFORMAL], dtype=np.intp)


class LabourMarketModel(ModelSetup):
    """One country's people, sectors and programmes under a scenario (the set-up at month 0:
    ``sim.model_setup``)."""

    def __init__(
        self,
        scenario: Scenario,
        inputs: CountryInputs,
        flows: LabourFlows,
        *,
        seed: np.random.SeedSequence | int | None = None,
        watch: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """Build the country at month 0.

        Args:
            scenario: validated scenario (parameters, levers, run settings).
            inputs: the country's data (``sim.inputs.country_inputs``).
            flows: its calibrated labour flows (``data/calibration.csv``).
            seed: the replication's seed; every random stream is spawned from it.
            watch: (people, event months, months they left) whose earnings to record by months
                since the event: the displaced cohort of a twin run (``sim.runner``). Without
                it, the model records its own displaced cohort.

        Raises:
            ModelError: a population with no workers, or a scale too coarse for the country.
        """
        super().__init__(rng=np.random.default_rng(0))  # Mesa's own generator is not used
        self.scenario = scenario
        self.inputs = inputs
        self.streams = Streams.from_seed(seed)
        self.month = 0
        self.horizon = scenario.run.horizon_months
        self.sector_names = inputs.sectors
        self.n_sectors = len(inputs.sectors)
        self.sector_ids = {name: i for i, name in enumerate(inputs.sectors)}
        self.focus_ids = np.array([self.sector_ids[s] for s in scenario.focus_sectors],
                                  dtype=np.int8)
        self.avg_wage_lcu = inputs.avg_wage
        self.skill_pay = inputs.skill_pay
        self.flows = flows
        self._build_population()
        self._build_sectors()
        self._build_search()
        self._build_programmes()
        self.watch = watch
        # earnings of the watched cohort by months since layoff: [sum, people], local currency
        self.cohort_earnings = np.zeros((2, self.horizon + 1))
        self._reset_flows()
        self.idle = self.workforce.refresh_idle()

    def _reset_flows(self) -> None:
        self.workforce.transitions[:] = 0
        s = self.n_sectors
        shape = (s, 2, N_SKILL)
        self.flow_layoffs = np.zeros(shape, dtype=np.int64)
        self.flow_turnover = np.zeros(s, dtype=np.int64)
        self.flow_retired = np.zeros(s, dtype=np.int64)
        self.flow_entrants = np.zeros(3, dtype=np.int64)     # into U, formal, informal
        self.flow_hires = np.zeros(s, dtype=np.int64)         # formal hires (all sources)
        self.flow_informal_entries = np.zeros(s, dtype=np.int64)
        self.flow_from_informal = np.zeros(s, dtype=np.int64)
        self.flow_displaced_hires = np.zeros(shape, dtype=np.int64)
        self.flow_hires_foregone = np.zeros(s)
        self.flow_cut = np.zeros(s)
        self.flow_growth_vacancies = np.zeros(s)
        self.flow_new_vacancies = np.zeros(s)
        self.flow_lapsed = np.zeros(s)
        self.flow_discouraged = 0
        self.flow_reentered = 0

    # -- the month ----------------------------------------------------------------------------

    def step(self) -> None:
        """One month, in the order of the module docstring."""
        self.month += 1
        self._reset_flows()
        for sector in self.sectors:
            sector.adopt(self.month)
        self.separate()
        self.adjust_demand()
        self.enter()
        self.labour_force_flows()
        self.idle = self.workforce.refresh_idle()
        self.reskilling.step()
        self.job_creation.step()
        self.match()
        self.update_earnings()
        self.evaluation.record(self.month, self.workforce, self.regular_earnings)

    def separate(self) -> None:
        """Ordinary turnover (to unemployment) and retirement (out of the population)."""
        workforce, month = self.workforce, self.month
        rng = self.streams.turnover
        bound = float(self.separation.max())
        leavers = workforce.sample(rng, bound, REGULAR_JOBS)
        accept = rng.random(leavers.size) * bound < self.separation[workforce.sector[leavers]]
        leavers = leavers[accept]
        formal = leavers[workforce.status[leavers] == Status.FORMAL]
        self.flow_turnover = np.bincount(workforce.sector[leavers], minlength=self.n_sectors)
        self._reopen(formal)
        self._to_search(leavers, month)
        workforce.move(leavers, Status.UNEMPLOYED, month)

        rng = self.streams.population_size
        retiring = workforce.sample(rng, self.retire_rate,
                                    (Status.FORMAL, Status.INFORMAL, Status.UNEMPLOYED,
                                     Status.TRAINING, Status.PROGRAMME_JOB, Status.INACTIVE))
        self._reopen(retiring[workforce.status[retiring] == Status.FORMAL])
        self.flow_retired = np.bincount(workforce.sector[retiring], minlength=self.n_sectors)
        self.cohort.forget(retiring, month)
        self.evaluation.drop(retiring)
        for programme in (self.reskilling, self.job_creation):
            programme.forget(retiring)
        workforce.retire(retiring, month)

    def _reopen(self, formal_leavers: np.ndarray) -> None:
        """Formal jobs left by leavers become vacancies (positions not yet cut)."""
        opened = np.bincount(self.workforce.sector[formal_leavers], minlength=self.n_sectors)
        for sector in self.sectors:
            sector.open_vacancies += opened[sector.index]

    @staticmethod
    def _reset_clocks(workforce: Workforce, idx: np.ndarray, month: int) -> None:
        workforce.jobless_since[idx] = month
        workforce.spell_start[idx] = month
        workforce.search_since[idx] = month

    def _to_search(self, idx: np.ndarray, month: int) -> None:
        self._reset_clocks(self.workforce, idx, month)

    def adjust_demand(self) -> None:
        """Automation cuts (hires foregone first, then layoffs), growth and AI-era vacancies."""
        workforce, month = self.workforce, self.month
        formal = workforce.stocks[Status.FORMAL].sum(axis=(0, 2, 3)).astype(float)
        rates = np.array([s.layoff_rate for s in self.sectors])
        bound = float(rates.max())
        if bound > 0:
            rng = self.streams.automation
            candidates = workforce.sample(rng, bound, (Status.FORMAL,))
            p = rates[workforce.sector[candidates]] * workforce.exposure[candidates]
            laid_off = candidates[rng.random(candidates.size) * bound < p]
            self._lay_off(laid_off)
        laid = self.flow_layoffs.sum(axis=(1, 2))
        for sector in self.sectors:
            j = sector.index
            positions = formal[j] + max(sector.open_vacancies, 0.0) + sector.held_vacancies
            # layoffs drawn person by person can exceed the expected cut in a month
            cut = max(sector.cut(positions), float(laid[j]))
            self.flow_cut[j] = cut
            self.flow_hires_foregone[j] = sector.forgo_hires(cut - laid[j])
            growth = sector.growth_rate(month) * positions
            # a fall in baseline demand (this month's, or one still pending) cancels vacancies
            # too, after automation's cut and before growth posts new ones; it is not a hire
            # foregone to automation
            sector.shrink(max(-growth, 0.0))
            if growth >= 0:
                sector.open_vacancies += growth
                self.flow_growth_vacancies[j] = growth
            new = sector.new_jobs(positions)
            sector.skilled_vacancies += new
            self.flow_new_vacancies[j] = new
            self.flow_lapsed[j] = sector.lapse()

    def _lay_off(self, idx: np.ndarray) -> None:
        """Automation layoffs: into unemployment; first-timers join the displaced cohort."""
        workforce, month = self.workforce, self.month
        if idx.size == 0:
            return
        origin = workforce.sector[idx]
        first = workforce.displaced_from[idx] < 0
        self.cohort.add(idx[first], month, origin[first], self.regular_earnings(idx[first]))
        np.add.at(self.flow_layoffs, (origin, workforce.female[idx].astype(np.intp),
                                      workforce.skill[idx]), 1)
        self._to_search(idx, month)
        displaced = np.where(first, origin, workforce.displaced_from[idx]).astype(np.int8)
        workforce.move(idx, Status.UNEMPLOYED, month, displaced_from=displaced)

    def enter(self) -> None:
        """Entrants replace retirees and add the labour force's growth.

        A share equal to the unemployment rate starts by searching; the rest start work at
        once: informal work with the intended sector's informal share, otherwise a formal
        vacancy of that sector if one is open (else they search). Keeping the entrants' mix
        at the labour force's mix holds the unemployment rate on a growth path.
        """
        workforce, month = self.workforce, self.month
        target = self.n_start * self.population_path[month]
        active = workforce.stocks.sum()
        count = stochastic_round(self.streams.population_size, max(target - active, 0.0))
        if count <= 0:
            return
        rng = self.streams.demography
        employed = workforce.stocks[list(REGULAR_JOBS)].sum(axis=(0, 1, 3, 4)).astype(float)
        sector = rng.choice(self.n_sectors, size=count,
                            p=employed / employed.sum()).astype(np.int8)
        people = draw_people(rng, sector, self.inputs,
                             self.scenario.labour_market.exposure_concentration,
                             self.exposure_power)
        u = rng.random(count)
        v = rng.random(count)
        informal = (u >= self.inputs.unemployment_rate) & (v < self.informal_share[sector])
        wants_formal = (u >= self.inputs.unemployment_rate) & ~informal
        status = np.where(informal, Status.INFORMAL, Status.UNEMPLOYED).astype(np.int8)
        # In each sector, the first entrants (in draw order) who want formal work take its
        # open vacancies, as many as there are; one pass over the sectors' entrants at once.
        rows = np.flatnonzero(wants_formal)
        if rows.size:
            by_sector = rows[np.argsort(sector[rows], kind="stable")]
            counts = np.bincount(sector[rows], minlength=self.n_sectors)
            rank = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
            room = np.array([int(max(agent.open_vacancies, 0.0)) for agent in self.sectors])
            take = by_sector[rank < room[sector[by_sector]]]
            status[take] = Status.FORMAL
            taken = np.bincount(sector[take], minlength=self.n_sectors)
            for agent in self.sectors:
                agent.open_vacancies -= int(taken[agent.index])
        under = rng.random(count) < self.under_share[(status == Status.INFORMAL).astype(int)]
        idx = workforce.slots(count)
        workforce.add(idx, status=status, month=month, entrant=True,
                      under=under & (status != Status.UNEMPLOYED), **people)
        self.flow_entrants = np.bincount(status, minlength=len(Status))[ENTRANT_STATUSES]
        self.flow_hires += np.bincount(sector[status == Status.FORMAL],
                                       minlength=self.n_sectors)

    def labour_force_flows(self) -> None:
        """Discouraged searchers leave the labour force, some return; hours change."""
        workforce, month, lab = self.workforce, self.month, self.scenario.labour_market
        rng = self.streams.turnover
        self.idle = workforce.refresh_idle()
        unemployed = workforce.with_status(Status.UNEMPLOYED)
        long_term = unemployed[month - workforce.spell_start[unemployed] >= LONG_TERM_MONTHS]
        leaving = long_term[rng.random(long_term.size) < lab.discouragement_rate]
        del unemployed, long_term  # (15 MB at the whole Philippines: gone before the picks)
        inactive = workforce.with_status(Status.INACTIVE)
        returning = inactive[rng.random(inactive.size) < lab.reentry_rate]
        workforce.move(leaving, Status.INACTIVE, month)
        workforce.spell_start[returning] += (month - workforce.status_since[returning]).astype(
            np.int16)
        workforce.move(returning, Status.UNEMPLOYED, month)
        self.flow_discouraged, self.flow_reentered = int(leaving.size), int(returning.size)

        rng = self.streams.hours
        bound = float(self.under_entry.max())
        picked = workforce.sample(rng, bound, REGULAR_JOBS)
        starting = kernels.starting_under(workforce, picked, rng.random(picked.size), bound,
                                          self.under_entry)
        del picked
        ending = workforce.sample_keyed(self.under_exit_key, month, self.under_exit,
                                        REGULAR_JOBS, flag=UNDER)
        workforce.set_under(starting, True)
        workforce.set_under(ending, False)

    # -- matching -----------------------------------------------------------------------------

    def _searchers(self) -> tuple[np.ndarray, np.ndarray]:
        """(people searching this month, their search intensity): the unemployed, trainees and
        programme workers who did not enter their state this month."""
        workforce = self.workforce
        intensity_of = np.zeros(len(Status) + 1)
        intensity_of[Status.UNEMPLOYED] = 1.0
        intensity_of[Status.TRAINING] = self.scenario.levers.reskilling.search_intensity
        intensity_of[Status.PROGRAMME_JOB] = self.scenario.levers.job_creation.search_intensity
        return kernels.searchers(self.idle, workforce.status, workforce.status_since,
                                 self.month, intensity_of)

    def match(self) -> None:
        """Searchers pick a sector (mobility) and meet its vacancies, or start informal work.

        Per unit of effort in sector j: formal hires from the matching function (open
        vacancies; AI-era vacancies only for qualified searchers: high enough skill and a
        field in j), informal entry at the calibrated free-entry rate (unemployed only).
        Informal workers search for formal jobs on the job at a reduced intensity. Effort is
        search efficiency (falling with the length of search) times intensity.
        """
        workforce, month = self.workforce, self.month
        rng = self.streams.search
        n = self.n_sectors
        searchers, intensity = self._searchers()
        target, efficiency, qualified, unemployed, effort, effort_skilled = \
            kernels.search_effort(
                searchers, intensity, rng.random(searchers.size), month, self.search_decay,
                workforce.search_since, workforce.sector, workforce.skill, workforce.status,
                SKILL_BANDS.index(self.scenario.uncertainties.new_job_min_skill),
                Status.UNEMPLOYED, self._mobility_columns, n, self._decay_table)
        del intensity  # (in efficiency now)

        informal = workforce.stocks[Status.INFORMAL].sum(axis=(0, 2, 3)).astype(float)
        on_the_job = self.informal_intensity * vec_mat(informal, self.mobility)
        effort_open = effort + on_the_job
        open_v = np.array([s.open_vacancies for s in self.sectors])
        skilled_v = np.array([s.skilled_vacancies for s in self.sectors])
        rate_open = hire_rate(self.matching_efficiency, self.eta, effort_open, open_v)
        rate_skilled = hire_rate(self.matching_efficiency, self.eta, effort_skilled, skilled_v)

        # on-the-job searchers: informal workers thinned at the highest rate, then accepted
        top = float(rate_open.max())
        otj = workforce.sample(rng, self.informal_intensity * top, (Status.INFORMAL,))
        otj_target = target_sectors(self._mobility_columns, workforce.sector[otj],
                                    rng.random(otj.size))

        pool = kernels.choose_pool(efficiency, target, qualified, unemployed, rate_open,
                                   rate_skilled, self.informal_rate,
                                   rng.random(searchers.size))
        del efficiency, qualified, unemployed
        otj_draw = rng.random(otj.size) * max(top, 1e-300)
        otj_pool = np.where(otj_draw < rate_open[otj_target], np.int8(0), np.int8(-1))
        del otj_draw

        # (the parts are let go as soon as joined: at k = 1 the searchers and on-the-job
        # searchers are two million people, 16 MB an array of them as int64; target sectors
        # and pools are int8 for that reason)
        everyone = np.concatenate([searchers, otj])
        del searchers, otj
        where = np.concatenate([target, otj_target])
        del target, otj_target
        pool = np.concatenate([pool, otj_pool])
        del otj_pool
        hired = np.flatnonzero(pool >= 0)
        group = pool[hired].astype(np.intp) * n + where[hired]  # pool * S + sector
        del pool, where
        keep = self._within_vacancies(rng, group, open_v, skilled_v)
        hired, group = hired[keep], group[keep]
        filled = np.bincount(group, minlength=3 * n)
        for sector in self.sectors:
            sector.open_vacancies -= filled[sector.index]
            sector.skilled_vacancies -= filled[n + sector.index]
        destination = (group % n).astype(np.int8)
        formal = group < 2 * n
        chosen = everyone[hired]
        del everyone, hired, group
        self.flow_from_informal += np.bincount(
            destination[formal & (workforce.status[chosen] == Status.INFORMAL)], minlength=n)
        self.hire(chosen[formal], Status.FORMAL, destination[formal])
        self.hire(chosen[~formal], Status.INFORMAL, destination[~formal])

    def _within_vacancies(self, rng: np.random.Generator, group: np.ndarray,
                          open_v: np.ndarray, skilled_v: np.ndarray) -> np.ndarray:
        """Mask of winners kept so no (pool, sector) group hires more than its vacancies.

        group: [h] pool x S + sector of each winner (pool 2, informal work, is unlimited). A
        fractional vacancy is filled with probability equal to its fraction (the balance carries
        over, so hires are unbiased); when winners exceed vacancies, a random subset keeps them.
        """
        n = self.n_sectors
        vacancies = np.maximum(np.concatenate([open_v, skilled_v]), 0.0)
        whole = np.floor(vacancies)
        limits = (whole + (rng.random(2 * n) < vacancies - whole)).astype(np.int64)
        limits = np.concatenate([limits, np.full(n, np.iinfo(np.int64).max)])
        counts = np.bincount(group, minlength=3 * n)
        keep = np.ones(group.size, dtype=bool)
        for g in np.flatnonzero(counts > limits):  # rare: more winners than vacancies
            members = np.flatnonzero(group == g)
            dropped = rng.choice(members, size=counts[g] - limits[g], replace=False)
            keep[dropped] = False
        return keep

    def hire(self, idx: np.ndarray, status: Status, sector: np.ndarray,
             source: str = "search") -> None:
        """People ``idx`` start a regular job in ``sector`` (formal or informal).

        A first re-employment after an automation layoff carries the pay scar; the new job is
        underemployed with the state's steady-state share; a trainee who takes a job leaves
        the course.
        """
        workforce, month = self.workforce, self.month
        if idx.size == 0:
            return
        sector = shaped(sector, np.int8, idx.shape)
        under = self.streams.hours.random(idx.size) < self.under_share[
            int(status == Status.INFORMAL)]
        # the rest in slot order (each person keeps their draw): reads memory forwards
        order = np.argsort(idx, kind="stable")
        idx, sector, under = idx[order], sector[order], under[order]
        factor = workforce.factor[idx] * self.cohort.rehire(idx, month, sector)
        displaced = idx[workforce.displaced_from[idx] >= 0]
        np.add.at(self.flow_displaced_hires,
                  (workforce.displaced_from[displaced].astype(np.intp),
                   workforce.female[displaced].astype(np.intp), workforce.skill[displaced]), 1)
        workforce.target[idx[workforce.status[idx] == Status.TRAINING]] = NO_SECTOR
        if status == Status.FORMAL:
            self.flow_hires += np.bincount(sector, minlength=self.n_sectors)
        else:
            self.flow_informal_entries += np.bincount(sector, minlength=self.n_sectors)
        workforce.move(idx, status, month, sector=sector, under=under,
                       factor=factor.astype(np.float32))

    # -- earnings -----------------------------------------------------------------------------

    def update_earnings(self) -> None:
        """Pay scars fade; watched people's earnings are recorded by months since the event."""
        positions, multiplier = self.cohort.fade(self.month)
        if positions.size:
            ids = self.cohort.ids[positions]
            self.workforce.set_factor(ids, (self.workforce.factor[ids] * multiplier).astype(
                np.float32))
        if self.watch is not None:
            ids, events, left = self.watch
            ok = (events <= self.month) & (self.month < left)
            ids, since = ids[ok], self.month - events[ok]
        else:
            ids, since = self.cohort.ids, self.month - self.cohort.month
        if ids.size:
            np.add.at(self.cohort_earnings[0], since, self.all_earnings(ids))
            np.add.at(self.cohort_earnings[1], since, 1)

    def regular_earnings(self, idx: np.ndarray) -> np.ndarray:
        """Monthly earnings from regular work (formal or informal) of people ``idx``."""
        w = self.workforce
        status = w.status[idx]
        pay = self.wages.earnings(status, w.under[idx], w.sector[idx], w.skill[idx],
                                  w.factor[idx])
        return np.where(status == Status.PROGRAMME_JOB, 0.0, pay)

    def all_earnings(self, idx: np.ndarray) -> np.ndarray:
        """Monthly earnings from any work, programme jobs included, of people ``idx``."""
        w = self.workforce
        return self.wages.earnings(w.status[idx], w.under[idx], w.sector[idx], w.skill[idx],
                                   w.factor[idx])

    def wage_bill(self, regular_only: bool = False) -> np.ndarray:
        """Monthly earnings of everyone employed, by sector [S] (from the ledger); with
        ``regular_only``, programme jobs' pay left out."""
        bill = (self._cell_pay * self.workforce.factor_sums).sum(axis=(0, 1, 3, 4))
        if regular_only:
            return bill
        programme = self.workforce.stocks[Status.PROGRAMME_JOB].sum(axis=(0, 2, 3))
        return bill + programme * self.wages.programme_wage

    # -- shared measurements --------------------------------------------------------------

    def long_term_unemployed(self) -> np.ndarray:
        """Indices of the unemployed whose survey unemployment spell is 12+ months."""
        workforce = self.workforce
        # two reporters ask each month: computed once per (month, state of the workforce)
        key = (self.month, workforce.moves)
        if getattr(self, "_long_term", (None,))[0] != key:
            unemployed = workforce.with_status(Status.UNEMPLOYED)
            self._long_term = (key, unemployed[
                self.month - workforce.spell_start[unemployed] >= LONG_TERM_MONTHS])
        return self._long_term[1]
