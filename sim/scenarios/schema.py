"""The scenario schema: every parameter of a run, its default, unit, kind and reference.

This module (with the sections it imports from ``market`` and ``levers``) is the one place
where defaults live. A scenario file (TOML, beside this module) states only what it changes
from these defaults; the app's widgets, the CLI's options, the sweep designs and the tests all
read the defaults and ranges from these fields.

Parameters come in three kinds, kept apart as the EMA Workbench does:
- ``uncertainty``: things nobody controls (adoption pace, exposure assumption, elasticities);
- ``lever``: policy choices (reskilling seats, job programmes);
- ``structure``: labour-market mechanics calibrated to data (matching, search decay) and run
  settings.

The sections live in three modules, all importable from here: the run settings, the
uncertainties, the population and the top-level ``Scenario`` here; the labour market and
earnings in ``sim.scenarios.market``; the policy levers and their evaluation in
``sim.scenarios.levers``; ``param`` and the section base in ``sim.scenarios.fields``.

Unknown keys and out-of-range values are errors that name the key (see ``load_scenario``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from sim.scenarios.fields import (
    ExposureAssumption,
    SectorId,
    SkillBand,
    Strict,
    param,
)
from sim.scenarios.levers import EvaluationDesign, JobCreation, Levers, Reskilling
from sim.scenarios.market import Earnings, LabourMarket

__all__ = [
    "AUTO_SCALE_AGENTS",
    "AUTO_SCALE_FOCUS_AGENTS",
    "COUNTRY_FIGURES",
    "Earnings",
    "EvaluationDesign",
    "ExposureAssumption",
    "JobCreation",
    "LabourMarket",
    "Levers",
    "Population",
    "Reskilling",
    "RunSettings",
    "Scenario",
    "SectorId",
    "SkillBand",
    "Uncertainties",
    "country_figures",
    "country_mismatch",
    "param",
]

AUTO_SCALE_AGENTS = 50_000  # simulated workers per country when the scale is left automatic
AUTO_SCALE_FOCUS_AGENTS = 20_000  # ... and at least this many in the focus sectors


class RunSettings(Strict):
    """How long, how many replications, how fine-grained."""

    horizon_months: int = param(
        120, "Months simulated after the start month", "months", "run", ge=1, le=600
    )
    start: str = param(
        "2026-01",
        "First simulated calendar month (YYYY-MM); model month 0 is the state at its start",
        "YYYY-MM",
        "run",
    )
    replications: int = param(
        5, "Independent replications (seeded streams)", "runs", "run", ge=1, le=1000
    )
    seed: int = param(
        20260101,
        "Base seed; replications get independent child streams",
        "integer",
        "run",
        ge=0,
        le=2**63 - 1,
    )
    scale: int | None = param(
        None,
        "Real workers represented by one simulated worker (k). 1 = every worker simulated; "
        f"empty = automatic: about {AUTO_SCALE_AGENTS:,} simulated workers per country and at "
        f"least {AUTO_SCALE_FOCUS_AGENTS:,} in the focus sectors. "
        "Results are always reported in real workers",
        "workers per agent",
        "run",
        ge=1,
        le=1_000_000,
    )

    @field_validator("start")
    @classmethod
    def _month(cls, value: str) -> str:
        try:
            year, month = (int(part) for part in value.split("-"))
            date(year, month, 1)
        except (ValueError, TypeError):
            raise ValueError(f"start must be a month written YYYY-MM, got {value!r}") from None
        return f"{year:04d}-{month:02d}"


class Uncertainties(Strict):
    """What nobody controls: how fast AI spreads, how exposed tasks are, how jobs respond."""

    adoption_pace: float = param(
        1.0,
        "Multiplier on the speed of AI adoption in every sector (1 = central case)",
        "multiplier",
        "uncertainty",
        ge=0.0,
        le=5.0,
    )
    adoption_speed_per_year: float = param(
        1.0,
        "Steepness of the adoption S-curve per year (at 1.0, adoption goes from 10% to 90% "
        "of its ceiling in about 4.4 years); multiplied by adoption_pace",
        "1/year",
        "uncertainty",
        ge=0.0,
        le=10.0,
    )
    adoption_midpoint_month: int = param(
        36,
        "Month (after the start) at which adoption reaches half its ceiling in a country with "
        "AI readiness 100; lower readiness delays it (readiness_delay_months_per_point)",
        "months",
        "uncertainty",
        ge=-120,
        le=600,
    )
    adoption_ceiling: float = param(
        0.7,
        "Share of exposed task time eventually automated when adoption saturates, in a "
        "country with AI readiness 100; lower readiness lowers it "
        "(readiness_depth_elasticity)",
        "share",
        "uncertainty",
        ge=0.0,
        le=1.0,
    )
    readiness_delay_months_per_point: float = param(
        1.0,
        "Months by which the adoption midpoint comes later per point of AI readiness below "
        "100 (Oxford Insights index). Comin and Mestieri (2018, AEJ Macro): adoption lags have "
        "shrunk to about 6 years for the internet; 6 years over the Singapore-Myanmar "
        "readiness gap is about 1.4 months a point, newer technologies spread faster",
        "months per point",
        "uncertainty",
        ge=0.0,
        le=6.0,
        reference="Comin & Mestieri (2018), If Technology Has Arrived Everywhere, Why Has "
        "Income Diverged? AEJ: Macroeconomics; range 0.5-3.0 (derived, low)",
    )
    readiness_depth_elasticity: float = param(
        0.75,
        "How far adoption goes with readiness: ceiling x (readiness/100)^elasticity. 0.75 "
        "gives Myanmar (34) half of Singapore's (84) ceiling. Comin and Mestieri (2018): the "
        "gap between rich and poor countries moved from adoption lags to intensity of use",
        "elasticity",
        "uncertainty",
        ge=0.0,
        le=3.0,
        reference="Comin & Mestieri (2018); World Bank Future Jobs 2025 (10% vs 30% in "
        "AI-complementary roles); range 0.3-1.5 (assumption)",
    )
    readiness_affects: Literal["adoption", "gains_only"] = param(
        "adoption",
        "What low AI readiness delays: 'adoption' (automation and augmentation alike) or "
        "'gains_only' (automation arrives at the frontier's pace everywhere while the "
        "productivity gains and new jobs wait for readiness: ILO Working Paper 166)",
        "choice",
        "uncertainty",
        reference="Gmyrek, Viollaz & Winkler (2026), Disruption without Dividend?, ILO WP 166 "
        "/ World Bank PRWP 11328",
    )
    sector_adoption_pace: dict[SectorId, Annotated[float, Field(ge=0.0, le=5.0)]] = param(
        {}, "Extra adoption-pace multipliers for named sectors", "multiplier", "uncertainty"
    )
    exposure_assumption: ExposureAssumption = param(  # type: ignore[valid-type]
        "ilo_genai_2025",
        "Occupation-level task exposure (share of an ISCO-08 sub-major group's tasks scoring "
        ">= 0.5 on the ILO generative-AI index) and its split into automation and "
        "augmentation: 2025 refined index (automation = occupations in gradients 3-4) or "
        "2023 scores (automation = the ILO's automation-potential class)",
        "choice",
        "uncertainty",
        reference="Gmyrek et al. (2025), ILO WP140, doi 10.54394/HETP0387; Gmyrek, Berg & "
        "Bescond (2023), ILO WP96",
    )
    sector_exposure: dict[SectorId, Annotated[float, Field(ge=0.0, le=1.0)]] = param(
        {},
        "Override the mean automation exposure of named sectors (e.g. 0.40 for BPO: 'up to "
        "40% of BPO tasks automatable'); workers' exposures are rescaled to this mean",
        "share of tasks",
        "uncertainty",
    )
    displacement_elasticity: float = param(
        0.35,
        "Formal positions removed per unit of task time newly automated (1 = every automated "
        "hour removes an hour of paid work; lower = firms redeploy workers within the job)",
        "jobs per task-share",
        "uncertainty",
        ge=0.0,
        le=1.0,
        reference="assumption; sweep 0.1-0.7",
    )
    new_jobs_ratio: float = param(
        1.2,
        "New positions created per unit of augmented task time, relative to the positions "
        "removed per unit of automated task time (both in the same sector). Anchors, in jobs "
        "created per job displaced: WEF Future of Jobs 2025, AI and information processing, "
        "11m vs 9m (1.22); World Bank Future Jobs 2025, robots in five ASEAN countries "
        "2018-22, about 2m skilled jobs vs 1.4m displaced (1.43); Acemoglu and Restrepo "
        "(2020) find local losses not offset (low end). Treating jobs per job as jobs per "
        "unit of task share is itself an assumption",
        "ratio",
        "uncertainty",
        ge=0.0,
        le=5.0,
        reference="WEF Future of Jobs 2025; World Bank Future Jobs 2025 (FACTS §4.7, §4.11); "
        "range 0.5-2.0",
    )
    new_job_min_skill: SkillBand = param(
        "high",
        "Lowest skill band that can fill a new AI-era vacancy (high = ISCO-08 skill levels 3-4: "
        "managers, professionals, technicians); the person must also have worked, or trained, "
        "in that sector (field-specific skills)",
        "skill band",
        "uncertainty",
        reference="assumption; context: World Bank Future Jobs 2025 (AI-complementary roles)",
    )
    ai_vacancy_lapse_rate: float = param(
        0.05,
        "Share of unfilled AI-era vacancies lost each month (offshored or abandoned) when "
        "nobody qualified takes them. Singapore (MOM): 16-24% of PMET vacancies still open "
        "after six months, a fill-or-withdraw hazard of about 0.23 a month; the withdrawal "
        "part is not published",
        "1/month",
        "uncertainty",
        ge=0.0,
        le=1.0,
        reference="assumption; context: MOM Job Vacancies 2015-2021; range 0.02-0.10",
    )
    adjustment_window_months: float = param(
        6.0,
        "Months over which a firm adopting AI spreads its job cut through attrition (leavers "
        "not replaced) before laying anyone off. 1 = lay off at once. Robots in Germany were "
        "absorbed by fewer new hires, not by displacing incumbents (Dauth, Findeisen, Suedekum "
        "and Woessner 2021, JEEA)",
        "months",
        "uncertainty",
        ge=0.0,
        le=60.0,
        reference="assumption; context: Dauth et al. (2021), The Adjustment of Labor Markets "
        "to Robots, JEEA 19(6); range 1-24",
    )
    sector_demand_growth: dict[SectorId, Annotated[float, Field(ge=-0.5, le=1.0)]] = param(
        {},
        "Baseline growth of named sectors' formal labour demand per year, replacing growth "
        "with the labour force; the other sectors share the rest so total demand still grows "
        "with the labour force",
        "share per year",
        "uncertainty",
    )


class Population(Strict):
    """Which workers are simulated (by default the whole employed labour force)."""

    sectors: list[SectorId] | None = param(
        None, "Simulate only these sectors' workers (default: every sector)", "sectors", "run"
    )
    employment_thousands: dict[SectorId, Annotated[float, Field(gt=0.0, le=500_000.0)]] = param(
        {}, "Replace a sector's employment from the data (thousands of workers)", "thousands", "run"
    )
    employment_source: str = param(
        "", "Where the replacement employment figures come from (required with them)", "text", "run"
    )
    informal_share: dict[SectorId, Annotated[float, Field(ge=0.0, le=1.0)]] = param(
        {},
        "Replace a sector's informal share of employment (e.g. 0 for IT-BPM firms' employees, "
        "who are formal); say why in employment_source",
        "share",
        "run",
    )

    @model_validator(mode="after")
    def _sourced(self) -> Population:
        if self.employment_thousands and not self.employment_source.strip():
            raise ValueError("employment_thousands needs an employment_source naming its source")
        if self.sectors is not None and not self.sectors:
            raise ValueError("sectors, when given, needs at least one sector")
        return self


#: Keys whose values are figures of one country (a headcount, an informal share, a turnover rate,
#: a demand trend, each measured or projected there): a scenario that sets any of them must
#: name that country in ``for_country`` and runs for no other.
COUNTRY_FIGURES = (
    "population.employment_thousands",
    "population.informal_share",
    "labour_market.sector_separation_rate",
    "uncertainties.sector_demand_growth",
)


def country_figures(scenario: Scenario) -> list[str]:
    """The keys of ``COUNTRY_FIGURES`` that ``scenario`` sets (non-empty), in that order."""
    found = []
    for key in COUNTRY_FIGURES:
        section, name = key.split(".")
        if getattr(getattr(scenario, section), name):
            found.append(key)
    return found


def country_mismatch(scenario: Scenario, countries: list[str] | tuple[str, ...]) -> str | None:
    """Why ``scenario`` cannot run for ``countries`` (ISO3, any case), or None if it can.

    A scenario that declares ``for_country`` holds that country's figures (``COUNTRY_FIGURES``)
    and runs for it alone.
    """
    own = scenario.for_country
    others = [c.strip().upper() for c in countries if c.strip().upper() != own]
    if own is None or not others:
        return None
    figures = ", ".join(country_figures(scenario)) or "for_country"
    return (
        f"scenario {scenario.name!r} holds figures for {own} only ({figures}); it cannot run "
        f"for {', '.join(dict.fromkeys(others))}: run it for {own}, or pick a scenario "
        "without country figures"
    )


class Scenario(Strict):
    """A named scenario: what it changes from the defaults above."""

    name: str = Field(..., min_length=1, max_length=80)
    description: str = Field("", max_length=2000)
    for_country: str | None = Field(
        None,
        description="The one country (ISO3) whose figures this scenario sets; required when "
        "it sets any of " + ", ".join(COUNTRY_FIGURES) + "; the scenario then runs for that "
        "country only (and by default)",
    )
    countries: list[str] = Field(default_factory=lambda: ["PHL"], min_length=1)
    focus_sectors: list[SectorId] = Field(default_factory=list)
    run: RunSettings = Field(default_factory=RunSettings)
    uncertainties: Uncertainties = Field(default_factory=Uncertainties)
    labour_market: LabourMarket = Field(default_factory=LabourMarket)
    levers: Levers = Field(default_factory=Levers)
    evaluation: EvaluationDesign = Field(default_factory=EvaluationDesign)
    earnings: Earnings = Field(default_factory=Earnings)
    population: Population = Field(default_factory=Population)

    @model_validator(mode="before")
    @classmethod
    def _own_country_by_default(cls, data: Any) -> Any:
        # A scenario for one country runs there unless it says otherwise.
        if (
            isinstance(data, dict)
            and isinstance(data.get("for_country"), str)
            and ("countries" not in data)
        ):
            data = {**data, "countries": [data["for_country"]]}
        return data

    @field_validator("countries")
    @classmethod
    def _iso3(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(_iso3_code(code) for code in value))

    @field_validator("for_country")
    @classmethod
    def _one_iso3(cls, value: str | None) -> str | None:
        return None if value is None else _iso3_code(value)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        figures = country_figures(self)
        if figures and self.for_country is None:
            raise ValueError(
                f"sets figures of one country ({', '.join(figures)}): say which country "
                'with for_country = "ISO3" (e.g. for_country = "PHL")'
            )
        mismatch = country_mismatch(self, self.countries)
        if mismatch:
            raise ValueError(mismatch)
        simulated = self.population.sectors
        if simulated is not None:
            for key, sectors in (
                ("focus_sectors", self.focus_sectors),
                ("population.employment_thousands", list(self.population.employment_thousands)),
            ):
                outside = [s for s in sectors if s not in simulated]
                if outside:
                    raise ValueError(
                        f"{key}: {', '.join(outside)} not among the simulated sectors "
                        f"(population.sectors = {', '.join(simulated)}); its figures would all "
                        "be zero"
                    )
        return self


def _iso3_code(code: str) -> str:
    code = code.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"country codes are ISO 3166 alpha-3 (e.g. PHL), got {code!r}")
    return code
