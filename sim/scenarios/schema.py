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


class LabourMarket(_Strict):
    """How people and jobs meet. Turnover and job finding come from each country's data."""

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
        "Share of open vacancies filled per month at the start, where no vacancy rate is "
        "published (Malaysia and Singapore use their observed vacancy rates)",
        "1/month",
        "structure",
        ge=0.05,
        le=1.0,
        reference="assumption; Malaysia's 2.1% vacancy rate (DOSM Q3 2024) implies about 0.4",
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
    sector_separation_rate: dict[SectorId, Annotated[float, Field(gt=0.0, le=0.5)]] = param(
        {},
        "Monthly separations per worker in named sectors (e.g. 0.049 for Philippine contact "
        "centres: 45% a year, CCAP 2022); the other sectors are scaled so the country's "
        "calibrated average holds",
        "1/month",
        "structure",
        reference="FACTS §11.3 for BPO",
    )
    informality_basis: Literal["default", "national", "ilo", "status_proxy"] = param(
        "default",
        "Which informal-employment share the baseline holds: the national statistical "
        "office's headline, ILOSTAT's harmonised rate, or own-account plus contributing "
        "family workers (a lower bound); 'default' = national where published, else ILOSTAT, "
        "else the proxy",
        "choice",
        "structure",
        reference="data/labour_market.csv",
    )
    informal_search_intensity: float = param(
        0.2,
        "Search effort of informal workers for formal jobs, relative to an unemployed searcher "
        "(on-the-job search)",
        "share",
        "structure",
        ge=0.0,
        le=1.0,
        reference="assumption; sweep 0-0.5",
    )
    underemployment_basis: Literal["default", "national", "ilo"] = param(
        "default",
        "Which time-related underemployment rate the baseline holds: the national headline "
        "(e.g. PSA for the Philippines) or ILOSTAT's TRU_DEMP rate; 'default' = national where "
        "published, else ILOSTAT",
        "choice",
        "structure",
        reference="data/labour_market.csv",
    )
    underemployment_informal_ratio: float = param(
        2.0,
        "Underemployment rate of informal workers relative to formal workers",
        "ratio",
        "structure",
        ge=1.0,
        le=10.0,
        reference="assumption; sweep 1-4",
    )
    underemployment_spell_months: float = param(
        6.0,
        "Mean length of a spell of time-related underemployment",
        "months",
        "structure",
        ge=1.0,
        le=60.0,
        reference="assumption; sweep 3-12",
    )
    discouragement_rate: float = param(
        0.01,
        "Monthly chance that someone unemployed for 12 months or more stops searching and "
        "leaves the labour force",
        "1/month",
        "structure",
        ge=0.0,
        le=0.5,
        reference="assumption; sweep 0-0.05",
    )
    reentry_rate: float = param(
        0.04,
        "Monthly chance that someone who stopped searching starts again",
        "1/month",
        "structure",
        ge=0.0,
        le=1.0,
        reference="assumption; sweep 0.01-0.1",
    )
    working_life_years: float = param(
        45.0,
        "Average working life; people leave the population (retire) at 1/(12 x this) a month "
        "and entrants replace them and add the labour force's growth",
        "years",
        "structure",
        ge=10.0,
        le=70.0,
        reference="assumption; statutory retirement ages 55-65 (OECD Pensions at a Glance "
        "Asia/Pacific 2022); range 35-50",
    )


