"""The policy sections of a scenario (kind ``lever``): the reskilling and job-creation
programmes (``Levers``) and their randomised evaluation (``EvaluationDesign``). Part of
``sim.scenarios.schema``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from sim.scenarios.fields import SectorId, Strict, distinct_sectors, param


class Reskilling(Strict):
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
        return distinct_sectors(value, "target_sectors")


class JobCreation(Strict):
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
        "Regular vacancies in the same sector that each programme job holds while it lasts, "
        "posted again when it ends (substitution). An assumption below the published "
        "estimates, which count deadweight too (Sweden: about 65%, Dahlberg & Forslund 1999; "
        "Netherlands: 75-80% of subsidised places would have been filled anyway): in the "
        "model, deadweight arises on its own (programme hires who would have found a regular "
        "job are netted out by the no-policy twin and the evaluation), so this share covers "
        "substitution alone",
        "vacancies per programme job",
        "lever",
        ge=0.0,
        le=1.0,
        reference="assumption below Dahlberg & Forslund (1999), IFAU, and Welters & Muysken "
        "(2004), which include deadweight; range 0.2-0.8",
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
        return distinct_sectors(value, "sectors")


class EvaluationDesign(Strict):
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


class Levers(Strict):
    """The policy levers a ministry can pull."""

    reskilling: Reskilling = Field(default_factory=Reskilling)
    job_creation: JobCreation = Field(default_factory=JobCreation)
