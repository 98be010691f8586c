"""The scenario schema: every parameter of a run, its default, unit, kind and reference.

This module is the one place where defaults live. A scenario file (TOML, beside this module)
states only what it changes from these defaults; the app's widgets, the CLI's options, the
sweep designs and the tests all read the defaults and ranges from the fields below.

Parameters come in three kinds, kept apart as the EMA Workbench does:
- ``uncertainty``: things nobody controls (adoption pace, exposure assumption, elasticities);
- ``lever``: policy choices (reskilling seats, job programmes);
- ``structure``: labour-market mechanics calibrated to data (matching, search decay) and run
  settings.

Unknown keys and out-of-range values are errors that name the key (see ``load_scenario``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.vocabulary import EXPOSURE_ASSUMPTIONS, SECTORS, SKILL_BANDS

AUTO_SCALE_AGENTS = 50_000  # simulated workers per country when the scale is left automatic
AUTO_SCALE_FOCUS_AGENTS = 20_000  # ... and at least this many in the focus sectors

SectorId = Literal[SECTORS]  # type: ignore[valid-type]
SkillBand = Literal[SKILL_BANDS]  # type: ignore[valid-type]
ExposureAssumption = Literal[tuple(EXPOSURE_ASSUMPTIONS)]  # type: ignore[valid-type]


def param(
    default: Any,
    description: str,
    unit: str,
    kind: Literal["uncertainty", "lever", "structure", "run"],
    reference: str = "assumption",
    **bounds: Any,
) -> Any:
    """A scenario parameter with its description, unit, kind and reference (or 'assumption')."""
    return Field(
        default,
        description=description,
        json_schema_extra={"unit": unit, "kind": kind, "reference": reference},
        **bounds,
    )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RunSettings(_Strict):
    """How long, how many replications, how fine-grained."""

    horizon_months: int = param(
        120, "Months simulated after the start month", "months", "run", ge=1, le=600
    )
    start: str = param("2026-01", "Calendar month of month 0 (YYYY-MM)", "YYYY-MM", "run")
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


class Uncertainties(_Strict):
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
        1.2,
        "Steepness of the adoption S-curve per year for a country with AI readiness 100; "
        "scaled by the country's readiness/100 and by adoption_pace",
        "1/year",
        "uncertainty",
        ge=0.0,
        le=10.0,
    )
    adoption_midpoint_month: int = param(
        60,
        "Month (after the start) at which adoption reaches half its ceiling",
        "months",
        "uncertainty",
        ge=-120,
        le=600,
    )
    adoption_ceiling: float = param(
        0.7,
        "Share of exposed task time eventually automated when adoption saturates",
        "share",
        "uncertainty",
        ge=0.0,
        le=1.0,
    )
    sector_adoption_pace: dict[SectorId, Annotated[float, Field(ge=0.0, le=5.0)]] = param(
        {}, "Extra adoption-pace multipliers for named sectors", "multiplier", "uncertainty"
    )
    exposure_assumption: ExposureAssumption = param(  # type: ignore[valid-type]
        "ilo_genai_2025",
        "Which occupation-level task exposure to use: share of an ISCO group's tasks scoring "
        ">= 0.5 on the ILO generative-AI index (2025 refined index, or the 2023 scores)",
        "choice",
        "uncertainty",
        reference="Gmyrek et al. (2025), ILO WP140, doi 10.54394/HETP0387; ILO WP96 (2023)",
    )
    sector_exposure: dict[SectorId, Annotated[float, Field(ge=0.0, le=1.0)]] = param(
        {},
        "Override the mean task exposure of named sectors (e.g. 0.40 for BPO: 'up to 40% of "
        "BPO tasks automatable'); workers' exposures are rescaled to this mean",
        "share of tasks",
        "uncertainty",
    )
    displacement_elasticity: float = param(
        0.35,
        "Jobs lost per unit of task time newly automated (1 = every automated hour removes "
        "an hour of paid work; lower = firms redeploy workers within the job)",
        "jobs per task-share",
        "uncertainty",
        ge=0.0,
        le=1.0,
    )
    reinstatement_ratio: float = param(
        0.5,
        "New AI-era vacancies created per job automated away, allocated to sectors by their "
        "augmentation potential. WEF Future of Jobs 2025 employers expect 11M AI jobs created "
        "vs 9M displaced worldwide (ratio 1.2); the default is lower for ASEAN's smaller "
        "AI-complementary workforce (World Bank 2025: ~10% vs 30%)",
        "vacancies per job lost",
        "uncertainty",
        ge=0.0,
        le=5.0,
        reference="assumption; context: WEF Future of Jobs 2025, World Bank Future Jobs 2025",
    )
    new_job_min_skill: SkillBand = param(
        "high",
        "Lowest skill band that can fill a new AI-era vacancy (high = ISCO-08 skill levels 3-4: "
        "managers, professionals, technicians, the AI-complementary roles)",
        "skill band",
        "uncertainty",
        reference="assumption; context: World Bank Future Jobs 2025 (AI-complementary roles)",
    )


class LabourMarket(_Strict):
    """How workers and vacancies meet. Turnover rates come from each country's data."""

    matching_elasticity: float = param(
        0.5,
        "Elasticity of hires with respect to searchers (eta) in the matching function",
        "elasticity",
        "structure",
        ge=0.05,
        le=0.95,
        reference="assumption; Petrongolo & Pissarides (2001) survey: 0.5-0.7",
    )
    own_sector_search_share: float = param(
        0.5,
        "Share of a searcher's effort spent in their own (last) sector; the rest spreads over "
        "sectors by similarity of occupation mix (ILOSTAT ISIC x ISCO) and size",
        "share",
        "structure",
        ge=0.0,
        le=1.0,
    )
    search_decay_per_month: float | None = param(
        None,
        "Fall in search efficiency per month of search (long spells find work less often); "
        "empty = the country's value calibrated to ILOSTAT unemployment durations",
        "1/month",
        "structure",
        reference="data/calibration.csv (sim.calibrate)",
        ge=0.0,
        le=0.5,
    )
    vacancy_filling_rate: float = param(
        0.5,
        "Share of open vacancies filled per month at the start (sets the vacancy stock; no "
        "vacancy data exist for most ASEAN countries)",
        "1/month",
        "structure",
        ge=0.05,
        le=1.0,
    )
    exposure_concentration: float = param(
        20.0,
        "Concentration of workers' task exposure around their occupation's mean (Beta "
        "distribution; higher = less spread)",
        "Beta a+b",
        "structure",
        ge=1.0,
        le=1000.0,
    )


