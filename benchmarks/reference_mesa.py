"""The reference: the model's core dynamics written the idiomatic Mesa way, one agent per person.

One ``mesa.Agent`` per person with its attributes on the object, the stages of a month run with
``AgentSet.shuffle_do`` / ``do`` and a ``DataCollector`` of model reporters. It is kept in
``benchmarks/`` as the baseline that ``benchmarks/scale.py`` times ``sim`` against and that
``tests/test_scale.py`` checks ``sim`` agrees with statistically; it is not shipped in ``sim``.

Same inputs and parameters as ``sim.model.LabourMarketModel`` (``sim.inputs.country_inputs``,
the calibrated flows, a ``Scenario``) and the same month, for the parts implemented here:

1. sectors advance along their adoption curves (``SectorAgent``, imported from ``sim``);
2. each formal or informal worker leaves to unemployment at the sector's separation rate
   (formal leavers' jobs become vacancies); anyone may retire (the person leaves the model;
   a formal retiree's job becomes a vacancy);
3. automation removes formal positions: hires foregone first, layoffs of formal workers with
   probability layoff rate x own exposure beyond what attrition absorbs; growth vacancies;
   AI-era vacancies from augmentation, which lapse;
4. entrants fill the labour force's path: a share equal to the unemployment rate search, the
   rest start informal work (the sector's informal share) or take an open formal vacancy;
   long-term unemployed stop searching (inactive) and some inactive people return;
5. searchers (the unemployed who did not enter unemployment this month) pick a sector by the
   mobility matrix and meet formal vacancies through the matching function (AI-era vacancies
   only if qualified: high skill and searching in their own sector) or start informal work at
   the free-entry rate; informal workers search for formal jobs on the job; no (pool, sector)
   hires more than its (stochastically rounded) vacancies.

Not implemented (they change none of the rates the agreement test compares): time-related
underemployment, earnings and pay scars, the counterfactual twin, and the programmes
(reskilling, job creation, the randomised evaluation): the reference refuses a scenario that
switches a programme on. The helpers that hold no per-person state come from ``sim``
(``SectorAgent``, ``adoption_curve``, ``mobility_matrix``, ``calibrate_rates``, ``hire_rate``,
``labour_force_growth``, ``match_mean``, ``stochastic_round`` and the model's separation-rate
and demand-growth rules), so the dynamics cannot drift apart. Random numbers come from Mesa's
own generators (``self.random`` per agent, as Mesa users write; ``self.rng`` for arrays), so
the reference agrees with ``sim`` in distribution, not draw by draw.
"""

from __future__ import annotations

import bisect
import itertools
import math
from enum import IntEnum

import mesa
import numpy as np

from sim.agents.columns import match_mean
from sim.agents.policy import stochastic_round
from sim.agents.sector import SectorAgent, adoption_curve
from sim.data import DataTables
from sim.flows import LabourFlows
from sim.inputs import country_inputs
from sim.matching import calibrate_rates, hire_rate, mobility_matrix
from sim.model import LabourMarketModel
from sim.population import automatic_scale, labour_force_growth, separation_rates
from sim.scenarios.schema import Scenario
from sim.vocabulary import LONG_TERM_MONTHS, SKILL_BANDS


class State(IntEnum):
    """A person's labour-force status (the reference has no programmes)."""

    FORMAL = 0
    INFORMAL = 1
    UNEMPLOYED = 2
    INACTIVE = 3