class Earnings(_Strict):
    """What jobs pay and how displacement and training change it."""

    informal_earnings_ratio: float = param(
        0.6,
        "Monthly earnings in informal work relative to a formal job in the same sector and "
        "skill band. No ASEAN estimate was found; raw gaps in Thailand (0.48-0.74) and the "
        "panel evidence that conditional gaps are smaller bound the range",
        "ratio",
        "uncertainty",
        ge=0.1,
        le=1.5,
        reference="assumption; context: Nguyen, Nordman & Roubaud (2013); OECD (2024) "
        "Breaking the Vicious Circles; range 0.45-0.85",
    )
    underemployed_hours_ratio: float = param(
        0.7,
        "Earnings of the time-related underemployed relative to full hours",
        "ratio",
        "uncertainty",
        ge=0.1,
        le=1.0,
        reference="assumption; sweep 0.5-1.0",
    )
    scar_same_sector: float = param(
        0.05,
        "Pay cut on re-employment in the same sector after an automation layoff (lost "
        "match-specific capital: 70% of displaced US workers lose pay even at employers paying "
        "the same, Lachowska, Mas & Woodbury 2020)",
        "share of pay",
        "uncertainty",
        ge=0.0,
        le=0.9,
        reference="assumption; range 0-0.10",
    )
    scar_switch_sector: float = param(
        0.15,
        "Pay cut on re-employment in another sector after an automation layoff (lost "
        "industry-specific skills; Korea: a 15% cut into mostly non-regular jobs, OECD 2013; "
        "Brazil 10-15% in weak markets)",
        "share of pay",
        "uncertainty",
        ge=0.0,
        le=0.9,
        reference="assumption; range 0.05-0.25",
    )
    scar_half_life_years: float = param(
        4.0,
        "Years for the pay cut to halve (Couch & Placzek 2010: losses above 30% at first, up "
        "to 15% six years later)",
        "years",
        "uncertainty",
        ge=0.0,
        le=50.0,
        reference="derived (low); range 2-8",
    )
    scar_floor: float = param(
        0.0,
        "Part of the pay cut that never fades",
        "share of pay",
        "uncertainty",
        ge=0.0,
        le=0.9,
        reference="assumption; range 0-0.10 (0.15 for recessions)",
    )
    discount_rate_per_year: float = param(
        0.05,
        "Discount rate for present values of earnings and costs (Davis & von Wachter 2011 use 5%)",
        "1/year",
        "structure",
        ge=0.0,
        le=0.3,
    )


