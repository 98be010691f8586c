#!/usr/bin/env python3
"""Derive the simulator's input tables from the reference data in ../shared/data.

Usage::

    .venv/bin/python data/derive.py [--source ../shared/data] [--out data]

Reads ONLY the ILOSTAT / ILO-GenAI source CSVs (never edits them) plus a handful of
figures quoted from FACTS.md or national releases, which appear as named constants with
their source and confidence. Writes these tables (sorted, rounded, LF line endings, no index):

* ``sectors.csv``      one row per country x simulator sector (10 x 12)
* ``countries.csv``    one row per country
* ``occupations.csv``  one row per ISCO-08 major group 1-9

and, through ``derive_occupations.py`` and ``derive_labour.py``:

* ``occupations_submajor.csv``, ``occupation_pay.csv``, ``occupation_mix_submajor.csv``,
  ``sector_occupation_sex.csv``
* ``labour_force.csv``, ``labour_market.csv``, ``sector_informality.csv``,
  ``bpo_headcount_phl.csv``

Every derivation is documented in ``data/README.md``. The script is deterministic:
running it twice produces byte-identical files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import derive_labour as dl
import derive_occupations as do
import derive_report
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent / "shared" / "data"

# --------------------------------------------------------------------------------------
# Source files (relative to --source)
# --------------------------------------------------------------------------------------
F_EMP = "ilostat/ilostat_employment_by_isic4_asean.csv"
F_XTAB = "ilostat/ilostat_employment_isic4_x_isco08_asean.csv"
F_FEM = "ilostat/ilostat_female_employment_by_isic4_asean.csv"
F_EARN = "ilostat/ilostat_earnings_by_isic4_asean.csv"
F_DUR = "ilostat/ilostat_unemployment_duration_asean.csv"
F_GENAI = "ilo_genai/ilo_genai_scores_2025_isco_major_group_summary_DERIVED.csv"

# --------------------------------------------------------------------------------------
# Modelling choices (not data): simulator sectors and their ISIC Rev.4 sections
# --------------------------------------------------------------------------------------
SECTORS: list[tuple[str, str, tuple[str, ...]]] = [
    ("agriculture", "Agriculture, forestry & fishing", ("A",)),
    ("manufacturing", "Manufacturing, mining & utilities", ("B", "C", "D", "E")),
    ("construction", "Construction", ("F",)),
    ("retail_trade", "Wholesale & retail trade", ("G",)),
    ("logistics_transport", "Transport, logistics & storage", ("H",)),
    ("accommodation_food", "Accommodation & food services", ("I",)),
    ("bpo_business_services", "BPO & business services", ("N",)),
    ("ict_professional", "ICT & professional services", ("J", "M")),
    ("finance_real_estate", "Finance, insurance & real estate", ("K", "L")),
    ("public_administration", "Public administration & defence", ("O",)),
    ("education_health", "Education, health & social work", ("P", "Q")),
    ("other_services", "Other services", ("R", "S", "T", "U")),
]
ISIC_A_TO_U = tuple("ABCDEFGHIJKLMNOPQRSTU")
ISCO_GROUPS = tuple(str(g) for g in range(1, 10))  # 0 (armed forces) and X excluded

COUNTRY_NAMES = {  # ISO 3166-1 alpha-3, as listed in shared/data/README.md
    "BRN": "Brunei Darussalam",
    "IDN": "Indonesia",
    "KHM": "Cambodia",
    "LAO": "Lao PDR",
    "MMR": "Myanmar",
    "MYS": "Malaysia",
    "PHL": "Philippines",
    "SGP": "Singapore",
    "THA": "Thailand",
    "VNM": "Viet Nam",
}

EMP_SURVEY_INDICATOR = "EMP_TEMP_SEX_ECO_NB"  # ILOSTAT harmonised LFS; never EMP_2EMP (modelled)

# Sectors whose occupation mix leaves more than this share of the sector's employment
# unassigned (sections without a breakdown + ISCO 0/X + suppressed cells) are graded
# "derived (medium)" instead of "derived (high)".  Modelling choice.
UNASSIGNED_MEDIUM_THRESHOLD = 0.05

# --------------------------------------------------------------------------------------
# Figures quoted from FACTS.md (value, source, confidence).  Never estimated here.
# --------------------------------------------------------------------------------------
# FACTS.md §3: Oxford Insights Government AI Readiness Index 2024 (0-100), all ten ASEAN
# countries, as tabulated by Databoks (Katadata). Confidence: medium (the five figures also
# in the project brief, §9, agree exactly).
AI_READINESS_2024 = {
    "SGP": 84.25,
    "MYS": 71.40,
    "THA": 66.17,
    "IDN": 65.85,
    "VNM": 61.42,
    "PHL": 58.51,
    "BRN": 55.45,
    "KHM": 36.63,
    "LAO": 36.08,
    "MMR": 34.26,
}
AI_READINESS_SOURCE = (
    "Oxford Insights Government AI Readiness Index 2024, tabulated by Databoks/Katadata "
    "(FACTS.md §3)"
)
AI_READINESS_CONFIDENCE = "medium"

# FACTS.md §6.1: Singapore resident unemployment rate 2.7% (SingStat theme page, published
# with the 2023 figures; the year is not stated separately). Confidence: high. The resident
# basis matches the ILOSTAT SGP employment series (residents only).
SGP_RESIDENT_UNEMPLOYMENT_RATE = 0.027
SGP_RESIDENT_UNEMPLOYMENT_YEAR = 2023
# FACTS.md §1.4 (Indonesia) and §6.1: BPS Sakernas Aug 2024 open unemployment rate 4.91%
# (7.47M). Confidence: medium (news reports of the BPS press conference).
IDN_BPS_UNEMPLOYMENT_RATE = 0.0491
IDN_BPS_UNEMPLOYMENT_YEAR = 2024
# FACTS.md §1.2: ILO modelled unemployment rate 2024 (15+), Nov 2025 release. Confidence: medium.
ILO_MODELLED_UNEMPLOYMENT_2024 = {"LAO": 0.012, "MMR": 0.029, "BRN": 0.052}
# FACTS.md §6.3 (from §5.3): Singapore monthly job-finding about 0.14-0.18, implied by
# 6-month re-entry rates of retrenched residents of 59-69% (MOM). 0.16 = midpoint.
# Confidence: derived (low). Different concept (retrenched residents only).
SGP_JOB_FINDING_RATE = 0.16

CONFIDENCE_LEVELS = (
    "high", "medium-high", "medium", "low-medium", "medium-low", "low",
    "derived (high)", "derived (medium)", "derived (low)", "given", "assumption",
)

GENAI_REF = "ILO WP140, Gmyrek et al. 2025, doi 10.54394/HETP0387"

# Decimal places per output column kind.
DP_SHARE = 6
DP_THOUSANDS = 3
DP_WAGE = 2
DP_RATE = 6


# ======================================================================================
# Loading
# ======================================================================================
def _read(source: Path, rel: str, **kw) -> pd.DataFrame:
    return pd.read_csv(source / rel, encoding="utf-8", **kw)


def load_sources(source: Path) -> dict[str, pd.DataFrame]:
    txt = {"isic4_section": str, "isco08_major_group": str}
    emp = _read(source, F_EMP, dtype=txt)
    xtab = _read(source, F_XTAB, dtype=txt)
    fem = _read(source, F_FEM, dtype=txt)
    earn = _read(source, F_EARN, dtype=txt)
    dur = _read(source, F_DUR)
    genai = _read(source, F_GENAI, dtype={"isco08_major_group": str})
    emp = emp[emp["indicator"].str.startswith(EMP_SURVEY_INDICATOR)].copy()
    return {"emp": emp, "xtab": xtab, "fem": fem, "earn": earn, "dur": dur, "genai": genai,
            "genai2": _read(source, do.F_GENAI2),
            "oc2": _read(source, do.F_OC2, dtype={"isco08_submajor_group": str,
                                                  "isco08_major_group": str}),
            "inf": _read(source, dl.F_INF), "status": _read(source, dl.F_STATUS),
            "lf": _read(source, dl.F_LF), "tru": _read(source, dl.F_TRU)}


# ======================================================================================
# Helpers
# ======================================================================================
def _sections_str(secs) -> str:
    return "+".join(secs) if secs else "none"


def _employment_basis(emp: pd.DataFrame) -> pd.DataFrame:
    """Latest survey year per country; section rows A-U only (X and TOTAL dropped)."""
    years = emp.groupby("iso3")["year"].max().rename("year")
    e = emp.merge(years.reset_index(), on=["iso3", "year"])
    return e


def _round(x, dp):
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return np.nan
    return round(float(x), dp)


# ======================================================================================
# Occupations
# ======================================================================================
SKILL_BAND = {1: "high", 2: "high", 3: "high", 4: "medium", 5: "medium", 6: "medium",
              7: "medium", 8: "medium", 9: "low"}


def derive_occupations(genai: pd.DataFrame) -> pd.DataFrame:
    g = genai.copy()
    g["isco08_major_group"] = g["isco08_major_group"].astype(int)
    out = pd.DataFrame({
        "isco08_major_group": g["isco08_major_group"],
        "label": g["label"],
        "skill_band": g["isco08_major_group"].map(SKILL_BAND),
        "task_exposure_ilo2025": (g["pct_tasks_2025_ge075"] + g["pct_tasks_2025_050_075"]) / 100,
        "task_exposure_ilo2023": (g["pct_tasks_2023_ge075"] + g["pct_tasks_2023_050_075"]) / 100,
        "exposed_share_ilo2025": g["pct_occ_2025_exposed_any_gradient"] / 100,
        "gradient4_share_ilo2025": g["pct_occ_2025_gradient_4"] / 100,
        "augmentation_potential_2023": g["pct_occ_2023_augmentation_potential"] / 100,
        "automation_potential_2023": g["pct_occ_2023_automation_potential"] / 100,
        "mean_score_2025": g["mean_occ_score_2025"],
    })
    out["source"] = (
        f"{GENAI_REF}: ISCO-08 major-group aggregates of the task/occupation scores, "
        "unweighted shares of 4-digit occupations or tasks "
        "(ilo_genai_scores_2025_isco_major_group_summary_DERIVED.csv)"
    )
    out["confidence"] = "derived (high)"
    for c in out.columns:
        if out[c].dtype.kind == "f":
            out[c] = out[c].round(DP_SHARE)
    return out.sort_values("isco08_major_group").reset_index(drop=True)


# ======================================================================================
# Sectors
# ======================================================================================
def derive_sectors(src: dict[str, pd.DataFrame], occ: pd.DataFrame) -> pd.DataFrame:
    emp = _employment_basis(src["emp"])
    emp_year = emp.groupby("iso3")["year"].first()
    sec_emp = emp[emp["isic4_section"].isin(ISIC_A_TO_U)].set_index(
        ["iso3", "isic4_section"])["employment_thousands"]

    # ---- occupation mix per section (groups 1-9 only, normalised over listed groups)
    xt = src["xtab"]
    xt = xt[xt["isic4_section"].isin(ISIC_A_TO_U)]
    xt_year = xt.groupby("iso3")["year"].first()
    grp = xt[xt["isco08_major_group"].isin(ISCO_GROUPS)]
    mix_abs = grp.pivot_table(index=["iso3", "isic4_section"], columns="isco08_major_group",
                              values="employment_thousands", aggfunc="sum", fill_value=0.0)
    mix_abs = mix_abs.reindex(columns=list(ISCO_GROUPS), fill_value=0.0)
    listed = mix_abs.sum(axis=1)
    mix_abs = mix_abs[listed > 0]
    sec_mix = mix_abs.div(mix_abs.sum(axis=1), axis=0)
    xt_total = xt[xt["isco08_major_group"] == "TOTAL"].set_index(
        ["iso3", "isic4_section"])["employment_thousands"]
    # share of each section (on its own cross-table total) covered by groups 1-9
    covered_share = (listed / xt_total).reindex(sec_mix.index)

    # ---- female
    fem = src["fem"]
    fem = fem[fem["isic4_section"].isin(ISIC_A_TO_U)].set_index(["iso3", "isic4_section"])
    fem_year = src["fem"].groupby("iso3")["year"].first()

    # ---- earnings
    earn = src["earn"]
    earn_year = earn.groupby("iso3")["year"].first()
    currency = earn.groupby("iso3")["currency"].first()
    earn_sec = earn[earn["isic4_section"].isin(ISIC_A_TO_U)].set_index(
        ["iso3", "isic4_section"])

    occ_vals = occ.set_index("isco08_major_group")
    g_idx = [int(g) for g in ISCO_GROUPS]
    E_task25 = occ_vals.loc[g_idx, "task_exposure_ilo2025"].to_numpy()
    E_task23 = occ_vals.loc[g_idx, "task_exposure_ilo2023"].to_numpy()
    E_exp25 = occ_vals.loc[g_idx, "exposed_share_ilo2025"].to_numpy()
    E_g4 = occ_vals.loc[g_idx, "gradient4_share_ilo2025"].to_numpy()
    E_aug = occ_vals.loc[g_idx, "augmentation_potential_2023"].to_numpy()

    rows = []
    for iso3 in sorted(COUNTRY_NAMES):
        year = int(emp_year[iso3])
        for sector, label, secs in SECTORS:
            present = [s for s in secs if (iso3, s) in sec_emp.index]
            absent = [s for s in secs if s not in present]
            w = sec_emp.loc[[(iso3, s) for s in present]].to_numpy(dtype=float)
            employment = float(w.sum())
            row: dict = {
                "iso3": iso3, "sector": sector, "sector_label": label,
                "isic_sections": ";".join(secs), "year": year,
                "employment_thousands": _round(employment, DP_THOUSANDS),
            }
            note = ""
            if absent:
                note = f"; {', '.join(absent)} not in source"
            if iso3 == "PHL" and "T" in absent:
                note = "; S includes T (T not published separately)" + (
                    f"; {', '.join(a for a in absent if a != 'T')} not in source"
                    if len(absent) > 1 else "")
            row["employment_source"] = (
                f"ILOSTAT {EMP_SURVEY_INDICATOR} {year}, sections {_sections_str(present)}"
                f"{note} (ilostat_employment_by_isic4_asean.csv)")
            row["employment_confidence"] = "high" if len(present) == 1 else "derived (high)"

            # -- female share: sum female / sum total over sections with a published female value
            fy = int(fem_year[iso3])
            f_secs = [s for s in present if (iso3, s) in fem.index
                      and pd.notna(fem.loc[(iso3, s), "female_employment_thousands"])]
            f_missing = [s for s in present if s not in f_secs]
            if f_secs:
                fnum = sum(float(fem.loc[(iso3, s), "female_employment_thousands"]) for s in f_secs)
                fden = sum(float(fem.loc[(iso3, s), "total_employment_thousands"]) for s in f_secs)
                row["female_share"] = _round(fnum / fden, DP_SHARE)
                miss = (f"; female value not published for {', '.join(f_missing)}, share over "
                        f"{_sections_str(f_secs)} only" if f_missing else "")
                row["female_share_source"] = (
                    f"ILOSTAT {EMP_SURVEY_INDICATOR} {fy} female / both sexes, sections "
                    f"{_sections_str(f_secs)}{miss} (ilostat_female_employment_by_isic4_asean.csv)")
                row["female_share_confidence"] = (
                    ("high" if len(f_secs) == 1 else "derived (high)") if not f_missing
                    else "derived (medium)")
            else:  # never happens with the current data; kept explicit, never filled
                row["female_share"] = np.nan
                row["female_share_source"] = "not derivable: no female value published"
                row["female_share_confidence"] = ""

            # -- occupation mix
            m_secs = [s for s in present if (iso3, s) in sec_mix.index]
            m_missing = [s for s in present if s not in m_secs]
            if m_secs:
                mw = sec_emp.loc[[(iso3, s) for s in m_secs]].to_numpy(dtype=float)
                M = sec_mix.loc[[(iso3, s) for s in m_secs]].to_numpy(dtype=float)
                mix = (mw[:, None] * M).sum(axis=0) / mw.sum()
                cov = covered_share.loc[[(iso3, s) for s in m_secs]].to_numpy(dtype=float)
                unassigned = 1.0 - float((mw * cov).sum()) / employment
                xy = int(xt_year[iso3])
                for g, v in zip(ISCO_GROUPS, mix, strict=True):
                    row[f"occ_{g}"] = _round(v, DP_SHARE)
                row["occ_mix_year"] = xy
                tot_only = (f"; {', '.join(m_missing)} total only, no breakdown (excluded)"
                            if m_missing else "")
                if iso3 == "MYS":
                    basis = (f"ILOSTAT EMP_TEMP_ECO_OCU_NB {xy} mix applied to {year} section "
                             "employment")
                    conf = "derived (low)"
                else:
                    basis = f"ILOSTAT EMP_TEMP_ECO_OCU_NB {xy}"
                    conf = ("derived (high)" if unassigned <= UNASSIGNED_MEDIUM_THRESHOLD
                            else "derived (medium)")
                row["occ_mix_source"] = (
                    f"{basis}, sections {_sections_str(m_secs)}{tot_only}; ISCO 1-9 "
                    f"renormalised, {unassigned:.1%} of sector employment unassigned "
                    "(ilostat_employment_isic4_x_isco08_asean.csv)")
                row["occ_mix_confidence"] = conf
                row["task_exposure_ilo2025"] = _round(mix @ E_task25, DP_SHARE)
                row["task_exposure_ilo2023"] = _round(mix @ E_task23, DP_SHARE)
                row["exposed_employment_share_ilo2025"] = _round(mix @ E_exp25, DP_SHARE)
                row["highest_gradient_share_ilo2025"] = _round(mix @ E_g4, DP_SHARE)
                row["exposure_source"] = (
                    f"{GENAI_REF}, ISCO major-group aggregates (unweighted occupation/task "
                    "shares) x sector occupation mix (occupations.csv)")
                row["exposure_confidence"] = "derived (low)"
                row["augmentation_share"] = _round(mix @ E_aug, DP_SHARE)
                row["augmentation_source"] = (
                    "ILO WP96 2023 augmentation-potential class (scores in the WP140 data "
                    f"file; {GENAI_REF}), share of occupations per ISCO group x sector "
                    "occupation mix")
                row["augmentation_confidence"] = "derived (low)"
            else:  # never happens with the current data
                raise SystemExit(f"{iso3}/{sector}: no occupation breakdown in any section")

            # -- wages: employment-weighted mean over sections with earnings
            ey = int(earn_year[iso3])
            row["currency"] = currency[iso3]
            w_secs = [s for s in present if (iso3, s) in earn_sec.index
                      and pd.notna(earn_sec.loc[(iso3, s), "mean_monthly_earnings_lcu"])]
            w_missing = [s for s in present if s not in w_secs]
            if w_secs:
                ww = sec_emp.loc[[(iso3, s) for s in w_secs]].to_numpy(dtype=float)
                wv = np.array([float(earn_sec.loc[(iso3, s), "mean_monthly_earnings_lcu"])
                               for s in w_secs])
                row["wage_monthly_lcu"] = _round(float((ww * wv).sum() / ww.sum()), DP_WAGE)
                row["wage_year"] = ey
                flagged = [s for s in w_secs
                           if "small-sample" in str(earn_sec.loc[(iso3, s), "note"])]
                parts = [f"ILOSTAT EAR_EMTA_SEX_ECO_NB {ey}, sections {_sections_str(w_secs)}"]
                if len(w_secs) > 1:
                    parts.append(f"weighted by {year} section employment")
                if w_missing:
                    parts.append(f"no earnings for {', '.join(w_missing)}")
                if flagged:
                    parts.append(f"{', '.join(flagged)} flagged small-sample cell")
                if iso3 == "SGP":
                    parts.append("SGP series may be medians/banded")
                row["wage_source"] = "; ".join(parts) + " (ilostat_earnings_by_isic4_asean.csv)"
                if iso3 == "SGP" or flagged:
                    row["wage_confidence"] = "derived (low)"
                elif len(w_secs) == 1 and not w_missing:
                    row["wage_confidence"] = "high"
                else:
                    row["wage_confidence"] = "derived (medium)"
            else:
                row["wage_monthly_lcu"] = np.nan
                row["wage_year"] = pd.NA
                row["wage_source"] = (f"not derivable: no ILOSTAT earnings for sections "
                                      f"{_sections_str(present)} ({ey})")
                row["wage_confidence"] = ""
            rows.append(row)

    cols = [
        "iso3", "sector", "sector_label", "isic_sections", "year",
        "employment_thousands", "employment_source", "employment_confidence",
        "female_share", "female_share_source", "female_share_confidence",
        *[f"occ_{g}" for g in ISCO_GROUPS],
        "occ_mix_year", "occ_mix_source", "occ_mix_confidence",
        "task_exposure_ilo2025", "task_exposure_ilo2023",
        "exposed_employment_share_ilo2025", "highest_gradient_share_ilo2025",
        "exposure_source", "exposure_confidence",
        "augmentation_share", "augmentation_source", "augmentation_confidence",
        "wage_monthly_lcu", "currency", "wage_year", "wage_source", "wage_confidence",
    ]
    out = pd.DataFrame(rows)[cols]
    for c in ("year", "occ_mix_year", "wage_year"):
        out[c] = out[c].astype("Int64")
    order = {s[0]: i for i, s in enumerate(SECTORS)}
    out = out.sort_values(["iso3", "sector"], key=lambda s: s.map(order) if s.name == "sector"
                          else s).reset_index(drop=True)
    return out


# ======================================================================================
# Countries
# ======================================================================================
def _f_from_share(share_lt6m: float) -> float:
    """Monthly job-finding under a constant hazard: share_<6m = 1 - (1 - f)^6."""
    return 1.0 - (1.0 - share_lt6m) ** (1.0 / 6.0)


def _duration_shares(r: pd.Series) -> tuple[float, float, float] | None:
    """(lt6m, 6-12m, ge12m) in thousands, or None if the row is unusable."""
    if r["iso3"] == "PHL":
        # Only fine bands + m6_12 are filled (README §2.5). A missing fine band is not
        # published; it is treated as absent (so ge12m is a lower bound), never estimated.
        lt6 = r[["detail_lt1m", "detail_1_3m", "detail_3_6m"]].sum(min_count=1)
        ge12 = r[["detail_12_24m", "detail_ge24m"]].sum(min_count=1)
        m612 = r["m6_12"]
    else:
        lt6, m612, ge12 = r["lt6m"], r["m6_12"], r["ge12m"]
    vals = [lt6, m612, ge12]
    if any(pd.isna(v) for v in vals):
        return None
    return float(lt6), float(m612), float(ge12)


def derive_countries(src: dict[str, pd.DataFrame], sectors: pd.DataFrame) -> pd.DataFrame:
    emp = _employment_basis(src["emp"])
    earn = src["earn"]
    dur = src["dur"].sort_values(["iso3", "year"])
    rows = []
    for iso3 in sorted(COUNTRY_NAMES):
        s = sectors[sectors["iso3"] == iso3]
        year = int(s["year"].iloc[0])
        E = float(s["employment_thousands"].sum())
        e_c = emp[emp["iso3"] == iso3]
        has_x = (e_c["isic4_section"] == "X").any()
        basis = f"ILOSTAT LFS ({EMP_SURVEY_INDICATOR}) {year}, sections A-U"
        basis += ", X dropped" if has_x else " (no X block)"
        extra = {
            "VNM": "A-U basis consistent with GSO national employment (X = 3,845.3k dropped)",
            "SGP": "residents only (citizens + PRs; about 1.5M non-residents not covered)",
            "PHL": "S includes T",
            "MMR": "2020 survey; 2023-24 ILO modelled block not used",
        }.get(iso3)
        if extra:
            basis += f"; {extra}"
        tot_earn = earn[(earn["iso3"] == iso3) & (earn["isic4_section"] == "TOTAL")].iloc[0]
        row: dict = {
            "iso3": iso3, "country": COUNTRY_NAMES[iso3], "currency": tot_earn["currency"],
            "employment_year": year, "employment_basis": basis,
            "employment_thousands": _round(E, DP_THOUSANDS),
            "ai_readiness": AI_READINESS_2024[iso3],
            "ai_readiness_source": AI_READINESS_SOURCE,
            "ai_readiness_confidence": AI_READINESS_CONFIDENCE,
        }

        # ---- unemployment rate
        d_same = dur[(dur["iso3"] == iso3) & (dur["year"] == year) & dur["total"].notna()]
        if len(d_same):
            U = float(d_same["total"].iloc[0])
            u = U / (U + E)
            row["unemployment_rate"] = _round(u, DP_RATE)
            row["unemployment_rate_year"] = year
            row["unemployment_rate_basis"] = (
                f"ILOSTAT survey ratio U/(U+E): unemployed 15+ (duration-file total) over "
                f"unemployed + employed (sections A-U, {year}); not the national headline rate")
            row["unemployment_rate_source"] = (
                f"ILOSTAT UNE_TUNE_SEX_AGE_DUR_NB {year} total {U:g}k "
                "(ilostat_unemployment_duration_asean.csv) + employment_thousands above")
            row["unemployment_rate_confidence"] = (
                "derived (medium)" if iso3 in ("VNM", "KHM") else "derived (high)")
        elif iso3 == "SGP":
            u = SGP_RESIDENT_UNEMPLOYMENT_RATE
            row.update(unemployment_rate=u, unemployment_rate_year=SGP_RESIDENT_UNEMPLOYMENT_YEAR,
                       unemployment_rate_basis="SingStat resident unemployment rate (residents, "
                       "matching the residents-only employment basis); published with the 2023 "
                       "figures, year not stated separately",
                       unemployment_rate_source="SingStat Labour theme page (FACTS.md §6.1)",
                       unemployment_rate_confidence="high")
        elif iso3 == "IDN":
            u = IDN_BPS_UNEMPLOYMENT_RATE
            row.update(unemployment_rate=u, unemployment_rate_year=IDN_BPS_UNEMPLOYMENT_YEAR,
                       unemployment_rate_basis="BPS national open unemployment rate, Sakernas "
                       "Aug 2024 (national basis; employment basis is ILOSTAT 2023)",
                       unemployment_rate_source="BPS Sakernas Aug 2024 press conference, via "
                       "Jejakpos/Bisnis.com (FACTS.md §1.4, §6.1)",
                       unemployment_rate_confidence="medium")
        else:
            u = ILO_MODELLED_UNEMPLOYMENT_2024[iso3]
            row.update(unemployment_rate=u, unemployment_rate_year=2024,
                       unemployment_rate_basis="ILO modelled unemployment rate 15+, 2024 (ILO "
                       "modelled basis, not the survey employment basis)",
                       unemployment_rate_source="ILO modelled estimates Nov 2025, "
                       "UNE_2EAP_SEX_AGE_RT (FACTS.md §1.2)",
                       unemployment_rate_confidence="medium")
        rows.append(row)

        # ---- duration shares (latest usable year)
        cands = []
        for _, r in dur[dur["iso3"] == iso3].iterrows():
            sh = _duration_shares(r)
            if sh is not None:  # all three bands known
                cands.append((int(r["year"]), sh))
        if cands:
            dy, (lt6, m612, ge12) = max(cands, key=lambda t: t[0])
            known = lt6 + m612 + ge12
            row["duration_year"] = dy
            row["share_lt6m"] = _round(lt6 / known, DP_SHARE)
            row["share_6_12m"] = _round(m612 / known, DP_SHARE)
            row["share_ge12m"] = _round(ge12 / known, DP_SHARE)
            how = ("lt6m = lt1m+1-3m+3-6m, ge12m = 12-24m+ge24m (ge24m not published in "
                   f"{dy}, treated as absent)" if iso3 == "PHL" and dy == 2023 else
                   "lt6m = sum of three fine bands, ge12m = 12-24m + ge24m" if iso3 == "PHL"
                   else "broad bands")
            skipped = (f"; {', '.join(str(y) for y in sorted(set(dur[dur.iso3 == iso3].year)) if y > dy)}"
                       " unusable" if (dur[dur.iso3 == iso3].year > dy).any() else "")
            row["duration_source"] = (
                f"ILOSTAT UNE_TUNE_SEX_AGE_DUR_NB {dy}, shares among unemployed with a known "
                f"duration; {how}{skipped} (ilostat_unemployment_duration_asean.csv)")
            row["duration_confidence"] = "derived (medium)" if iso3 == "KHM" else "derived (high)"
            f = _f_from_share(lt6 / known)
            row["job_finding_rate"] = _round(f, DP_RATE)
            row["job_finding_source"] = (
                f"f = 1-(1-share_lt6m)^(1/6), constant monthly hazard, from {dy} durations "
                "(FACTS.md §6.3 method)")
            row["job_finding_confidence"] = "derived (low)"
        else:
            for c in ("duration_year", "share_lt6m", "share_6_12m", "share_ge12m"):
                row[c] = np.nan
            row["duration_source"] = (
                "GAP: no unemployment-duration series in ilostat_unemployment_duration_asean.csv"
                + (" (the series exists in ILOSTAT but was not extracted, README §2.5)"
                   if iso3 in ("LAO", "MMR") else ""))
            row["duration_confidence"] = ""
            if iso3 == "SGP":
                row["job_finding_rate"] = SGP_JOB_FINDING_RATE
                row["job_finding_source"] = (
                    "midpoint of 0.14-0.18 implied by 6-month re-entry rates of retrenched "
                    "residents, 59-69% (MOM; FACTS.md §5.3, §6.3)")
                row["job_finding_confidence"] = "derived (low)"
            else:
                row["job_finding_rate"] = np.nan  # filled below with the labelled median

    out = pd.DataFrame(rows)
    have = out["job_finding_rate"].notna()
    donors = out.loc[have, "iso3"].tolist()
    med = float(np.median(out.loc[have, "job_finding_rate"].to_numpy()))
    gap = ~have
    out.loc[gap, "job_finding_rate"] = _round(med, DP_RATE)
    out.loc[gap, "job_finding_source"] = (
        "GAP (no unemployment-duration data): ASSUMPTION = median of the derived monthly f of "
        f"the countries that have one ({', '.join(donors)})")
    out.loc[gap, "job_finding_confidence"] = "assumption"

    u = out["unemployment_rate"].astype(float)
    f = out["job_finding_rate"].astype(float)
    out["separation_rate"] = (u * f / (1.0 - u)).round(DP_RATE)
    out["separation_source"] = (
        "steady state s = u*f/(1-u) from unemployment_rate and job_finding_rate above "
        "(FACTS.md §6.3 method)")
    out["separation_confidence"] = np.where(gap, "assumption", "derived (low)")

    for iso3 in out["iso3"]:
        tot = earn[(earn["iso3"] == iso3) & (earn["isic4_section"] == "TOTAL")].iloc[0]
        i = out.index[out["iso3"] == iso3][0]
        out.loc[i, "avg_wage_lcu"] = _round(tot["mean_monthly_earnings_lcu"], DP_WAGE)
        out.loc[i, "wage_year"] = int(tot["year"])
        note = "; SGP series may be medians/banded (README §2.4)" if iso3 == "SGP" else ""
        out.loc[i, "wage_source"] = (
            f"ILOSTAT EAR_EMTA_SEX_ECO_NB {int(tot['year'])}, all activities (TOTAL row), "
            f"employees only, nominal{note} (ilostat_earnings_by_isic4_asean.csv)")
        out.loc[i, "wage_confidence"] = "low-medium" if iso3 == "SGP" else "high"

    cols = [
        "iso3", "country", "currency", "employment_year", "employment_basis",
        "employment_thousands",
        "ai_readiness", "ai_readiness_source", "ai_readiness_confidence",
        "unemployment_rate", "unemployment_rate_year", "unemployment_rate_basis",
        "unemployment_rate_source", "unemployment_rate_confidence",
        "job_finding_rate", "job_finding_source", "job_finding_confidence",
        "separation_rate", "separation_source", "separation_confidence",
        "duration_year", "share_lt6m", "share_6_12m", "share_ge12m",
        "duration_source", "duration_confidence",
        "avg_wage_lcu", "wage_year", "wage_source", "wage_confidence",
    ]
    out = out[cols].copy()
    for c in ("employment_year", "unemployment_rate_year", "duration_year", "wage_year"):
        out[c] = out[c].astype("Int64")
    return out.sort_values("iso3").reset_index(drop=True)


# ======================================================================================
# Writing
# ======================================================================================
def _fmt(v, dp: int) -> str:
    if v is None or pd.isna(v):
        return ""
    s = f"{float(v):.{dp}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def write_csv(df: pd.DataFrame, path: Path, dp: dict[str, int]) -> None:
    df = df.copy()
    for c in df.columns:
        if df[c].dtype.kind == "f":
            d = dp.get(c, DP_SHARE)
            df[c] = [_fmt(v, d) for v in df[c]]
        else:
            df[c] = ["" if pd.isna(v) else str(v) for v in df[c]]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        df.to_csv(fh, index=False, lineterminator="\n")


def derive(source: Path, out: Path) -> dict[str, pd.DataFrame]:
    src = load_sources(source)
    occ = derive_occupations(src["genai"])
    sec = derive_sectors(src, occ)
    cty = derive_countries(src, sec)
    dp = {"employment_thousands": DP_THOUSANDS, "wage_monthly_lcu": DP_WAGE,
          "avg_wage_lcu": DP_WAGE, "ai_readiness": 2}
    write_csv(sec, out / "sectors.csv", dp)
    write_csv(cty, out / "countries.csv", dp)
    write_csv(occ, out / "occupations.csv", dp)
    res = {"sectors": sec, "countries": cty, "occupations": occ}
    res.update(derive_extended(src, sec))
    for name in EXTENDED_FILES:
        write_csv(res[name], out / f"{name}.csv",
                  {"employment_thousands": DP_THOUSANDS, "labour_force_thousands": DP_THOUSANDS,
                   "daily_basic_pay_lcu": DP_WAGE})
    return res


EXTENDED_FILES = ("occupations_submajor", "occupation_pay", "occupation_mix_submajor",
                  "sector_occupation_sex", "labour_force", "labour_market",
                  "sector_informality", "bpo_headcount_phl")


def derive_extended(src: dict[str, pd.DataFrame], sec: pd.DataFrame) -> dict:
    """The 2-digit occupation, sex x occupation and labour-market tables (README §11-§18)."""
    occ2 = do.derive_occupations_submajor(src["genai"], src["genai2"])
    mix, suppressed = do.derive_occupation_mix_submajor(src["oc2"])
    phl = mix[(mix["iso3"] == "PHL") & (mix["sex"] == "total")]
    pay = do.derive_occupation_pay(src["genai"], phl.groupby("isco08_major_group")[
        "employment_thousands"].sum(), int(phl["year"].iloc[0]))
    order = [s[0] for s in SECTORS]
    sos, fit = do.derive_sector_occupation_sex(sec, mix, order)
    market = dl.derive_labour_market(src["inf"], src["status"], src["tru"])
    emp = _employment_basis(src["emp"])
    emp = emp[emp["isic4_section"].isin(ISIC_A_TO_U)]
    sinf, profile = dl.derive_sector_informality(src["inf"], emp, SECTORS, market)
    return {"occupations_submajor": occ2, "occupation_pay": pay,
            "occupation_mix_submajor": mix, "sector_occupation_sex": sos,
            "labour_force": dl.derive_labour_force(src["lf"]), "labour_market": market,
            "sector_informality": sinf, "bpo_headcount_phl": dl.derive_bpo_headcount(),
            "_suppressed": suppressed, "_ipf_fit": fit, "_informality_profile": profile}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                    help=f"shared data folder (default: {DEFAULT_SOURCE})")
    ap.add_argument("--out", type=Path, default=HERE, help=f"output folder (default: {HERE})")
    a = ap.parse_args(argv)
    if not (a.source / F_EMP).is_file():
        raise SystemExit(f"source data not found under {a.source}")
    res = derive(a.source.resolve(), a.out)
    s = res["sectors"]
    for iso3, g in s.groupby("iso3"):
        w = g["employment_thousands"]
        print(f"{iso3}: employment {w.sum():,.1f}k; exposed(any gradient, 2025) "
              f"{(w * g['exposed_employment_share_ilo2025']).sum() / w.sum():.1%}; "
              f"gradient 4 {(w * g['highest_gradient_share_ilo2025']).sum() / w.sum():.1%}")
    derive_report.report(res, s, [x[0] for x in SECTORS])
    names = ("sectors", "countries", "occupations", *EXTENDED_FILES)
    print(f"wrote {', '.join(f'{n}.csv' for n in names)} to {a.out}")


if __name__ == "__main__":
    main()
