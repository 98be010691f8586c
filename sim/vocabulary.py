"""The simulator's vocabulary: sectors, labels, skill bands, confidence levels, thresholds.

Every name and fixed number that more than one module uses is defined here once: the data
loader checks tables against it, the scenario schema builds its choices from it, the results
and the app label their tables with it.
"""

from __future__ import annotations

SECTORS: tuple[str, ...] = (
    "agriculture",
    "manufacturing",
    "construction",
    "retail_trade",
    "logistics_transport",
    "accommodation_food",
    "bpo_business_services",
    "ict_professional",
    "finance_real_estate",
    "public_administration",
    "education_health",
    "other_services",
)
SECTOR_LABELS: dict[str, str] = {
    "agriculture": "Agriculture, forestry & fishing",
    "manufacturing": "Manufacturing, mining & utilities",
    "construction": "Construction",
    "retail_trade": "Wholesale & retail trade",
    "logistics_transport": "Transport, logistics & storage",
    "accommodation_food": "Accommodation & food services",
    "bpo_business_services": "BPO & business services",
    "ict_professional": "ICT & professional services",
    "finance_real_estate": "Finance, insurance & real estate",
    "public_administration": "Public administration & defence",
    "education_health": "Education, health & social work",
    "other_services": "Other services",
}
#: ISIC Rev.4 sections per sector (a modelling choice, documented in data/README.md).
SECTOR_ISIC: dict[str, str] = {
    "agriculture": "A",
    "manufacturing": "B;C;D;E",
    "construction": "F",
    "retail_trade": "G",
    "logistics_transport": "H",
    "accommodation_food": "I",
    "bpo_business_services": "N",
    "ict_professional": "J;M",
    "finance_real_estate": "K;L",
    "public_administration": "O",
    "education_health": "P;Q",
    "other_services": "R;S;T;U",
}
#: The label of the all-sector total in result tables.
ALL = "all"
#: Skill bands, lowest first (ISCO-08 skill levels 1, 2 and 3-4).
SKILL_BANDS: tuple[str, ...] = ("low", "medium", "high")
SEXES: tuple[str, ...] = ("male", "female")
#: ISCO-08 major groups 1..9, as the occupation-mix columns of sectors.csv.
OCC_COLS: tuple[str, ...] = tuple(f"occ_{g}" for g in range(1, 10))

CONFIDENCE_LEVELS: frozenset[str] = frozenset(
    {
        "high",
        "medium-high",
        "medium",
        "low-medium",
        "medium-low",
        "low",
        "derived (high)",
        "derived (medium)",
        "derived (low)",
        "given",
        "assumption",
    }
)
#: exposure assumption name -> occupations.csv column (both: share of tasks scoring >= 0.5)
EXPOSURE_ASSUMPTIONS: dict[str, str] = {
    "ilo_genai_2025": "task_exposure_ilo2025",
    "ilo_genai_2023": "task_exposure_ilo2023",
}

#: Unemployed this many months or more counts as long-term unemployment (ILO definition).
LONG_TERM_MONTHS = 12
#: Uncertainty band over replications: the 5th and 95th percentiles around the median.
BAND: tuple[float, float] = (0.05, 0.95)
#: Years whose end the headline tables report by default.
HEADLINE_YEARS: tuple[int, ...] = (2030, 2035)
