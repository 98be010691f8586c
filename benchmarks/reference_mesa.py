"""The reference: the same labour-market dynamics written the idiomatic Mesa way.

One ``mesa.Agent`` per worker with its attributes on the object, one ``SectorAgent`` per
sector, stages run with ``AgentSet.shuffle_do`` / ``do`` and a ``DataCollector`` of model
reporters. It is kept in ``benchmarks/`` as the baseline that ``benchmarks/scale.py`` times
``sim`` against and that ``tests/test_scale.py`` checks ``sim`` agrees with statistically; it
is not shipped in ``sim``.

Same inputs and parameters as ``sim.model.LabourMarketModel``: the validated data tables
(``sim.data``), the calibrated flows (``sim.flows.country_flows``) and a ``Scenario``. Same
month: sectors adopt along the S-curve and post reinstatement (AI-era) vacancies; employed
workers lose their job to automation with probability displacement rate x own exposure, or
else to ordinary turnover (leaving a replacement vacancy); unemployed workers who lost their
job before this month pick a sector by the same mobility matrix and are hired through the same
matching function, never more than the (stochastically rounded) vacancies. The helpers that
hold no per-worker state are imported from ``sim`` (``SectorAgent``, ``mobility_matrix``,
``match_mean``, ``stochastic_round``, the calibration), so the dynamics cannot drift apart.

Simplification: the reskilling and job-creation programmes are not implemented; the
reference refuses a scenario that switches either on (the benchmark and the agreement checks
use scenarios with both off). Random numbers come from Mesa's own generators (``self.random``
for per-agent draws, as Mesa users write; ``self.rng`` for distributions), so the reference
agrees with ``sim`` in distribution, not draw by draw.
"""

from __future__ import annotations

import bisect
import itertools
import math
from enum import IntEnum

import mesa
import numpy as np

from sim.agents.policy import stochastic_round
from sim.agents.sector import SectorAgent
from sim.agents.workforce import match_mean
from sim.data import SKILL_BANDS, CountryData, DataTables, occupation_exposure
from sim.model import LabourFlows, mobility_matrix
from sim.scenarios.schema import AUTO_SCALE_AGENTS, Scenario


class State(IntEnum):
    """A worker's labour-market status (the reference has no programmes)."""

    EMPLOYED = 0
    UNEMPLOYED = 1


class Worker(mesa.Agent):
    """One worker: sector, occupation, skill, sex, task exposure, status and spell dates."""

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
        self.jobless_since = since    # month the current jobless spell began
        self.displaced = False        # ever lost a job to automation
        self.target = 0               # sector searched this month
        self.efficiency = 0.0

    def separate(self) -> None:
        """Lose the job to automation (exposure-weighted) or else to ordinary turnover."""
        if self.state != State.EMPLOYED:
            return
        model = self.model
        sector = model.sectors[self.sector]
        if self.random.random() < sector.displacement_rate * self.exposure:
            self.lose_job()
            self.displaced = True
            model.automation_losses += 1
        elif self.random.random() < model.separation_rate:
            self.lose_job()
            sector.open_vacancies += 1  # replacement vacancy

    def lose_job(self) -> None:
        self.state = State.UNEMPLOYED
        self.since = self.jobless_since = self.model.month

    def choose_sector(self) -> None:
        """Search efficiency falls with the spell; the sector comes from the mobility row."""
        model = self.model
        months = max(model.month - self.since - 1, 0)
        self.efficiency = math.exp(-model.search_decay * months)
        cdf = model.mobility_cdf[self.sector]
        self.target = min(bisect.bisect_left(cdf, self.random.random()), model.n_sectors - 1)
        model.effort[self.target] += self.efficiency
        if self.skill >= model.new_job_min_skill:
            model.effort_skilled[self.target] += self.efficiency

    def try_match(self) -> None:
        """Meet a vacancy with the sector's hire rate per unit of effort."""
        model = self.model
        p_skilled = (self.efficiency * model.rate_skilled[self.target]
                     if self.skill >= model.new_job_min_skill else 0.0)
        p_open = self.efficiency * model.rate_open[self.target]
        draw = self.random.random()
        if draw < min(p_open + p_skilled, 1.0):
            pool = 1 if draw < p_skilled else 0
            model.applicants[pool][self.target].append(self)

    def hire(self, sector: int) -> None:
        self.state = State.EMPLOYED
        self.sector = sector
        self.since = self.model.month


def count_employed(model: ReferenceModel) -> int:
    """Workers in a job."""
    return sum(w.state == State.EMPLOYED for w in model.workers) * model.scale


def count_unemployed(model: ReferenceModel) -> int:
    """Workers without a job."""
    return sum(w.state == State.UNEMPLOYED for w in model.workers) * model.scale