class Reskilling(_Strict):
    """A reskilling programme: seats, eligibility, duration, completion, cost, target sectors."""

    enabled: bool = param(False, "Run a reskilling programme", "on/off", "lever")
    start_month: int = param(
        12,
        "Months after the start before the programme enrols (0 = from the first simulated "
        "month; 12 = from the thirteenth, e.g. January 2027)",
        "months",
        "lever",
        ge=0,
        le=600,
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
    eligibility: Literal[
        "automation_displaced", "focus_sectors", "long_term_unemployed", "unemployed"
    ] = param(
        "automation_displaced",
        "Who may enrol: people laid off by automation, job seekers whose last (or intended) "
        "job is in the scenario's focus sectors, people 12+ months without a regular job, or "
        "any unemployed person",
        "choice",
        "lever",
    )
    min_months_unemployed: int = param(
        6,
        "Months without a regular job before a person may enrol (training months count; "
        "training helps most those whose search has gone stale)",
        "months",
        "lever",
        ge=0,
        le=120,
        reference="assumption; context: Card, Kluve & Weber (2018): larger effects for the "
        "long-term unemployed",
    )
    duration_months: int = param(6, "Length of the course", "months", "lever", ge=1, le=48)
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
    search_intensity: float = param(
        0.5,
        "Job search of trainees relative to an unemployed searcher (lock-in: participants "
        "search less while in a programme; Wunsch, IZA World of Labor; van Ours 2004)",
        "share",
        "lever",
        ge=0.0,
        le=1.0,
        reference="assumption; range 0.2-0.8",
    )
    search_refresh: float = param(
        1.0,
        "Share of the time already spent searching that a completed course wipes from what "
        "employers see (1 = graduates search afresh, 0 = their search resumes where it "
        "paused). Callbacks fall with time out of work (Kroft, Lange & Notowidigdo 2013, QJE); "
        "how much a certificate offsets that is not measured",
        "share",
        "lever",
        ge=0.0,
        le=1.0,
        reference="assumption; range 0-1",
    )
    earnings_return_men: float = param(
        0.09,
        "Earnings gain per academic year (9 months) of completed training, men (Jacobson, "
        "LaLonde & Sullivan 2005: about 9%; technical courses 14%)",
        "share per year of training",
        "lever",
        ge=0.0,
        le=1.0,
        reference="Jacobson, LaLonde & Sullivan (2005), J. Econometrics; IZA DP 1017",
    )
    earnings_return_women: float = param(
        0.13,
        "Earnings gain per academic year of completed training, women (about 13%; technical "
        "courses 29%)",
        "share per year of training",
        "lever",
        ge=0.0,
        le=1.0,
        reference="Jacobson, LaLonde & Sullivan (2005), J. Econometrics; IZA DP 1017",
    )
    queue_order: Literal["first_come", "longest_jobless_first"] = param(
        "first_come",
        "Order in which the waiting list is served when seats are short",
        "choice",
        "lever",
    )
    cooldown_months: int | None = param(
        None,
        "Months after an assignment before a person may be assigned again within the same "
        "spell without a regular job; empty = never within a spell (one enrolment per spell)",
        "months",
        "lever",
        ge=1,
        le=600,
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
        12,
        "Months after the start before the programme hires (0 = from the first simulated "
        "month; 12 = from the thirteenth, e.g. January 2027)",
        "months",
        "lever",
        ge=0,
        le=600,
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
    targeting: Literal[
        "automation_displaced", "focus_sectors", "long_term_unemployed", "unemployed"
    ] = param("automation_displaced", "Who is hired into programme jobs", "choice", "lever")
    transition_to_regular: float = param(
        0.3,
        "Share of programme workers the employer would keep on when the programme job ends; "
        "they are kept only into an open regular vacancy of that sector",
        "share",
        "lever",
        ge=0.0,
        le=1.0,
    )
    substitution_share: float = param(
        0.5,
        "Regular vacancies in the same sector that each programme job takes the place of "
        "(substitution and deadweight together; Sweden: about 65%, Dahlberg & Forslund 1999; "
        "Netherlands: 75-80% of subsidised places would have been filled anyway)",
        "vacancies per programme job",
        "lever",
        ge=0.0,
        le=1.0,
        reference="Dahlberg & Forslund (1999), IFAU; range 0.2-0.8",
    )
    search_intensity: float = param(
        0.5,
        "Search for regular jobs while in a programme job, relative to an unemployed searcher "
        "(van Ours 2004: subsidised workers reduce their search)",
        "share",
        "lever",
        ge=0.0,
        le=1.0,
        reference="assumption; range 0.2-0.8",
    )
    cost_per_job_month_wage_months: float = param(
        1.0,
        "Cost of one programme job for one month, in months of average earnings",
        "wage-months per job-month",
        "lever",
        ge=0.0,
        le=20.0,
    )
    wage_share: float = param(
        0.7,
        "Share of a programme job's cost paid to the worker as wages",
        "share",
        "lever",
        ge=0.0,
        le=1.0,
        reference="assumption; range 0.5-0.9",
    )
    queue_order: Literal["first_come", "longest_jobless_first"] = param(
        "first_come",
        "Order in which the waiting list is served when jobs are short",
        "choice",
        "lever",
    )
    cooldown_months: int | None = param(
        None,
        "Months after an assignment before a person may be assigned again within the same "
        "spell without a regular job; empty = never within a spell",
        "months",
        "lever",
        ge=1,
        le=600,
    )

    @field_validator("sectors")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("sectors needs at least one sector")
        return list(dict.fromkeys(value))


class EvaluationDesign(_Strict):
    """How the programmes are evaluated inside the run (a randomised trial)."""

    control_share: float = param(
        0.1,
        "Share of newly eligible people randomly assigned to the control group (never offered "
        "a place in that spell); the rest are offered one. 0 = no evaluation",
        "share",
        "lever",
        ge=0.0,
        le=0.9,
    )


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


class Scenario(_Strict):
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
