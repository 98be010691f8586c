"""Occupation tables at ISCO-08 sub-major (2-digit) level, and sex x occupation by sector.

Called by ``derive.py`` (which reads the sources and writes the files); every formula is
documented in ``data/README.md`` §11-§14. Functions take and return DataFrames and write
nothing, so the derivation can be re-run or tested without touching ``data/``.

Tables built here:

* ``occupations_submajor.csv``     one row per ISCO-08 sub-major group 11-96 and major group 1-9
* ``occupation_pay.csv``           PSA average daily basic pay by major group (Philippines)
* ``occupation_mix_submajor.csv``  P(sub-major | major, sex), 7 countries
* ``sector_occupation_sex.csv``    P(major | sector, sex), 10 countries (IPF for 7)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GENAI_REF = "ILO WP140, Gmyrek et al. 2025, doi 10.54394/HETP0387"
F_GENAI2 = "ilo_genai/ilo_genai_scores_2025_isco_submajor_group_summary_DERIVED.csv"
F_OC2 = "ilostat/ilostat_employment_by_isco08_submajor_asean.csv"

MAJOR_GROUPS = tuple(range(1, 10))  # ISCO 0 (armed forces) and X have no GenAI score
SKILL_BAND = {1: "high", 2: "high", 3: "high", 4: "medium", 5: "medium", 6: "medium",
              7: "medium", 8: "medium", 9: "low"}
SEXES = ("female", "male")

# Countries with employment by sex x ISCO-08 sub-major group in the shared extract.
OC2_COUNTRIES = ("BRN", "IDN", "LAO", "MMR", "PHL", "SGP", "VNM")

# IPF stops when every margin is reproduced to within this share of the country total.
IPF_TOL = 1e-12
IPF_MAX_ITER = 5000


# ======================================================================================
# occupations_submajor.csv
# ======================================================================================
def _ratio_or_zero(num: pd.Series, den: pd.Series) -> pd.Series:
    """num/den, 0 where den is 0 (no occupation of the group is in any of the classes)."""
    out = pd.Series(0.0, index=num.index)
    ok = den > 0
    out[ok] = num[ok] / den[ok]
    return out


def _automation_shares(g: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    grads = g[[f"pct_occ_2025_gradient_{i}" for i in (1, 2, 3, 4)]]
    a25 = _ratio_or_zero(grads.iloc[:, 2] + grads.iloc[:, 3], grads.sum(axis=1))
    aut = g["pct_occ_2023_automation_potential"]
    a23 = _ratio_or_zero(aut, aut + g["pct_occ_2023_augmentation_potential"])
    return a25, a23


def derive_occupations_submajor(genai_major: pd.DataFrame,
                                genai_sub: pd.DataFrame) -> pd.DataFrame:
    """GenAI exposure and the automation/augmentation split per ISCO-08 group.

    Returns 49 rows: the 40 sub-major groups 11-96 (``level`` = submajor) then the 9 major
    groups (``level`` = major). Shares are fractions 0-1 of the group's 4-digit occupations
    (``exposed_share``, ``gradient4_share``, ``automation_share_*``) or tasks
    (``task_exposure_*``), unweighted by employment. Source: the two ILO WP140 aggregate files.
    """
    s = genai_sub.copy()
    s_a25, s_a23 = _automation_shares(s)
    sub = pd.DataFrame({
        "code": s["isco08_submajor_group"].astype(int),
        "level": "submajor",
        "isco08_major_group": s["isco08_major_group"].astype(int),
        "label": s["label"],
        "n_occupations": s["n_4digit_occupations"].astype(int),
        # the sub-major file's ge050 columns include the >= 0.75 tasks
        "task_exposure_ilo2025": s["pct_tasks_2025_ge050"] / 100,
        "task_exposure_ilo2023": s["pct_tasks_2023_ge050"] / 100,
        "exposed_share_ilo2025": s["pct_occ_2025_exposed_any_gradient"] / 100,
        "gradient4_share_ilo2025": s["pct_occ_2025_gradient_4"] / 100,
        "automation_share_ilo2025": s_a25,
        "automation_share_ilo2023": s_a23,
        "source": (f"{GENAI_REF}: ISCO-08 sub-major-group aggregates of the task/occupation "
                   "scores, unweighted shares of 4-digit occupations or tasks "
                   "(ilo_genai_scores_2025_isco_submajor_group_summary_DERIVED.csv)"),
    })
    m = genai_major.copy()
    m_a25, m_a23 = _automation_shares(m)
    maj = pd.DataFrame({
        "code": m["isco08_major_group"].astype(int),
        "level": "major",
        "isco08_major_group": m["isco08_major_group"].astype(int),
        "label": m["label"],
        "n_occupations": m["n_4digit_occupations"].astype(int),
        "task_exposure_ilo2025": (m["pct_tasks_2025_ge075"] + m["pct_tasks_2025_050_075"]) / 100,
        "task_exposure_ilo2023": (m["pct_tasks_2023_ge075"] + m["pct_tasks_2023_050_075"]) / 100,
        "exposed_share_ilo2025": m["pct_occ_2025_exposed_any_gradient"] / 100,
        "gradient4_share_ilo2025": m["pct_occ_2025_gradient_4"] / 100,
        "automation_share_ilo2025": m_a25,
        "automation_share_ilo2023": m_a23,
        "source": (f"{GENAI_REF}: ISCO-08 major-group aggregates of the task/occupation "
                   "scores, unweighted shares of 4-digit occupations or tasks "
                   "(ilo_genai_scores_2025_isco_major_group_summary_DERIVED.csv)"),
    })
    out = pd.concat([sub.sort_values("code"), maj.sort_values("code")], ignore_index=True)
    out.insert(4, "skill_band", out["isco08_major_group"].map(SKILL_BAND))
    out["confidence"] = "derived (high)"
    return out


# ======================================================================================
# occupation_pay.csv
# ======================================================================================
# FACTS.md §7 (Philippines): PSA Labor Force Survey, January 2025, average daily basic pay of
# wage and salary workers by ISCO-08 major group, PHP per day, reported by BusinessWorld.
# Confidence: medium (news report quoting the PSA release).
PHL_DAILY_PAY_JAN2025 = {1: 1300, 2: 1173, 3: 855, 4: 739, 5: 531, 6: 418, 7: 573, 8: 572,
                         9: 416}
PHL_PAY_SOURCE = ("PSA Labor Force Survey January 2025, average daily basic pay by major "
                  "occupation group, reported by BusinessWorld (FACTS.md §7)")


def derive_occupation_pay(genai_major: pd.DataFrame, oc2_major_phl: pd.Series,
                          oc2_year: int) -> pd.DataFrame:
    """PSA daily basic pay by ISCO major group 1-9 and its ratio to the all-occupation mean.

    ``oc2_major_phl``: PHL employment (thousands, both sexes) by major group 1-9, the
    weights of the mean. Returns 9 rows; pay in PHP a day, nominal, January 2025.
    """
    pay = pd.Series(PHL_DAILY_PAY_JAN2025, dtype=float)
    w = oc2_major_phl.reindex(pay.index).astype(float)
    mean = float((pay * w).sum() / w.sum())
    labels = genai_major.set_index(genai_major["isco08_major_group"].astype(int))["label"]
    return pd.DataFrame({
        "iso3": "PHL",
        "isco08_major_group": pay.index,
        "label": labels.reindex(pay.index).to_numpy(),
        "period": "2025-01",
        "daily_basic_pay_lcu": pay.to_numpy(),
        "currency": "PHP",
        "pay_source": PHL_PAY_SOURCE,
        "pay_confidence": "medium",
        "pay_relative_to_mean": (pay / mean).to_numpy(),
        "relative_source": (
            f"pay / employment-weighted mean pay over groups 1-9 ({mean:.2f} PHP); weights: "
            f"ILOSTAT EMP_TEMP_SEX_OC2_NB {oc2_year} all employed, summed to major groups "
            "(ilostat_employment_by_isco08_submajor_asean.csv), not wage and salary workers"),
        "relative_confidence": "derived (low)",
    })


# ======================================================================================
# occupation_mix_submajor.csv
# ======================================================================================
def derive_occupation_mix_submajor(oc2: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """P(sub-major | major, sex) for the countries with a 2-digit employment series.

    ``oc2``: the shared 2-digit employment file. Sub-major groups 11-96 only (armed forces
    01-03, X and TOTAL are left out). Cell rules (README §12):

    * published for both sexes: as published (high);
    * published for the total and one sex: the other sex = total - published sex
      (derived (medium): exact arithmetic, but it recovers a cell ILOSTAT suppressed);
    * published for the total only: split by the female share of the group's major group
      over its fully published sub-majors (assumption);
    * not published at all: no row; its employment is spread pro rata over the published
      groups of its major group by the normalisation.

    Returns (mix, suppressed) where ``suppressed`` gives, per country and sex, the employment
    of groups 11-96 not in the file (published TOTAL - listed groups).
    """
    d = oc2[oc2["isco08_submajor_group"].str.fullmatch(r"[1-9][0-9]")].copy()
    d["code"] = d["isco08_submajor_group"].astype(int)
    d["major"] = d["isco08_major_group"].astype(int)
    rows = []
    for iso3 in OC2_COUNTRIES:
        c = d[d["iso3"] == iso3]
        year = int(c["year"].iloc[0])
        wide = c.pivot_table(index="code", columns="sex", values="employment_thousands",
                             aggfunc="sum").reindex(columns=["female", "male", "total"])
        major = (c.drop_duplicates("code").set_index("code")["major"]).reindex(wide.index)
        full = wide.dropna()
        fem_share_major = (full["female"].groupby(major[full.index]).sum()
                           / full["total"].groupby(major[full.index]).sum())
        base_src = (f"ILOSTAT EMP_TEMP_SEX_OC2_NB {year}"
                    + (", residents" if iso3 == "SGP" else "")
                    + " (ilostat_employment_by_isco08_submajor_asean.csv)")
        for code, r in wide.iterrows():
            f, m, t = r["female"], r["male"], r["total"]
            g = int(major[code])
            if pd.isna(t) and pd.notna(f) and pd.notna(m):
                t = f + m
            if pd.notna(f) and pd.notna(m):
                how = {"female": ("published", "high"), "male": ("published", "high")}
            elif pd.notna(t) and (pd.notna(f) or pd.notna(m)):
                known = "female" if pd.notna(f) else "male"
                other = "male" if known == "female" else "female"
                val = max(0.0, t - (f if known == "female" else m))
                f, m = (f, val) if known == "female" else (val, m)
                how = {known: ("published", "high"),
                       other: (f"total - {known} (cell not published for {other})",
                               "derived (medium)")}
            elif pd.notna(t):
                fs = float(fem_share_major[g])
                f, m = t * fs, t * (1 - fs)
                txt = (f"published for both sexes together only; split by the female share "
                       f"of major group {g} ({fs:.3f}) over its fully published sub-majors")
                how = {"female": (txt, "assumption"), "male": (txt, "assumption")}
            else:  # a sex row without any total: never happens in the current extract
                raise ValueError(f"{iso3} group {code}: sex rows without a total")
            for sex, v in (("female", f), ("male", m), ("total", t)):
                note, conf = how.get(sex, ("published", "high"))
                src = base_src if note == "published" else f"{base_src}; {note}"
                rows.append({"iso3": iso3, "year": year, "sex": sex, "code": int(code),
                             "isco08_major_group": g, "employment_thousands": float(v),
                             "source": src, "confidence": conf})
    mix = pd.DataFrame(rows)
    den = mix.groupby(["iso3", "sex", "isco08_major_group"])["employment_thousands"].transform(
        "sum")
    mix["share_within_major"] = np.where(den > 0, mix["employment_thousands"] / den, 0.0)
    sex_order = {"female": 0, "male": 1, "total": 2}
    mix = mix.sort_values(["iso3", "sex", "code"],
                          key=lambda s: s.map(sex_order) if s.name == "sex" else s)
    mix = mix[["iso3", "year", "sex", "code", "isco08_major_group", "employment_thousands",
               "share_within_major", "source", "confidence"]].reset_index(drop=True)

    # suppressed groups: published TOTAL - all listed rows (01-03, 11-96, X)
    tot = oc2[oc2["isco08_submajor_group"] == "TOTAL"].set_index(["iso3", "sex"])[
        "employment_thousands"]
    listed = oc2[oc2["isco08_submajor_group"] != "TOTAL"].groupby(["iso3", "sex"])[
        "employment_thousands"].sum()
    n_pub = d.groupby(["iso3", "sex"])["code"].nunique()
    supp = pd.DataFrame({"total": tot, "suppressed": tot - listed,
                         "groups_listed": n_pub}).reset_index()
    return mix, supp


def major_exposure_by_country_sex(mix: pd.DataFrame, occ2: pd.DataFrame,
                                  col: str = "exposed_share_ilo2025") -> pd.DataFrame:
    """E_m[c, sex, g] = sum_{k in g} share_within_major[c, sex, k] * E_k (2-digit weighted)."""
    e = occ2[occ2["level"] == "submajor"].set_index("code")[col]
    m = mix.assign(x=mix["share_within_major"] * mix["code"].map(e))
    return m.groupby(["iso3", "sex", "isco08_major_group"])["x"].sum().unstack()


# ======================================================================================
# sector_occupation_sex.csv
# ======================================================================================
def ipf3(m_sg: np.ndarray, m_sx: np.ndarray, m_gx: np.ndarray,
         tol: float = IPF_TOL, max_iter: int = IPF_MAX_ITER) -> tuple[np.ndarray, int, float]:
    """Iterative proportional fitting of a [sector, group, sex] table to its 2-way margins.

    Starts from a table of ones (so the fit adds no association beyond the margins) and
    rescales in turn to ``m_sg`` (S x G), ``m_sx`` (S x X) and ``m_gx`` (G x X); the margins
    must be mutually consistent. Returns (table, iterations, largest margin error as a
    share of the total). Raises RuntimeError if it has not converged after ``max_iter``.
    """
    x = np.ones((m_sg.shape[0], m_sg.shape[1], m_sx.shape[1]))
    total = m_sg.sum()

    def scale(cur, target):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(cur > 0, target / cur, 0.0)

    err = np.inf
    for it in range(1, max_iter + 1):
        x *= scale(x.sum(axis=2), m_sg)[:, :, None]
        x *= scale(x.sum(axis=1), m_sx)[:, None, :]
        x *= scale(x.sum(axis=0), m_gx)[None, :, :]
        err = max(np.abs(x.sum(axis=2) - m_sg).max(), np.abs(x.sum(axis=1) - m_sx).max(),
                  np.abs(x.sum(axis=0) - m_gx).max()) / total
        if err < tol:
            return x, it, float(err)
    raise RuntimeError(f"IPF did not converge in {max_iter} iterations (error {err:.2e})")


def ipf2(table: np.ndarray, rows: np.ndarray, cols: np.ndarray,
         tol: float = IPF_TOL, max_iter: int = IPF_MAX_ITER) -> np.ndarray:
    """Rescale a 2-way table to given row and column sums, keeping its odds ratios."""
    x = table.astype(float).copy()
    for _ in range(max_iter):
        x *= (rows / x.sum(axis=1))[:, None]
        x *= (cols / x.sum(axis=0))[None, :]
        if np.abs(x.sum(axis=1) - rows).max() / rows.sum() < tol:
            return x
    raise RuntimeError("2-way IPF did not converge")


def derive_sector_occupation_sex(sectors: pd.DataFrame, mix: pd.DataFrame,
                                 sector_order: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """P(major group | sector, sex) for every country and sector of ``sectors.csv``.

    For the countries with a sex x occupation margin (``mix``), a 3-way IPF of employment
    [sector, major group 1-9, sex] to: sector x major (occ mix x employment), sector x sex
    (female share x employment) and sex x major (the 2-digit file summed to major groups,
    first rescaled to the sector table's sex and major totals, which keeps its odds
    ratios). Elsewhere both sexes get the sector's mix (assumption).

    Returns (table, fit) where ``fit`` has one row per country with the IPF diagnostics.
    """
    occ_cols = [f"occ_{g}" for g in MAJOR_GROUPS]
    out, fit = [], []
    for iso3, s in sectors.groupby("iso3", sort=True):
        s = s.set_index("sector").loc[sector_order]
        emp = s["employment_thousands"].to_numpy(float)
        mixm = s[occ_cols].to_numpy(float)
        mixm = mixm / mixm.sum(axis=1, keepdims=True)  # rows are rounded to 6 decimals
        fem = s["female_share"].to_numpy(float)
        m_sg = emp[:, None] * mixm
        m_sx = np.column_stack([emp * fem, emp * (1 - fem)])
        if iso3 in OC2_COUNTRIES:
            mc = mix[(mix["iso3"] == iso3) & mix["sex"].isin(SEXES)]
            raw = (mc.pivot_table(index="isco08_major_group", columns="sex",
                                  values="employment_thousands", aggfunc="sum")
                   .reindex(index=list(MAJOR_GROUPS), columns=list(SEXES)).fillna(0.0)
                   .to_numpy())
            raw_scaled = raw * emp.sum() / raw.sum()
            m_gx = ipf2(raw_scaled, m_sg.sum(axis=0), m_sx.sum(axis=0))
            x, iters, err = ipf3(m_sg, m_sx, m_gx)
            # how far the 2-digit sex x occupation table was from the sector tables' totals
            raw_fs = raw[:, 0] / raw.sum(axis=1)
            fit_fs = m_gx[:, 0] / m_gx.sum(axis=1)
            fit.append({
                "iso3": iso3, "iterations": iters, "max_margin_error": err,
                "female_share_oc2": raw[:, 0].sum() / raw.sum(),
                "female_share_sectors": m_sx[:, 0].sum() / emp.sum(),
                "max_major_share_gap": float(np.abs(raw_scaled.sum(axis=1) / emp.sum()
                                                    - m_sg.sum(axis=0) / emp.sum()).max()),
                "max_female_share_change": float(np.abs(fit_fs - raw_fs).max()),
            })
            year = int(mc["year"].iloc[0])
            method = ("iterative proportional fitting of employment [sector, major group, sex] "
                      "to sector x major, sector x sex and sex x major margins")
            source = (f"sectors.csv occ_1..occ_9, female_share and employment_thousands; sex x "
                      f"major group from ILOSTAT EMP_TEMP_SEX_OC2_NB {year} "
                      "(occupation_mix_submajor.csv), rescaled to the sector table's sex and "
                      "major-group totals")
            conf = "derived (medium)"
            shares = x / np.where(x.sum(axis=1, keepdims=True) > 0,
                                  x.sum(axis=1, keepdims=True), 1.0)
        else:
            method = "sex-independent: both sexes take the sector's occupation mix"
            source = ("sectors.csv occ_1..occ_9; no employment by sex x occupation in the "
                      "shared extracts for this country (GAP)")
            conf = "assumption"
            shares = np.repeat(mixm[:, :, None], 2, axis=2)
        for i, sector in enumerate(sector_order):
            for k, sex in enumerate(SEXES):
                row = {"iso3": iso3, "sector": sector, "sex": sex}
                row.update({c: float(shares[i, j, k]) for j, c in enumerate(occ_cols)})
                row.update(method=method, source=source, confidence=conf)
                out.append(row)
    return pd.DataFrame(out), pd.DataFrame(fit)


def exposure_by_sex(sectors: pd.DataFrame, sos: pd.DataFrame, emaj: pd.DataFrame,
                    occ_major: pd.Series, sector_order: list[str]) -> pd.DataFrame:
    """Share of employment in GenAI-exposed occupations by country and sex.

    Weighted through ``sos`` (P(group | sector, sex)) and the sector table's employment by
    sex; the group value is the 2-digit weighted ``emaj[c, sex, g]`` where the country has
    2-digit data, else the major-group value ``occ_major[g]``.
    """
    occ_cols = [f"occ_{g}" for g in MAJOR_GROUPS]
    rows = []
    for iso3, s in sectors.groupby("iso3", sort=True):
        s = s.set_index("sector").loc[sector_order]
        emp = s["employment_thousands"].to_numpy(float)
        fem = s["female_share"].to_numpy(float)
        row = {"iso3": iso3}
        for sex, w in (("female", emp * fem), ("male", emp * (1 - fem))):
            p = (sos[(sos["iso3"] == iso3) & (sos["sex"] == sex)].set_index("sector")
                 .loc[sector_order, occ_cols].to_numpy(float))
            if (iso3, sex) in emaj.index:
                e = emaj.loc[(iso3, sex), list(MAJOR_GROUPS)].to_numpy(float)
            else:
                e = occ_major.loc[list(MAJOR_GROUPS)].to_numpy(float)
            row[sex] = float((w[:, None] * p * e[None, :]).sum() / w.sum())
        row["total"] = float((emp * fem).sum() * row["female"]
                             + (emp * (1 - fem)).sum() * row["male"]) / emp.sum()
        row["ratio_female_male"] = row["female"] / row["male"]
        rows.append(row)
    return pd.DataFrame(rows)