def count_long_term_unemployed(model: ReferenceModel) -> int:
    """Unemployed for 12 months or more."""
    return sum(w.state == State.UNEMPLOYED and model.month - w.jobless_since >= 12
               for w in model.workers) * model.scale


def unemployment_rate(model: ReferenceModel) -> float:
    """Unemployed as a share of the labour force."""
    return sum(w.state == State.UNEMPLOYED for w in model.workers) / len(model.workers)


def automation_job_losses_cumulative(model: ReferenceModel) -> int:
    """Jobs lost to automation since the start."""
    return model.automation_losses_total * model.scale


class ReferenceModel(mesa.Model):
    """One country's labour market with one Mesa agent per worker."""

    def __init__(self, scenario: Scenario, country: CountryData, tables: DataTables,
                 flows: LabourFlows, *, seed: int | None = None) -> None:
        super().__init__(seed=seed)
        levers = scenario.levers
        if levers.reskilling.enabled or levers.job_creation.enabled:
            raise ValueError("the reference model has no policy programmes; switch both off")
        run, unc, lab = scenario.run, scenario.uncertainties, scenario.labour_market
        self.month = 0
        self.n_sectors = len(country.sectors)
        ids = {name: i for i, name in enumerate(country.sectors)}
        employment = country.employment.astype(float).copy()
        for name, thousands in scenario.population.employment_thousands.items():
            employment[ids[name]] = thousands * 1000.0
        if scenario.population.sectors is not None:
            keep = {ids[name] for name in scenario.population.sectors}
            employment = np.array([e if i in keep else 0.0 for i, e in enumerate(employment)])
        self.scale = run.scale or max(1, int(employment.sum() // AUTO_SCALE_AGENTS))
        u = country.unemployment_rate
        self.separation_rate = flows.separation_rate
        emp_sim = [stochastic_round(self.rng, e / self.scale) for e in employment]
        unemp_sim = [stochastic_round(self.rng, e * u / (1 - u) / self.scale)
                     for e in employment]

        # Workers, one agent each, with their attributes drawn one by one.
        occ_exposure = occupation_exposure(tables, unc.exposure_assumption)
        occ_skill = [SKILL_BANDS.index(b) for b in tables.occupations["skill_band"]]
        spell_weights = flows.initial_spells()
        concentration = lab.exposure_concentration
        for s in range(self.n_sectors):
            occ_cdf = list(itertools.accumulate(country.occ_mix[s]))
            n_emp, n_unemp = emp_sim[s], unemp_sim[s]
            spells = spell_weights(self.rng, n_unemp)
            for i in range(n_emp + n_unemp):
                occ = min(bisect.bisect_right(occ_cdf, self.random.random()), len(occ_cdf) - 1)
                mean = min(max(occ_exposure[occ], 1e-3), 1 - 1e-3)
                exposure = self.random.betavariate(mean * concentration,
                                                   (1 - mean) * concentration)
                employed = i < n_emp
                since = 0 if employed else -int(spells[i - n_emp])
                Worker(self, s, State.EMPLOYED if employed else State.UNEMPLOYED, occ,
                       occ_skill[occ], self.random.random() < country.female_share[s],
                       exposure, since)
        self.workers = self.agents_by_type[Worker]
        for name, target in unc.sector_exposure.items():
            members = [w for w in self.workers if w.sector == ids[name]]
            if members:
                power = match_mean(np.array([w.exposure for w in members]), target)
                for w in members:
                    w.exposure **= power

        # Sectors: the same S-curve agents and mobility matrix as sim.
        natural = country.occ_mix @ occ_exposure
        steepness = (unc.adoption_speed_per_year / 12 * unc.adoption_pace
                     * country.ai_readiness / 100)
        self.sectors = [
            SectorAgent(self, index=i, name=name,
                        exposure=float(unc.sector_exposure.get(name, natural[i])),
                        augmentation=float(country.augmentation_share[i]),
                        steepness=steepness * unc.sector_adoption_pace.get(name, 1.0),
                        midpoint=unc.adoption_midpoint_month, ceiling=unc.adoption_ceiling,
                        displacement_elasticity=unc.displacement_elasticity,
                        open_vacancies=0.0)
            for i, name in enumerate(country.sectors)]
        weights = np.asarray(country.augmentation_share) * np.array(emp_sim)
        emp_share = np.array(emp_sim) / max(sum(emp_sim), 1)
        self.reinstatement_split = weights / weights.sum() if weights.sum() > 0 else emp_share
        self.reinstatement_ratio = unc.reinstatement_ratio
        self.new_job_min_skill = SKILL_BANDS.index(unc.new_job_min_skill)
        mobility = mobility_matrix(country.occ_mix, np.array(emp_sim, dtype=float),
                                   lab.own_sector_search_share)
        self.mobility_cdf = [list(itertools.accumulate(row)) for row in mobility]
        self.eta = lab.matching_elasticity
        self.search_decay = (flows.search_decay if lab.search_decay_per_month is None
                             else lab.search_decay_per_month)

        # Opening vacancies and matching efficiency, calibrated as in sim (first month's hire
        # rate per unit of effort = the calibrated hire rate, a share of vacancies filled).
        effort = np.zeros(self.n_sectors)
        employed = np.zeros(self.n_sectors)
        for w in self.workers:
            if w.state == State.UNEMPLOYED:
                decay = math.exp(-self.search_decay * max(1 - w.since - 1, 0))
                effort += decay * mobility[w.sector]
            else:
                employed[w.sector] += 1
        ratio = flows.hire_rate / lab.vacancy_filling_rate
        for sector in self.sectors:
            sector.open_vacancies = max(ratio * effort[sector.index]
                                        - self.separation_rate * employed[sector.index], 0.0)
        self.matching_efficiency = flows.hire_rate / ratio ** (1 - self.eta)

        self.automation_losses = 0
        self.automation_losses_total = 0
        self.datacollector = mesa.DataCollector(model_reporters={
            "employed": count_employed,
            "unemployed": count_unemployed,
            "long_term_unemployed": count_long_term_unemployed,
            "unemployment_rate": unemployment_rate,
            "automation_job_losses_cumulative": automation_job_losses_cumulative,
        })
        self.datacollector.collect(self)

    def step(self) -> None:
        """One month: adopt -> separate -> match -> collect."""
        self.month += 1
        self.adopt_and_post_demand()
        self.automation_losses = 0
        self.workers.shuffle_do("separate")
        self.automation_losses_total += self.automation_losses
        self.match()
        self.datacollector.collect(self)

    def adopt_and_post_demand(self) -> None:
        employed = [0] * self.n_sectors
        for w in self.workers:
            if w.state == State.EMPLOYED:
                employed[w.sector] += 1
        expected_losses = 0.0
        for sector in self.sectors:
            sector.adopt()
            expected_losses += sector.displacement_rate * sector.exposure * employed[sector.index]
        for sector in self.sectors:
            split = self.reinstatement_split[sector.index]
            new = self.reinstatement_ratio * expected_losses * split
            sector.skilled_vacancies += new

    def match(self) -> None:
        searchers = self.workers.select(
            lambda w: w.state == State.UNEMPLOYED and w.since < self.month)
        self.effort = [0.0] * self.n_sectors
        self.effort_skilled = [0.0] * self.n_sectors
        searchers.do("choose_sector")
        self.rate_open = [self.hire_rate(self.effort[j], self.sectors[j].open_vacancies)
                          for j in range(self.n_sectors)]
        self.rate_skilled = [self.hire_rate(self.effort_skilled[j],
                                            self.sectors[j].skilled_vacancies)
                             for j in range(self.n_sectors)]
        self.applicants = [[[] for _ in range(self.n_sectors)] for _ in range(2)]
        searchers.shuffle_do("try_match")
        for pool in (0, 1):
            for j, sector in enumerate(self.sectors):
                vacancies = sector.open_vacancies if pool == 0 else sector.skilled_vacancies
                limit = stochastic_round(self.rng, max(vacancies, 0.0))
                winners = self.applicants[pool][j]
                if len(winners) > limit:
                    winners = self.random.sample(winners, limit)
                for w in winners:
                    w.hire(j)
                if pool == 0:
                    sector.open_vacancies -= len(winners)
                else:
                    sector.skilled_vacancies -= len(winners)

    def hire_rate(self, effort: float, vacancies: float) -> float:
        """Hires per unit of effort: min(V, S, m S^eta V^(1-eta)) / S."""
        if effort <= 0:
            return 0.0
        vac = max(vacancies, 0.0)
        m, eta = self.matching_efficiency, self.eta
        return min(vac, effort, m * effort ** eta * vac ** (1 - eta)) / effort


def run_reference(scenario: Scenario, iso3: str, tables: DataTables, flows: LabourFlows,
                  seed: int) -> dict[str, np.ndarray]:
    """Run the reference for the scenario's horizon; each core metric by month (month 0 on)."""
    model = ReferenceModel(scenario, tables.country(iso3), tables, flows, seed=seed)
    try:
        for _ in range(scenario.run.horizon_months):
            model.step()
        frame = model.datacollector.get_model_vars_dataframe()
        return {name: frame[name].to_numpy(dtype=float) for name in frame.columns}
    finally:
        mesa.Agent._ids.pop(model, None)  # Mesa 3.3.1 keeps finished models alive otherwise