class Reskilling(_Strict):
    """A reskilling programme: seats, eligibility, duration, completion, cost, target sectors."""

    enabled: bool = param(False, "Run a reskilling programme", "on/off", "lever")
    start_month: int = param(
        12, "Month the programme starts enrolling", "months", "lever", ge=0, le=600
    )
    seats_per_100k: float = param(
        20.0,
        "New trainees per month per 100,000 people in the labour force. Singapore's "
        "SkillsFuture Career Transition Programme: ~15,000 completers in 3 years, about 11 "
        "per 100k per month",
        "per 100k labour force per month",
        "lever",
        ge=0.0,
        le=5000.0,
        reference="SSG, Feb 2026 (FACTS §5.1), derived (low)",
    )
    eligibility: Literal["automation_displaced", "unemployed"] = param(
        "automation_displaced",
        "Who may enrol: workers who lost a job to automation, or any unemployed worker",
        "choice",
        "lever",
    )
    min_months_unemployed: int = param(
        6,
        "Months of unemployment before a worker may enrol (training helps most those whose "
        "search has gone stale; those who would soon find work anyway lose time training)",
        "months",
        "lever",
        ge=0,
        le=120,
        reference="assumption; context: Card, Kluve & Weber (2018) meta-analysis of active "
        "labour market programmes",
    )
    duration_months: int = param(
        6, "Length of training; trainees do not search meanwhile", "months", "lever", ge=1, le=48
    )
    completion_rate: float = param(
        0.7, "Share of trainees who complete and gain the skills", "share", "lever", ge=0.0, le=1.0
    )
    skill_gain: int = param(1, "Skill bands gained on completion", "bands", "lever", ge=0, le=2)
    target_sectors: list[SectorId] = param(
        ["ict_professional", "education_health", "finance_real_estate"],
        "Sectors graduates are trained for and search in",
        "sectors",
        "lever",
    )
    cost_per_trainee_wage_months: float = param(
        5.3,
        "Cost per trainee, in months of the country's average monthly earnings. Singapore's "
        "Career Conversion Programmes: about S$1bn for 40,000+ people (~S$25,000 each, ~5.3 "
        "months of ILOSTAT average earnings)",
        "wage-months per trainee",
        "lever",
        ge=0.0,
        le=120.0,
        reference="MOM parliamentary reply 6 Feb 2023 (FACTS §5.2), derived (low)",
    )

    @field_validator("target_sectors")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("target_sectors needs at least one sector")
        return list(dict.fromkeys(value))


