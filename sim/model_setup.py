"""The country at month 0: ``ModelSetup``, the base class of ``sim.model.LabourMarketModel``.

``LabourMarketModel.__init__`` sets the scenario, inputs, flows and random streams, then
calls these steps in order:

1. ``_build_population``: every person (sector, state, sex, occupation, skill, exposure,
   clocks; the draws themselves are in ``sim.population``), the scale, separations,
   underemployment hazards and the labour force's growth path;
2. ``_build_sectors``: adoption curves, attrition, growth paths and AI-era vacancies per sector;
3. ``_build_search``: sector mobility, search decay and the matching rates that hold the
   start's flows (``sim.matching``);
4. ``_build_programmes``: the two policy programmes, the evaluation, the wage table and the
   displaced cohort.

Counts are in simulated people, ``*_real`` in real people; rates are monthly.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from sim import kernels
from sim.agents.columns import chunks
from sim.agents.policy import JobCreationProgramme, ReskillingProgramme
from sim.agents.sector import SectorAgent, adoption_curve
from sim.agents.workforce import REGULAR_JOBS, Status, Workforce
from sim.earnings import DisplacedCohort, WageTable, underemployed_pay
from sim.errors import ModelError
from sim.evaluation import Evaluation
from sim.flows import LabourFlows
from sim.inputs import CountryInputs
from sim.matching import calibrate_rates, cdf_columns, mobility_matrix
from sim.population import (
    augmentation_exposure,
    automatic_scale,
    draw_people,
    exposure_powers,
    labour_force_growth,
    reshape_exposure,
    sector_mean,
    separation_rates,
    starting_counts,
    starting_employment,
    starting_states,
    underemployment_shares,
)
from sim.products import vec_mat
from sim.scenarios.schema import Scenario
from sim.streams import Streams


class ModelSetup(mesa.Model):
    """Builds one country at month 0; ``sim.model.LabourMarketModel`` adds the months."""

    # set by LabourMarketModel.__init__ before the set-up runs
    scenario: Scenario
    inputs: CountryInputs
    flows: LabourFlows
    streams: Streams
    horizon: int
    n_sectors: int
    sector_ids: dict[str, int]
    focus_ids: np.ndarray

    def _build_population(self) -> None:
        """Draw every person: sector, state, sex, occupation, skill, exposure, clocks (the
        draws themselves: ``sim.population``)."""
        scenario, inputs = self.scenario, self.inputs
        employment = starting_employment(inputs, scenario.population, self.sector_ids)
        if employment.sum() <= 0:
            raise ModelError("the scenario's population has no workers")
        self.employment_real = employment
        self.scale = scenario.run.scale or automatic_scale(employment, list(self.focus_ids))
        u = inputs.unemployment_rate
        self.labour_force_real = float(employment.sum() / (1 - u))
        rng = self.streams.population
        k = self.scale
        informal = inputs.informal_share.copy()
        for name, share in scenario.population.informal_share.items():
            informal[self.sector_ids[name]] = share
        self.informal_share = informal
        self.retire_rate = 1.0 / (12.0 * scenario.labour_market.working_life_years)
        self.separation = separation_rates(
            self.flows.separation_rate,
            scenario.labour_market.sector_separation_rate,
            self.sector_ids,
            employment,
        )
        formal_n, informal_n, unemployed_n = starting_counts(
            rng, employment, informal, u, self.separation, k
        )
        if (formal_n + informal_n).sum() < 10:
            raise ModelError(
                f"scale {k} leaves fewer than 10 simulated workers for "
                f"{inputs.iso3}; use a smaller scale"
            )
        growth = labour_force_growth(inputs.labour_force, *self._start(), self.horizon)
        lf_index = np.concatenate([[1.0], np.cumprod(1 + growth)])
        self.population_path = lf_index  # tracked population relative to the start
        n0 = int((formal_n + informal_n + unemployed_n).sum())
        capacity = int(n0 * lf_index.max() * 1.02) + 1024
        self.workforce = Workforce(self, n_sectors=self.n_sectors, capacity=capacity)
        lab = scenario.labour_market
        self.under_share, self.under_exit, self.under_entry = underemployment_shares(
            inputs.underemployment_rate,
            self.informal_share,
            self.employment_real,
            lab.underemployment_informal_ratio,
            lab.underemployment_spell_months,
        )
        self.under_exit_key = self.streams.key("underemployment_exit")

        # The starting people fill slots 0..n0-1 (``add`` below, in order). What is drawn for
        # them goes straight into the workforce's own storage where it can: sector, occupation,
        # skill and exposure into their arrays, sex and underemployment into their bits of the
        # flags byte (``add`` writes each back in place). At the whole Philippines each
        # separate n0-long array would be 48 MB more at the set-up's peak.
        workforce = self.workforce
        sector, status = starting_states(formal_n, informal_n, unemployed_n)
        workforce.sector[:n0] = sector
        sector = workforce.sector[:n0]
        self.exposure_target = np.full(self.n_sectors, np.nan)
        for name, value in scenario.uncertainties.sector_exposure.items():
            self.exposure_target[self.sector_ids[name]] = value
        own: dict[str, Any] = {
            name: getattr(workforce, name)[:n0] for name in ("occ", "exposure", "skill")
        }
        own["female"] = workforce.female
        people = draw_people(
            rng, sector, inputs, lab.exposure_concentration, np.ones(self.n_sectors), out=own
        )
        # sectors with a set mean automation exposure are reshaped to it; the powers are kept
        # for later entrants
        self.exposure_power = exposure_powers(sector, people["exposure"], self.exposure_target)
        reshape_exposure(sector, people["exposure"], self.exposure_power)
        # (the draws of rng.random(n0) < share, one full pass after the other, drawn and
        # compared in pieces: no n0-long float or temporary boolean arrays)
        under = workforce.under
        for a, b in chunks(n0):
            under[a:b] = (status[a:b] == Status.FORMAL) & kernels.uniform_below(
                rng, b - a, self.under_share[0]
            )
        for a, b in chunks(n0):
            under[a:b] |= (status[a:b] == Status.INFORMAL) & kernels.uniform_below(
                rng, b - a, self.under_share[1]
            )
        # months already spent unemployed, held for the unemployed only (a few percent)
        jobless = np.flatnonzero(status == Status.UNEMPLOYED)
        spent = self.flows.initial_spells()(rng, int(jobless.size)).astype(np.int16)
        for a, b in chunks(n0):  # in pieces: the temporaries of a move stay small
            lo, hi = np.searchsorted(jobless, [a, b])
            since = np.zeros(b - a, dtype=np.int16)
            since[jobless[lo:hi] - a] = -spent[lo:hi]
            self.workforce.add(
                self.workforce.slots(b - a),
                status=status[a:b],
                month=0,
                under=under[a:b],
                jobless_since=since,
                **{name: values[a:b] for name, values in people.items()},  # type: ignore[arg-type]
            )
        del people, under, spent, jobless, status, sector
        # The people are in slots 0..n0-1. Automation and augmentation act on formal jobs: the
        # sector means are over its formal workers (augmentation: task exposure x (1 -
        # automation share)).
        self.augmentation_exposure = sector_mean(
            workforce, n0, lambda i: augmentation_exposure(inputs, workforce.occ[i])
        )
        self.automation_exposure = sector_mean(workforce, n0, lambda i: workforce.exposure[i])
        self.n_start = n0

    def _start(self) -> tuple[int, int]:
        year, month = (int(part) for part in self.scenario.run.start.split("-"))
        return year, month

    def _build_sectors(self) -> None:
        """Adoption curves, separations, growth paths and opening vacancies per sector."""
        scenario, inputs = self.scenario, self.inputs
        unc = scenario.uncertainties
        stocks = self.workforce.stocks
        formal = stocks[Status.FORMAL].sum(axis=(0, 2, 3)).astype(float)
        growth = self._growth_paths(formal)
        steepness = unc.adoption_speed_per_year / 12.0 * unc.adoption_pace
        curve = dict(
            midpoint_at_100=unc.adoption_midpoint_month,
            delay_per_point=unc.readiness_delay_months_per_point,
            depth_elasticity=unc.readiness_depth_elasticity,
            ceiling=unc.adoption_ceiling,
        )
        # without a vacancy survey, the calibrated stock replaces it once the matching rates
        # are set (``_build_search``)
        vacancy_rate = inputs.vacancy_rate if inputs.vacancy_rate is not None else 0.0
        self.sectors: list[SectorAgent] = []
        for i, name in enumerate(inputs.sectors):
            pace = steepness * unc.sector_adoption_pace.get(name, 1.0)
            own = adoption_curve(inputs.ai_readiness, steepness=pace, **curve)
            frontier = adoption_curve(100.0, steepness=pace, **curve)
            automation = frontier if unc.readiness_affects == "gains_only" else own
            self.sectors.append(
                SectorAgent(
                    self,
                    index=i,
                    name=name,
                    automation_exposure=float(self.automation_exposure[i]),
                    augmentation_exposure=float(self.augmentation_exposure[i]),
                    automation=automation,
                    augmentation=own,
                    elasticity=unc.displacement_elasticity,
                    new_jobs_ratio=unc.new_jobs_ratio,
                    window_months=unc.adjustment_window_months,
                    attrition=float(self.separation[i] + self.retire_rate),
                    vacancy_rate=float(np.broadcast_to(vacancy_rate, (self.n_sectors,))[i]),
                    lapse_rate=unc.ai_vacancy_lapse_rate,
                    growth=list(growth[i]),
                )
            )

    def _growth_paths(self, formal: np.ndarray) -> np.ndarray:
        """Monthly growth of formal labour demand per sector [S, months].

        Named sectors grow at their own yearly rate; the others share the rest so total demand
        grows with the labour force (ILO modelled series and projections)."""
        months = self.horizon
        lf = np.diff(self.population_path) / self.population_path[:-1]
        paths = np.tile(lf, (self.n_sectors, 1))
        named = np.zeros(self.n_sectors, dtype=bool)
        for name, yearly in self.scenario.uncertainties.sector_demand_growth.items():
            j = self.sector_ids[name]
            paths[j] = (1 + yearly) ** (1 / 12) - 1
            named[j] = True
        if named.any() and (~named).any() and formal[~named].sum() > 0:
            for t in range(months):
                extra = ((paths[named, t] - lf[t]) * formal[named]).sum()
                paths[~named, t] = lf[t] - extra / formal[~named].sum()
        return paths

    def _build_search(self) -> None:
        """Mobility, search decay and the matching rates that hold the start's flows."""
        scenario, inputs = self.scenario, self.inputs
        lab = scenario.labour_market
        stocks = self.workforce.stocks
        formal = stocks[Status.FORMAL].sum(axis=(0, 2, 3)).astype(float)
        informal = stocks[Status.INFORMAL].sum(axis=(0, 2, 3)).astype(float)
        # balanced so searchers reach each sector in proportion to the jobs its leavers open
        self.mobility = mobility_matrix(
            inputs.occ_mix, self.separation * (formal + informal), lab.own_sector_search_share
        )
        self._mobility_columns = cdf_columns(self.mobility)
        self.eta = lab.matching_elasticity
        self.search_decay = (
            self.flows.search_decay
            if lab.search_decay_per_month is None
            else lab.search_decay_per_month
        )
        self.informal_intensity = lab.informal_search_intensity
        # efficiency by months searched, up to the longest search the run can see
        longest = (
            self.horizon + 1 - min(int(self.workforce.search_since[: self.workforce.n].min()), 0)
        )
        self._decay_table = kernels.decay_table(self.search_decay, longest + 1)
        searching = np.flatnonzero(self.workforce.status[: self.workforce.n] == Status.UNEMPLOYED)
        efficiency = np.exp(
            -self.search_decay * np.maximum(0 - self.workforce.search_since[searching], 0)
        )
        # each searcher's efficiency spread over the sectors by their origin's mobility row:
        # summed by origin first (a [searchers, S] matrix of the rows was 720 MB at Indonesia)
        by_origin = np.bincount(
            self.workforce.sector[searching], weights=efficiency, minlength=self.n_sectors
        )
        effort = vec_mat(by_origin, self.mobility)
        rates = calibrate_rates(
            hire_rate_start=self.flows.hire_rate,
            formal=formal,
            informal=informal,
            searching=effort,
            mobility=self.mobility,
            on_the_job=self.informal_intensity,
            separation=self.separation,
            reopened=(self.separation + self.retire_rate) * formal,
            eta=self.eta,
            vacancy_rate=inputs.vacancy_rate,
            filling_rate=lab.vacancy_filling_rate,
        )
        self.informal_rate = rates.informal
        self.matching_efficiency = rates.efficiency
        for sector in self.sectors:
            sector.open_vacancies = float(rates.vacancies[sector.index])
            if inputs.vacancy_rate is None:
                # The stock at the month's end, per position: the vacancies open at matching
                # less this month's leavers, whom the window's attrition already counts (the
                # sum at matching, separations / filling rate, counted them twice and halved
                # the layoffs of a one-month window).
                positions = formal[sector.index] + sector.open_vacancies
                stock = float(sector.open_vacancies / positions) if positions > 0 else 0.0
                sector.absorb_with(stock)

    def _build_programmes(self) -> None:
        scenario = self.scenario
        employed = self.workforce.stocks[list(REGULAR_JOBS)].sum(axis=(0, 1, 3, 4))
        weights = employed.astype(float)
        self.reskilling = ReskillingProgramme(
            self, scenario.levers.reskilling, self.sector_ids, weights
        )
        self.job_creation = JobCreationProgramme(
            self, scenario.levers.job_creation, self.sector_ids, weights
        )
        self.evaluation = Evaluation(scenario.evaluation.control_share, self.streams.evaluation)
        earn = scenario.earnings
        formal_by_skill = self.workforce.stocks[Status.FORMAL].sum(axis=(0, 2)).astype(float)
        self.wages = WageTable.build(
            self.inputs.wage,
            self.inputs.skill_pay,
            formal_by_skill,
            informal_ratio=earn.informal_earnings_ratio,
            hours_ratio=underemployed_pay(
                earn.underemployed_hours_ratio, self.inputs.underemployment_hours_share
            ),
            programme_wage=(
                scenario.levers.job_creation.wage_share * self.job_creation.cost_per_job_month
            ),
        )
        self._cell_pay = self.wages.cell_pay(self.n_sectors)
        self.cohort = DisplacedCohort(
            scar_same=earn.scar_same_sector,
            scar_switch=earn.scar_switch_sector,
            half_life_months=12 * earn.scar_half_life_years,
            floor=earn.scar_floor,
            n_sectors=self.n_sectors,
        )