class Person(mesa.Agent):
    """One person: sector (of the current or last job), occupation, skill, sex, exposure,
    status and the months their status, jobless spell and search began."""

    def __init__(self, model: ReferenceModel, sector: int, state: State, occupation: int,
                 skill: int, female: bool, exposure: float, since: int) -> None:
        super().__init__(model)
        self.sector = sector
        self.state = state
        self.occupation = occupation
        self.skill = skill
        self.female = female
        self.exposure = exposure
        self.since = since            # month the current status began
        self.spell_start = since      # month the unemployment spell began (survey measure)
        self.search_since = since     # month the search began (sets search efficiency)
        self.displaced = False        # ever laid off by automation
        self.target = 0               # sector searched this month
        self.efficiency = 0.0

    # -- 2. turnover and retirement -------------------------------------------------------------

    def turnover(self) -> None:
        """A worker leaves the job to unemployment at the sector's separation rate."""
        model = self.model
        if self.state in (State.FORMAL, State.INFORMAL) and \
                self.random.random() < model.separation[self.sector]:
            if self.state == State.FORMAL:
                model.sectors[self.sector].open_vacancies += 1  # replacement vacancy
            self.to_search()

    def retire(self) -> None:
        """Anyone may leave the population; a formal retiree's job becomes a vacancy."""
        model = self.model
        if self.random.random() < model.retire_rate:
            if self.state == State.FORMAL:
                model.sectors[self.sector].open_vacancies += 1
            self.remove()

    def to_search(self) -> None:
        self.state = State.UNEMPLOYED
        self.since = self.spell_start = self.search_since = self.model.month

    # -- 3. automation layoffs ------------------------------------------------------------------

    def automation_layoff(self) -> None:
        """A formal worker is laid off with probability layoff rate x own exposure."""
        model = self.model
        if self.state == State.FORMAL and self.random.random() < \
                model.sectors[self.sector].layoff_rate * self.exposure:
            self.displaced = True
            model.layoffs[self.sector] += 1
            self.to_search()

    # -- 4. discouragement and re-entry ---------------------------------------------------------

    def leave_or_return(self) -> None:
        """Long-term unemployed stop searching; inactive people return to search."""
        model = self.model
        month = model.month
        if self.state == State.UNEMPLOYED and month - self.spell_start >= LONG_TERM_MONTHS:
            if self.random.random() < model.discouragement_rate:
                self.state, self.since = State.INACTIVE, month
        elif self.state == State.INACTIVE and self.random.random() < model.reentry_rate:
            self.spell_start += month - self.since  # months out of the labour force
            self.state, self.since = State.UNEMPLOYED, month

    # -- 5. search ----------------------------------------------------------------------------

    def choose_sector(self) -> None:
        """Search efficiency falls with months searched; the sector comes from the mobility
        row of the last job's sector."""
        model = self.model
        months = max(model.month - self.search_since - 1, 0)
        self.efficiency = math.exp(-model.search_decay * months)
        self.target = model.draw_sector(self.sector, self.random.random())
        model.effort[self.target] += self.efficiency
        if self.qualified():
            model.effort_skilled[self.target] += self.efficiency

    def qualified(self) -> bool:
        """Admitted to AI-era vacancies: high enough skill and a search in one's own field."""
        return self.skill >= self.model.new_job_min_skill and self.target == self.sector

    def try_match(self) -> None:
        """Meet an AI-era vacancy, an open vacancy or informal work (unemployed only)."""
        model = self.model
        j = self.target
        p_skilled = self.efficiency * model.rate_skilled[j] if self.qualified() else 0.0
        p_open = self.efficiency * model.rate_open[j]
        p_informal = (self.efficiency * model.informal_rate[j]
                      if self.state == State.UNEMPLOYED else 0.0)
        draw = self.random.random()
        if draw < p_skilled:
            model.applicants[1][j].append(self)
        elif draw < min(p_skilled + p_open, 1.0):
            model.applicants[0][j].append(self)
        elif draw < min(p_skilled + p_open + p_informal, 1.0):
            model.applicants[2][j].append(self)

    def search_on_the_job(self) -> None:
        """An informal worker looks for a formal job at a reduced intensity."""
        model = self.model
        if self.state == State.INFORMAL and self.random.random() < model.informal_intensity:
            j = model.draw_sector(self.sector, self.random.random())
            if self.random.random() < model.rate_open[j]:
                model.applicants[0][j].append(self)

    def hire(self, state: State, sector: int) -> None:
        self.state = state
        self.sector = sector
        self.since = self.model.month


def count(model: ReferenceModel, *states: State) -> int:
    return sum(p.state in states for p in model.people)