class JobCreation(_Strict):
    """A public job-creation programme: jobs, sectors, duration, cost, targeting."""

    enabled: bool = param(False, "Run a job-creation programme", "on/off", "lever")
    start_month: int = param(
        12, "Month the programme starts hiring", "months", "lever", ge=0, le=600
    )
    jobs_per_100k: float = param(
        10.0,
        "New programme jobs per month per 100,000 people in the labour force",
        "per 100k labour force per month",
        "lever",
        ge=0.0,
        le=5000.0,
    )
    sectors: list[SectorId] = param(
        ["construction", "education_health", "public_administration"],
        "Sectors where programme jobs are created",
        "sectors",
        "lever",
    )
    duration_months: int = param(12, "Length of a programme job", "months", "lever", ge=1, le=120)
    targeting: Literal["automation_displaced", "long_term_unemployed", "unemployed"] = param(
        "automation_displaced", "Who is hired into programme jobs", "choice", "lever"
    )
    transition_to_regular: float = param(
        0.3,
        "Share of programme workers kept on in a regular job when the programme job ends",
        "share",
        "lever",
        ge=0.0,
        le=1.0,
    )
    cost_per_job_month_wage_months: float = param(
        1.0,
        "Cost of one programme job for one month, in months of average earnings",
        "wage-months per job-month",
        "lever",
        ge=0.0,
        le=20.0,
    )

    @field_validator("sectors")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("sectors needs at least one sector")
        return list(dict.fromkeys(value))


class Levers(_Strict):
    """The policy levers a ministry can pull."""

    reskilling: Reskilling = Field(default_factory=Reskilling)
    job_creation: JobCreation = Field(default_factory=JobCreation)


class Population(_Strict):
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

    @model_validator(mode="after")
    def _sourced(self) -> Population:
        if self.employment_thousands and not self.employment_source.strip():
            raise ValueError("employment_thousands needs an employment_source naming its source")
        if self.sectors is not None and not self.sectors:
            raise ValueError("sectors, when given, needs at least one sector")
        return self


class Scenario(_Strict):
    """A named scenario: what it changes from the defaults above."""

    name: str = Field(..., min_length=1, max_length=80)
    description: str = Field("", max_length=2000)
    countries: list[str] = Field(default_factory=lambda: ["PHL"], min_length=1)
    focus_sectors: list[SectorId] = Field(default_factory=list)
    run: RunSettings = Field(default_factory=RunSettings)
    uncertainties: Uncertainties = Field(default_factory=Uncertainties)
    labour_market: LabourMarket = Field(default_factory=LabourMarket)
    levers: Levers = Field(default_factory=Levers)
    population: Population = Field(default_factory=Population)

    @field_validator("countries")
    @classmethod
    def _iso3(cls, value: list[str]) -> list[str]:
        codes = [code.strip().upper() for code in value]
        for code in codes:
            if len(code) != 3 or not code.isalpha():
                raise ValueError(f"country codes are ISO 3166 alpha-3 (e.g. PHL), got {code!r}")
        return list(dict.fromkeys(codes))
