"""LabourMarketModel: one country's labour market under AI adoption, month by month.

The model holds one ``Workforce`` agent (every simulated worker, as arrays), one
``SectorAgent`` per sector and the policy programme agents. ``step`` runs the month in a fixed
order:

1. sectors adopt AI along their S-curves and post new AI-era vacancies (reinstatement);
2. workers lose jobs: to automation (in proportion to their task exposure) and to ordinary
   turnover (at the country's observed separation rate, each leaving a replacement vacancy);
3. policy programmes graduate and enrol trainees, end and create programme jobs;
4. unemployed workers search across sectors and are matched to vacancies;
5. the month's stocks and flows are recorded.

All randomness comes from ``self.rng``, seeded by the caller. Every count is kept in simulated
workers; reporters (``sim.metrics``) multiply by the scale factor to report real workers.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.agents.policy import JobCreationProgramme, ReskillingProgramme, stochastic_round
from sim.agents.sector import SectorAgent
from sim.agents.workforce import N_SKILL, NO_SECTOR, Status, Workforce
from sim.data import CountryData, DataTables, occupation_exposure
from sim.errors import ModelError
from sim.flows import LabourFlows
from sim.scenarios.schema import AUTO_SCALE_AGENTS, AUTO_SCALE_FOCUS_AGENTS, Scenario
from sim.vocabulary import LONG_TERM_MONTHS, SKILL_BANDS


def mobility_matrix(occ_mix: np.ndarray, employment: np.ndarray, own_share: float
                    ) -> np.ndarray:
    """Where searchers look: their own sector, then sectors with a similar occupation mix.

    Row o gives the share of search effort in each sector j of someone whose last job was in
    o: ``own_share`` in o itself and the rest over the other sectors by the cosine similarity
    of the two sectors' ISCO occupation mixes (ILOSTAT ISIC x ISCO). There are no
    sector-to-sector flow data for ASEAN; this is a labelled assumption.

    The off-diagonal part is balanced (symmetric Sinkhorn scaling of the similarity matrix to
    row sums equal to employment) so that employment is the matrix's stationary distribution:
    searchers from turnover reach each sector in proportion to the vacancies turnover leaves
    there, and an economy without automation stays at its observed unemployment rate.
    """
    present = employment > 0
    n = len(employment)
    norm = np.linalg.norm(occ_mix, axis=1, keepdims=True)
    unit = occ_mix / np.maximum(norm, 1e-12)
    kernel = (unit @ unit.T) * np.outer(present, present)
    np.fill_diagonal(kernel, 0.0)
    target = np.where(present, employment, 0.0)
    scale = np.where(present, 1.0, 0.0)
    for _ in range(500):
        reach = kernel @ scale
        scale = np.sqrt(scale * np.divide(target, reach, out=np.zeros(n), where=reach > 0))
    flows = scale[:, None] * kernel * scale[None, :]
    sizes = flows.sum(axis=1, keepdims=True)
    spread = np.divide(flows, sizes, out=np.zeros_like(flows), where=sizes > 0)
    has_other = sizes[:, 0] > 0
    matrix = spread * np.where(has_other, 1.0 - own_share, 0.0)[:, None]
    matrix[np.diag_indices(n)] = np.where(has_other, own_share, 1.0)
    return matrix


def automatic_scale(employment: np.ndarray, focus: list[int]) -> int:
    """Real workers per simulated worker when the scenario leaves the scale open.

    About AUTO_SCALE_AGENTS simulated workers for the country, and at least
    AUTO_SCALE_FOCUS_AGENTS in the focus sectors, so that a question about one sector (say BPO)
    is answered with enough simulated workers in it.
    """
    scale = employment.sum() // AUTO_SCALE_AGENTS
    if focus:
        scale = min(scale, employment[focus].sum() // AUTO_SCALE_FOCUS_AGENTS)
    return max(1, int(scale))


class LabourMarketModel(mesa.Model):
    """One country's workers, sectors and policy programmes under a scenario."""

    def __init__(
        self,
        scenario: Scenario,
        country: CountryData,
        tables: DataTables,
        flows: LabourFlows,
        *,
        rng: np.random.Generator | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__(rng=rng if rng is not None else np.random.default_rng(seed))
        self.scenario = scenario
        self.country = country
        self.month = 0
        run, unc, lab = scenario.run, scenario.uncertainties, scenario.labour_market
        self.horizon = run.horizon_months
        self.sector_names = country.sectors
        self.n_sectors = len(country.sectors)
        ids = {name: i for i, name in enumerate(country.sectors)}
        self.sector_ids = ids
        employment = self._employment(scenario, country, ids)
        if employment.sum() <= 0:
            raise ModelError("the scenario's population has no workers")
        self.scale = run.scale or automatic_scale(employment, [ids[name] for name in
                                                              scenario.focus_sectors])

        u = country.unemployment_rate
        self.separation_rate = flows.separation_rate
        emp_sim = np.array([stochastic_round(self.rng, e / self.scale) for e in employment])
        unemp_sim = np.array([stochastic_round(self.rng, e * u / (1 - u) / self.scale)
                              for e in employment])
        if emp_sim.sum() < 10:
            raise ModelError(
                f"scale {self.scale} leaves fewer than 10 simulated workers for "
                f"{country.iso3}; use a smaller scale")
        self.labour_force_real = float(employment.sum() / (1 - u))
        self.avg_wage_lcu = country.avg_wage_lcu

        occ_exp = occupation_exposure(tables, unc.exposure_assumption)
        target = np.full(self.n_sectors, np.nan)
        for name, value in unc.sector_exposure.items():
            target[ids[name]] = value
        self.workforce = Workforce(
            self,
            employed=emp_sim,
            unemployed=unemp_sim,
            occ_mix=country.occ_mix,
            occ_skill=np.array([SKILL_BANDS.index(b) for b in tables.occupations["skill_band"]]),
            occ_exposure=occ_exp,
            sector_exposure_target=target,
            female_share=country.female_share,
            exposure_concentration=lab.exposure_concentration,
            months_jobless=flows.initial_spells(),
        )
        self.new_job_min_skill = SKILL_BANDS.index(unc.new_job_min_skill)
        self.reinstatement_ratio = unc.reinstatement_ratio

        emp_share = emp_sim / max(emp_sim.sum(), 1)
        natural_exposure = country.occ_mix @ occ_exp
        sector_exposure = np.where(np.isnan(target), natural_exposure, target)
        steepness = (unc.adoption_speed_per_year / 12 * unc.adoption_pace
                     * country.ai_readiness / 100)
        self.sectors: list[SectorAgent] = [
            SectorAgent(
                self,
                index=i,
                name=name,
                exposure=float(sector_exposure[i]),
                augmentation=float(country.augmentation_share[i]),
                steepness=steepness * unc.sector_adoption_pace.get(name, 1.0),
                midpoint=unc.adoption_midpoint_month,
                ceiling=unc.adoption_ceiling,
                displacement_elasticity=unc.displacement_elasticity,
                open_vacancies=0.0,
            )
            for i, name in enumerate(country.sectors)
        ]
        # Reinstatement goes where AI complements work: augmentation potential x employment.
        weights = country.augmentation_share * emp_sim
        self.reinstatement_split = (weights / weights.sum() if weights.sum() > 0
                                    else emp_share)

        self.mobility = mobility_matrix(country.occ_mix, emp_sim.astype(float),
                                        lab.own_sector_search_share)
        # Column j of the row-wise CDF, by origin sector: match() draws each searcher's target
        # sector from it without an [searchers x sectors] temporary.
        self._mobility_cdf_columns = np.ascontiguousarray(np.cumsum(self.mobility, axis=1).T)
        self.eta = lab.matching_elasticity
        self.search_decay = (flows.search_decay if lab.search_decay_per_month is None
                             else lab.search_decay_per_month)
        self.matching_efficiency = self._open_vacancies(flows.hire_rate,
                                                        lab.vacancy_filling_rate)

        levers = scenario.levers
        self.reskilling = ReskillingProgramme(self, levers.reskilling, ids, emp_sim.astype(float))
        self.job_creation = JobCreationProgramme(self, levers.job_creation, ids,
                                                 emp_sim.astype(float))
        self._reset_flows()
        self.idle = self.workforce.idle()
        self._long_term: tuple[int, np.ndarray] = (-1, np.empty(0, dtype=np.intp))

    # -- set-up helpers -----------------------------------------------------------------------

    @staticmethod
    def _employment(scenario: Scenario, country: CountryData, ids: dict[str, int]
                    ) -> np.ndarray:
        employment = country.employment.astype(float).copy()
        for name, thousands in scenario.population.employment_thousands.items():
            employment[ids[name]] = thousands * 1000.0
        if scenario.population.sectors is not None:
            keep = np.zeros(len(employment), dtype=bool)
            keep[[ids[name] for name in scenario.population.sectors]] = True
            employment[~keep] = 0.0
        return employment

    def _search_efficiency(self, searchers: np.ndarray) -> np.ndarray:
        """Search efficiency: 1 in the first month of search, falling with its length."""
        months = self.month - self.workforce.status_since[searchers] - 1
        return np.exp(-self.search_decay * np.maximum(months, 0))

    def _open_vacancies(self, hire_rate: float, filling_rate: float) -> float:
        """Post the opening vacancy stock and return the matching efficiency m.

        In the first month the hire rate per unit of search effort must equal the calibrated
        ``hire_rate`` in every sector, and a share ``filling_rate`` of the vacancies open at
        matching time is filled. That fixes the vacancies per unit of effort, V/S = c / q, and
        hence m = c / (c / q)^(1 - eta). The stock is posted net of the month's expected
        replacement vacancies (turnover happens before matching).
        """
        self.month = 1  # efficiencies as seen at the first month's matching
        unemployed = np.flatnonzero(self.workforce.status == Status.UNEMPLOYED)
        efficiency = self._search_efficiency(unemployed)
        self.month = 0
        effort = efficiency @ self.mobility[self.workforce.sector[unemployed]]
        employed = self.workforce.stocks[Status.EMPLOYED].sum(axis=(1, 2)).astype(float)
        inflow = self.separation_rate * employed
        ratio = hire_rate / filling_rate
        for sector in self.sectors:
            sector.open_vacancies = max(ratio * effort[sector.index] - inflow[sector.index], 0.0)
        return hire_rate / ratio ** (1 - self.eta)

    def _reset_flows(self) -> None:
        shape = (self.n_sectors, 2, N_SKILL)
        self.flow_automation = np.zeros(shape, dtype=np.int64)
        self.flow_turnover = np.zeros(self.n_sectors, dtype=np.int64)
        self.flow_hires = np.zeros(self.n_sectors, dtype=np.int64)
        self.flow_displaced_hires = np.zeros(shape, dtype=np.int64)
        self.flow_new_vacancies = np.zeros(self.n_sectors, dtype=float)

    # -- the month ----------------------------------------------------------------------------

    def step(self) -> None:
        """One month: adopt -> separate -> programmes -> match -> (collect by the caller)."""
        self.month += 1
        self._reset_flows()
        self.adopt_and_post_demand()
        self.separate()
        self.idle = self.workforce.idle()
        self.reskilling.step()
        self.job_creation.step()
        self.match()

    def adopt_and_post_demand(self) -> None:
        """Sectors advance adoption; expected automation losses become new AI-era vacancies."""
        expected_losses = 0.0
        for sector in self.sectors:
            sector.adopt()
            employed = self.workforce.stocks[Status.EMPLOYED, sector.index].sum()
            expected_losses += sector.displacement_rate * sector.exposure * employed
        new_jobs = self.reinstatement_ratio * expected_losses * self.reinstatement_split
        for sector in self.sectors:
            sector.skilled_vacancies += new_jobs[sector.index]
        self.flow_new_vacancies += new_jobs

    def separate(self) -> None:
        """Automation displacement (exposure-weighted) and ordinary turnover separations."""
        workforce = self.workforce
        rng = self.rng
        rate = np.array([s.displacement_rate for s in self.sectors])
        bound = float(rate.max())
        if bound > 0:
            candidates = workforce.sample_employed(bound)
            p = rate[workforce.sector[candidates]] * workforce.exposure[candidates]
            lost = candidates[rng.random(candidates.size) * bound < p]
            origin = workforce.sector[lost]
            # A worker belongs to the cohort of their first automation job loss; repeat losses
            # count as job-loss events only.
            first = workforce.displaced_from[lost]
            workforce.move(lost, Status.UNEMPLOYED, self.month, jobless=True,
                           displaced_from=np.where(first >= 0, first, origin).astype(np.int8))
            np.add.at(self.flow_automation,
                      (origin, workforce.female[lost].astype(np.int64), workforce.skill[lost]), 1)

        leavers = workforce.sample_employed(self.separation_rate)
        sectors = workforce.sector[leavers]
        workforce.move(leavers, Status.UNEMPLOYED, self.month, jobless=True)
        self.flow_turnover = np.bincount(sectors, minlength=self.n_sectors)
        for sector in self.sectors:
            sector.open_vacancies += self.flow_turnover[sector.index]

    def match(self) -> None:
        """Searchers pick a sector by the mobility matrix and meet its vacancies.

        Workers who became unemployed this month start searching next month.

        Hires in sector j from each vacancy pool follow
        min(V, S, m * S^eta * V^(1-eta)), with S the search effort aimed at j (search
        efficiency falls with the length of the search). New AI-era ("skilled") vacancies only
        take searchers at or above the minimum skill band.
        """
        workforce = self.workforce
        rng = self.rng
        idle = self.idle
        searchers = idle[(workforce.status[idle] == Status.UNEMPLOYED)
                         & (workforce.status_since[idle] < self.month)]
        if searchers.size == 0:
            return
        efficiency = self._search_efficiency(searchers)
        target = self._target_sectors(workforce.sector[searchers], rng.random(searchers.size))
        eligible = workforce.skill[searchers] >= self.new_job_min_skill

        effort_all = np.bincount(target, weights=efficiency, minlength=self.n_sectors)
        effort_skilled = np.bincount(target, weights=efficiency * eligible,
                                     minlength=self.n_sectors)
        open_v = np.array([s.open_vacancies for s in self.sectors])
        skilled_v = np.array([s.skilled_vacancies for s in self.sectors])
        rate_open = self._hire_rate(effort_all, open_v)
        rate_skilled = self._hire_rate(effort_skilled, skilled_v)

        p_skilled = efficiency * rate_skilled[target] * eligible
        p_open = efficiency * rate_open[target]
        draw = rng.random(searchers.size)
        hired = np.flatnonzero(draw < np.minimum(p_open + p_skilled, 1.0))
        into_skilled = draw[hired] < p_skilled[hired]

        # Group the hired by (pool, target sector): group g = pool * S + sector.
        n = self.n_sectors
        group = into_skilled * n + target[hired]
        order = np.argsort(group, kind="stable")
        hired, group = hired[order], group[order]
        counts = np.bincount(group, minlength=2 * n)
        # Never more hires than vacancies: a fractional vacancy is filled with probability
        # equal to its fraction (the balance, between -1 and 0, carries over: hires unbiased).
        vacancies = np.maximum(np.concatenate([open_v, skilled_v]), 0.0)
        whole = np.floor(vacancies)
        limits = (whole + (rng.random(2 * n) < vacancies - whole)).astype(np.int64)
        keep = np.ones(hired.size, dtype=bool)
        starts = np.concatenate([[0], np.cumsum(counts)])
        for g in np.flatnonzero(counts > limits):  # rare: more winners than vacancies
            members = np.arange(starts[g], starts[g + 1])
            dropped = rng.choice(members, size=counts[g] - limits[g], replace=False)
            keep[dropped] = False
        hired, group = hired[keep], group[keep]
        filled = np.bincount(group, minlength=2 * n)
        for sector in self.sectors:
            sector.open_vacancies -= filled[sector.index]
            sector.skilled_vacancies -= filled[n + sector.index]
        chosen = searchers[hired]
        if chosen.size == 0:
            return
        destination = (group % n).astype(np.int8)
        displaced = chosen[workforce.displaced_from[chosen] != NO_SECTOR]
        np.add.at(self.flow_displaced_hires,
                  (workforce.displaced_from[displaced],
                   workforce.female[displaced].astype(np.int64), workforce.skill[displaced]), 1)
        self.flow_hires = np.bincount(destination, minlength=self.n_sectors)
        workforce.move(chosen, Status.EMPLOYED, self.month, sector=destination)

    def _target_sectors(self, origin: np.ndarray, u: np.ndarray) -> np.ndarray:
        """The sector each searcher looks in: inverse CDF of its origin's mobility row.

        Counts the CDF entries below ``u`` column by column (the same comparisons as
        ``(u[:, None] > cdf[origin]).sum(axis=1)``, in O(searchers) memory).
        """
        target = np.zeros(u.size, dtype=np.intp)
        for column in self._mobility_cdf_columns:
            target += u > column[origin]
        return np.minimum(target, self.n_sectors - 1, out=target)

    def long_term_unemployed(self) -> np.ndarray:
        """Indices of unemployed workers jobless LONG_TERM_MONTHS or more, at the month's end.

        Computed once a month and shared by the reporters that need it.
        """
        if self._long_term[0] != self.month:
            workforce, idle = self.workforce, self.idle
            unemployed = idle[workforce.status[idle] == Status.UNEMPLOYED]
            spell = self.month - workforce.jobless_since[unemployed]
            self._long_term = (self.month, unemployed[spell >= LONG_TERM_MONTHS])
        return self._long_term[1]

    def _hire_rate(self, effort: np.ndarray, vacancies: np.ndarray) -> np.ndarray:
        """Hires per unit of search effort in each sector, from the matching function."""
        m, eta = self.matching_efficiency, self.eta
        vac = np.maximum(vacancies, 0.0)
        hires = np.minimum.reduce([vac, effort, m * effort ** eta * vac ** (1 - eta)])
        return np.divide(hires, effort, out=np.zeros_like(hires), where=effort > 0)