def labour_force(model: ReferenceModel) -> float:
    """Employed (formal, informal) plus unemployed, real people."""
    return count(model, State.FORMAL, State.INFORMAL, State.UNEMPLOYED) * model.scale


def unemployed(model: ReferenceModel) -> float:
    """Unemployed people."""
    return count(model, State.UNEMPLOYED) * model.scale


def long_term_unemployed(model: ReferenceModel) -> float:
    """Unemployed whose spell is 12 months or more."""
    return sum(p.state == State.UNEMPLOYED and model.month - p.spell_start >= LONG_TERM_MONTHS
               for p in model.people) * model.scale


def unemployment_rate(model: ReferenceModel) -> float:
    """Unemployed as a share of the labour force."""
    force = count(model, State.FORMAL, State.INFORMAL, State.UNEMPLOYED)
    return count(model, State.UNEMPLOYED) / force if force else 0.0


def informal_share(model: ReferenceModel) -> float:
    """Informal workers as a share of the employed."""
    employed = count(model, State.FORMAL, State.INFORMAL)
    return count(model, State.INFORMAL) / employed if employed else 0.0


def automation_job_losses_cumulative(model: ReferenceModel) -> float:
    """Layoffs by automation since the start."""
    return model.layoffs_total * model.scale


class ReferenceModel(mesa.Model):
    """One country's labour market with one Mesa agent per person."""

    def __init__(self, scenario: Scenario, tables: DataTables, iso3: str, flows: LabourFlows,
                 *, seed: int | None = None) -> None:
        super().__init__(seed=seed)
        levers = scenario.levers
        if levers.reskilling.enabled or levers.job_creation.enabled:
            raise ValueError("the reference model has no policy programmes; switch both off")
        unc, lab = scenario.uncertainties, scenario.labour_market
        self.scenario, self.flows = scenario, flows
        self.inputs = inputs = country_inputs(
            tables, iso3, exposure_assumption=unc.exposure_assumption,
            informality_basis=lab.informality_basis,
            underemployment_basis=lab.underemployment_basis)
        self.month = 0
        self.horizon = scenario.run.horizon_months
        self.n_sectors = len(inputs.sectors)
        self.sector_ids = {name: i for i, name in enumerate(inputs.sectors)}
        focus = [self.sector_ids[s] for s in scenario.focus_sectors]

        # -- people, one agent each, as sim draws them (sim.model_setup._build_population) -----
        employment = inputs.employment.astype(float).copy()
        for name, thousands in scenario.population.employment_thousands.items():
            employment[self.sector_ids[name]] = thousands * 1000.0
        if scenario.population.sectors is not None:
            keep = {self.sector_ids[name] for name in scenario.population.sectors}
            employment = np.array([e if i in keep else 0.0 for i, e in enumerate(employment)])
        self.scale = k = scenario.run.scale or automatic_scale(employment, focus)
        u = inputs.unemployment_rate
        informal = inputs.informal_share.copy()
        for name, share in scenario.population.informal_share.items():
            informal[self.sector_ids[name]] = share
        self.informal_share = informal
        self.retire_rate = 1.0 / (12.0 * lab.working_life_years)
        self.separation = separation_rates(flows.separation_rate, lab.sector_separation_rate,
                                           self.sector_ids, employment)
        leavers = self.separation * employment
        unemployed_real = employment.sum() * u / (1 - u) * leavers / leavers.sum()
        self.unemployment_rate = u
        spells = flows.initial_spells()
        self.exposure_target = {self.sector_ids[n]: v for n, v in unc.sector_exposure.items()}
        self.exposure_power = [1.0] * self.n_sectors
        by_sector: list[list[Person]] = [[] for _ in range(self.n_sectors)]
        for s in range(self.n_sectors):
            formal_n = stochastic_round(self.rng, employment[s] * (1 - informal[s]) / k)
            informal_n = stochastic_round(self.rng, employment[s] * informal[s] / k)
            unemployed_n = stochastic_round(self.rng, unemployed_real[s] / k)
            jobless = spells(self.rng, unemployed_n)
            for i in range(formal_n + informal_n + unemployed_n):
                state = (State.FORMAL if i < formal_n else State.INFORMAL
                         if i < formal_n + informal_n else State.UNEMPLOYED)
                since = -int(jobless[i - formal_n - informal_n]) \
                    if state == State.UNEMPLOYED else 0
                by_sector[s].append(self.new_person(s, state, since))
        for s, target in self.exposure_target.items():
            members = by_sector[s]
            if members:
                values = np.clip([p.exposure for p in members], 1e-9, 1.0)
                self.exposure_power[s] = power = match_mean(values, target)
                for p in members:
                    p.exposure = min(max(p.exposure, 1e-9), 1.0) ** power
        self.people = self.agents_by_type[Person]
        self.n_start = len(self.people)
        growth = labour_force_growth(inputs.labour_force, *self._start(), self.horizon)
        self.population_path = np.concatenate([[1.0], np.cumprod(1 + growth)])

        # -- sectors: the same agents as sim (sim.model_setup._build_sectors) ------------------
        formal = np.zeros(self.n_sectors)
        informal_now = np.zeros(self.n_sectors)
        exposure_sum = np.zeros(self.n_sectors)
        augmentation_sum = np.zeros(self.n_sectors)
        people_n = np.zeros(self.n_sectors)
        for p in self.people:
            formal[p.sector] += p.state == State.FORMAL
            informal_now[p.sector] += p.state == State.INFORMAL
            exposure_sum[p.sector] += p.exposure
            augmentation_sum[p.sector] += (inputs.task_exposure[p.occupation]
                                           * (1 - inputs.automation_share[p.occupation]))
            people_n[p.sector] += 1
        mean = lambda sums: np.divide(sums, people_n, out=np.zeros(self.n_sectors),  # noqa: E731
                                      where=people_n > 0)
        growth_paths = LabourMarketModel._growth_paths(self, formal)
        steepness = unc.adoption_speed_per_year / 12.0 * unc.adoption_pace
        curve = dict(midpoint_at_100=unc.adoption_midpoint_month,
                     delay_per_point=unc.readiness_delay_months_per_point,
                     depth_elasticity=unc.readiness_depth_elasticity,
                     ceiling=unc.adoption_ceiling)
        vacancy_rate = np.broadcast_to(
            inputs.vacancy_rate if inputs.vacancy_rate is not None
            else self.separation / lab.vacancy_filling_rate, (self.n_sectors,))
        self.sectors = []
        for i, name in enumerate(inputs.sectors):
            pace = steepness * unc.sector_adoption_pace.get(name, 1.0)
            own = adoption_curve(inputs.ai_readiness, steepness=pace, **curve)
            frontier = adoption_curve(100.0, steepness=pace, **curve)
            self.sectors.append(SectorAgent(
                self, index=i, name=name, automation_exposure=float(mean(exposure_sum)[i]),
                augmentation_exposure=float(mean(augmentation_sum)[i]),
                automation=frontier if unc.readiness_affects == "gains_only" else own,
                augmentation=own, elasticity=unc.displacement_elasticity,
                new_jobs_ratio=unc.new_jobs_ratio, window_months=unc.adjustment_window_months,
                attrition=float(self.separation[i] + self.retire_rate),
                vacancy_rate=float(vacancy_rate[i]), lapse_rate=unc.ai_vacancy_lapse_rate,
                growth=list(growth_paths[i])))

        # -- search and matching, calibrated as in sim (sim.model_setup._build_search) ---------
        mobility = mobility_matrix(inputs.occ_mix, self.separation * (formal + informal_now),
                                   lab.own_sector_search_share)
        self.mobility = mobility
        self.mobility_cdf = [list(itertools.accumulate(row)) for row in mobility]
        self.eta = lab.matching_elasticity
        self.search_decay = (flows.search_decay if lab.search_decay_per_month is None
                             else lab.search_decay_per_month)
        self.informal_intensity = lab.informal_search_intensity
        self.discouragement_rate = lab.discouragement_rate
        self.reentry_rate = lab.reentry_rate
        self.new_job_min_skill = SKILL_BANDS.index(unc.new_job_min_skill)
        effort = np.zeros(self.n_sectors)
        for p in self.people:
            if p.state == State.UNEMPLOYED:
                effort += math.exp(-self.search_decay * max(-p.search_since, 0)) \
                    * mobility[p.sector]
        rates = calibrate_rates(
            hire_rate_start=flows.hire_rate, formal=formal, informal=informal_now,
            searching=effort, mobility=mobility, on_the_job=self.informal_intensity,
            separation=self.separation, reopened=(self.separation + self.retire_rate) * formal,
            eta=self.eta, vacancy_rate=inputs.vacancy_rate,
            filling_rate=lab.vacancy_filling_rate)
        self.informal_rate = rates.informal
        self.matching_efficiency = rates.efficiency
        for sector in self.sectors:
            sector.open_vacancies = float(rates.vacancies[sector.index])

        self.layoffs = [0] * self.n_sectors
        self.layoffs_total = 0
        self.datacollector = mesa.DataCollector(model_reporters={
            "labour_force": labour_force,
            "unemployed": unemployed,
            "long_term_unemployed": long_term_unemployed,
            "unemployment_rate": unemployment_rate,
            "informal_share": informal_share,
            "automation_job_losses_cumulative": automation_job_losses_cumulative,
        })
        self.datacollector.collect(self)

    def _start(self) -> tuple[int, int]:
        year, month = (int(part) for part in self.scenario.run.start.split("-"))
        return year, month

    def new_person(self, sector: int, state: State, since: int) -> Person:
        """Draw one person of ``sector`` as sim does: sex, ISCO major group for that sex, the
        2-digit group within it, skill band, and task exposure (Beta around the group's share
        of exposed tasks) times the group's automation share."""
        inputs = self.inputs
        female = self.random.random() < inputs.female_share[sector]
        sex = int(female)
        major = min(bisect.bisect_right(
            list(itertools.accumulate(inputs.occ_mix_by_sex[sector, sex])),
            self.random.random()), 8)
        codes = [c for c in range(inputs.occ_major.size)
                 if inputs.occ_major[c] == major + 1 and inputs.occ_within[sex, c] > 0]
        weights = [inputs.occ_within[sex, c] for c in codes]
        occupation = self.random.choices(codes, weights)[0]
        share = min(max(inputs.task_exposure[occupation], 1e-3), 1 - 1e-3)
        concentration = self.scenario.labour_market.exposure_concentration
        task = self.random.betavariate(share * concentration, (1 - share) * concentration)
        exposure = task * inputs.automation_share[occupation]
        if self.exposure_power[sector] != 1.0:
            exposure = min(max(exposure, 1e-9), 1.0) ** self.exposure_power[sector]
        return Person(self, sector, state, occupation, int(inputs.occ_skill[occupation]),
                      female, exposure, since)

    def draw_sector(self, origin: int, u: float) -> int:
        """Inverse CDF of the origin's mobility row."""
        return min(bisect.bisect_left(self.mobility_cdf[origin], u), self.n_sectors - 1)

    def formal_by_sector(self) -> list[int]:
        formal = [0] * self.n_sectors
        for p in self.people:
            if p.state == State.FORMAL:
                formal[p.sector] += 1
        return formal

    # -- the month ------------------------------------------------------------------------------

    def step(self) -> None:
        """One month: adopt -> separate -> adjust demand -> enter -> leave/return -> match."""
        self.month += 1
        for sector in self.sectors:
            sector.adopt(self.month)
        self.people.shuffle_do("turnover")
        self.people.shuffle_do("retire")
        self.adjust_demand()
        self.enter()
        self.people.shuffle_do("leave_or_return")
        self.match()
        self.datacollector.collect(self)

    def adjust_demand(self) -> None:
        formal = self.formal_by_sector()
        self.layoffs = [0] * self.n_sectors
        self.people.shuffle_do("automation_layoff")
        self.layoffs_total += sum(self.layoffs)
        for sector in self.sectors:
            j = sector.index
            positions = formal[j] + max(sector.open_vacancies, 0.0)
            cut = sector.cut(positions)
            sector.forgo_hires(max(cut - self.layoffs[j], 0.0))
            growth = sector.growth_rate(self.month) * positions
            if growth >= 0:
                sector.open_vacancies += growth
            else:
                sector.forgo_hires(-growth)
            sector.skilled_vacancies += sector.new_jobs(positions)
            sector.lapse()

    def enter(self) -> None:
        """Entrants bring the population to its path: the unemployment rate's share search,
        the rest start informal work or take an open formal vacancy (else search)."""
        target = self.n_start * self.population_path[self.month]
        entrants = stochastic_round(self.rng, max(target - len(self.people), 0.0))
        if entrants <= 0:
            return
        employed = [0] * self.n_sectors
        for p in self.people:
            if p.state in (State.FORMAL, State.INFORMAL):
                employed[p.sector] += 1
        for _ in range(entrants):
            s = self.random.choices(range(self.n_sectors), employed)[0]
            person = self.new_person(s, State.UNEMPLOYED, self.month)
            if self.random.random() >= self.unemployment_rate:
                sector = self.sectors[s]
                if self.random.random() < self.informal_share[s]:
                    person.state = State.INFORMAL
                elif sector.open_vacancies >= 1:
                    person.state = State.FORMAL
                    sector.open_vacancies -= 1

    def match(self) -> None:
        month = self.month
        searchers = self.people.select(
            lambda p: p.state == State.UNEMPLOYED and p.since < month)
        self.effort = [0.0] * self.n_sectors
        self.effort_skilled = [0.0] * self.n_sectors
        searchers.do("choose_sector")
        informal = [0.0] * self.n_sectors
        for p in self.people:
            if p.state == State.INFORMAL:
                informal[p.sector] += 1
        on_the_job = self.informal_intensity * (np.array(informal) @ self.mobility)
        open_v = np.array([s.open_vacancies for s in self.sectors])
        skilled_v = np.array([s.skilled_vacancies for s in self.sectors])
        self.rate_open = hire_rate(self.matching_efficiency, self.eta,
                                   np.array(self.effort) + on_the_job, open_v)
        self.rate_skilled = hire_rate(self.matching_efficiency, self.eta,
                                      np.array(self.effort_skilled), skilled_v)
        # pools: 0 = open vacancies, 1 = AI-era vacancies, 2 = informal work (no limit)
        self.applicants = [[[] for _ in range(self.n_sectors)] for _ in range(3)]
        searchers.shuffle_do("try_match")
        self.people.shuffle_do("search_on_the_job")
        for pool in (0, 1, 2):
            for j, sector in enumerate(self.sectors):
                winners = self.applicants[pool][j]
                if pool < 2:
                    vacancies = sector.open_vacancies if pool == 0 else sector.skilled_vacancies
                    limit = stochastic_round(self.rng, max(vacancies, 0.0))
                    if len(winners) > limit:
                        winners = self.random.sample(winners, limit)
                    if pool == 0:
                        sector.open_vacancies -= len(winners)
                    else:
                        sector.skilled_vacancies -= len(winners)
                for p in winners:
                    p.hire(State.INFORMAL if pool == 2 else State.FORMAL, j)


def run_reference(scenario: Scenario, iso3: str, tables: DataTables, flows: LabourFlows,
                  seed: int) -> dict[str, np.ndarray]:
    """Run the reference for the scenario's horizon; each reporter by month (month 0 on)."""
    model = ReferenceModel(scenario, tables, iso3, flows, seed=seed)
    try:
        for _ in range(scenario.run.horizon_months):
            model.step()
        frame = model.datacollector.get_model_vars_dataframe()
        return {name: frame[name].to_numpy(dtype=float) for name in frame.columns}
    finally:
        mesa.Agent._ids.pop(model, None)  # Mesa 3.3.1 keeps finished models alive otherwise
