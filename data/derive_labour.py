"""Labour-market tables: labour force, informality, underemployment, vacancies, BPO headcount.

Called by ``derive.py`` (which reads the sources and writes the files); every formula is
documented in ``data/README.md`` §15-§18. Functions take and return DataFrames and write
nothing.

Tables built here:

* ``labour_force.csv``         ILO modelled labour force 15+, 2010-2027
* ``labour_market.csv``        one row per country: informality on three bases, status shares,
                               underemployment, vacancy rate
* ``sector_informality.csv``   informal share by country x simulator sector
* ``bpo_headcount_phl.csv``    Philippine IT-BPM headcount (IBPAP)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit, logit

F_INF = "ilostat/ilostat_informal_employment_asean.csv"
F_STATUS = "ilostat/ilostat_status_in_employment_asean.csv"
F_LF = "ilostat/ilostat_labour_force_asean.csv"
F_TRU = "ilostat/ilostat_underemployment_asean.csv"

ILO_CREDIT = "ILO, ILOSTAT (via open-numbers/ddf--ilo--ilostat @ c50d060)"

# ILO economic-activity aggregates (ILOSTAT "Aggregate economic activities") and the ISIC
# Rev.4 sections they cover; a section with no published rate takes its aggregate's rate.
ILO_AGGREGATE_OF = {
    "A": "AGG_AGR", "B": "AGG_MEL", "C": "AGG_MAN", "D": "AGG_MEL", "E": "AGG_MEL",
    "F": "AGG_CON",
    **{s: "AGG_MKT" for s in "GHIJKLMN"},
    **{s: "AGG_PUB" for s in "OPQRSTU"},
}

# --------------------------------------------------------------------------------------
# Figures quoted from national sources (value, period, definition, source, confidence).
# Verified against the pages named in the source strings; never estimated here.
# --------------------------------------------------------------------------------------
NATIONAL_INFORMAL = {
    "IDN": (0.5795, "2024-08",
            "BPS: employed in informal activities by status in employment (own-account, "
            "employer assisted by temporary or unpaid workers, casual worker, unpaid family "
            "worker); formal = employer with permanent paid workers, and employees",
            "BPS Sakernas August 2024 release of 5 Nov 2024 (83.83M of 144.64M employed), "
            "reported by Bisnis.com, ekonomi.bisnis.com/read/20241105/12/1813508",
            "medium"),
    "THA": (0.523, "2023",
            "NSO Informal Employment Survey: employed persons without the protection of the "
            "Labour Protection Act / social security (21.0M of 40.1M employed)",
            "NSO Thailand, Informal Employment Survey 2023, director's statement reported by "
            "The Nation, 19 Dec 2023, nationthailand.com/thailand/general/40033927",
            "medium"),
    "VNM": (0.639, "2024-Q3",
            "GSO: informal employment as a share of all employed (33.0M of 51.6M, "
            "agriculture included)",
            "GSO Labour Force Survey Q3 2024, reported by Xinhua / The Star, 10 Oct 2024 "
            "(FACTS.md §1.4) and Bao Quang Ninh (english.baoquangninh.vn/"
            "over-51-million-workers-employed-in-first-nine-months-3323634.html)",
            "medium"),
}
NATIONAL_UNDEREMPLOYMENT = {
    "PHL": (0.119, "2024",
            "PSA: employed persons who want additional hours in their present job, an "
            "additional job, or a new job with longer hours (% of employed; wider than the "
            "ILO time-related concept). 2025 preliminary: also 11.9%; 2023: 12.3%",
            "PSA Labor Force Survey, annual 2024 (FACTS.md §1.4), re-checked in NewsWatch Plus "
            "6 Feb 2025 (newswatchplus.ph/news/2025/2/6/psa-labor-force-survey-december.html) "
            "and Manila Bulletin 6 Feb 2026 for 2025 (mb.com.ph/2026/02/06/"
            "unemployment-rate-holds-at-44-with-226-million-jobless-in-december)",
            "medium"),
    "IDN": (0.08, "2024-08",
            "BPS setengah pengangguran: employed working under 35 hours a week who are still "
            "looking for, or willing to accept, more work (11.56M of 144.64M employed)",
            "BPS Sakernas August 2024 official release, reported by housingestate.id, 6 Nov "
            "2024 (housingestate.id/read/2024/11/06/"
            "jumlah-pengangguran-terbuka-turun-setengah-penganggur-meningkat)",
            "medium"),
    "VNM": (0.0187, "2024-Q3",
            "GSO thieu viec lam: employed persons working under 35 hours a week who want and "
            "are available to work more (861.4k)",
            "GSO Labour Force Survey Q3 2024, reported by Bao Quang Ninh "
            "(english.baoquangninh.vn/over-51-million-workers-employed-in-first-nine-months-"
            "3323634.html)",
            "medium"),
}
# The part of each national underemployment rate that is time-related (short hours), which
# the model's hours penalty applies to. A definition bounded by hours is all time-related; PSA's
# wider concept is given ILOSTAT's time-related rate over PSA's headline (README §17).
HOURS_BOUNDED = ("the national definition is an hours threshold (under 35 hours a week), so "
                 "all of it is time-related")
NATIONAL_HOURS_SHARE = {"IDN": 1.0, "VNM": 1.0, "PHL": None}  # None: derived below
# FACTS.md §6.5 (DOSM, private registered establishments) and §6.4 (MOM).
VACANCY = {
    "MYS": (0.021, "2024-Q3",
            "DOSM: vacancies / (filled jobs + vacancies), private registered establishments "
            "(191.8k vacancies, 8.82M filled jobs)",
            "DOSM Employment Statistics Q3 2024, reported by theSun/NST/Xinhua (FACTS.md §6.5)",
            "medium"),
    "SGP": (0.017, "2024-09",
            "vacancies / (employed excluding migrant domestic workers + vacancies): "
            "63.4k / (3,736.9k + 63.4k), whole workforce",
            "MOM Labour Market Report 3Q 2024 figures (FACTS.md §6.4)",
            "derived (low)"),
}

# Philippine IT-BPM full-time employees, FACTS.md §2 and §11.3 (IBPAP via news reports).
BPO_HEADCOUNT = [
    # year, FTE, kind, source, confidence, note
    (2010, 520_000, "estimate", "IBPAP (Philstar, 2015); FACTS.md §2", "medium", ""),
    (2012, 776_794, "estimate", "IBPAP release, June 2013 (teamasia.com); FACTS.md §2",
     "medium", ""),
    (2014, 1_070_000, "estimate", "IBPAP (Philstar, 2015); FACTS.md §2", "medium", ""),
    (2016, 1_300_000, "estimate", "Manila Bulletin / JLL (2017); FACTS.md §2", "medium",
     "about 1.3 million; above the 2018 IBPAP figure (different source)"),
    (2018, 1_230_000, "estimate", "IBPAP statement 13 May 2020 (topnewsphil.com); "
     "FACTS.md §11.3", "medium", ""),
    (2019, 1_300_000, "estimate", "IBPAP statement (Manila Bulletin, 13 May 2020); "
     "FACTS.md §11.3", "medium", ""),
    (2020, 1_320_000, "estimate", "IBPAP statement (ABS-CBN News, 24 Apr 2021); "
     "FACTS.md §11.3", "medium", ""),
    (2021, 1_420_000, "estimate", "IBPAP (Manila Standard; Manila Bulletin, Sep 2022); "
     "FACTS.md §2", "medium", "Roadmap 2028 baseline: 1.44 million"),
    (2022, 1_570_000, "estimate", "IBPAP (BusinessWorld, 1 Mar 2023); FACTS.md §2", "medium",
     ""),
    (2023, 1_700_000, "estimate", "IBPAP (Philstar, 7 Mar 2024); FACTS.md §2", "medium", ""),
    (2024, 1_820_000, "estimate", "IBPAP statement, Philippine radio news (2025); "
     "FACTS.md §2", "medium", ""),
    (2025, 1_900_000, "estimate", "IBPAP statement, Philippine radio news (2025); "
     "FACTS.md §2", "medium", "about 1.9 million (+4%)"),
    (2028, 2_500_000, "target", "IBPAP Roadmap 2028 (Manila Bulletin, Sep 2022); "
     "FACTS.md §2", "medium", "industry target, not an observation"),
]

COUNTRIES = ("BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "VNM")
LF_FIRST_YEAR, LF_LAST_YEAR, LF_LAST_ESTIMATE = 2010, 2027, 2024
LOGIT_CLIP = 1e-4  # rates of exactly 0 or 1 (a few sections) have no log-odds


# ======================================================================================
# labour_force.csv
# ======================================================================================
def derive_labour_force(lf: pd.DataFrame) -> pd.DataFrame:
    """ILO modelled labour force, ages 15+, thousands, every country and year 2010-2027."""
    m = lf[(lf["basis"] == "ILO modelled") & (lf["age"] == "15+") & (lf["sex"] == "total")
           & lf["year"].between(LF_FIRST_YEAR, LF_LAST_YEAR)].copy()
    proj = m["year"] > LF_LAST_ESTIMATE
    m["basis"] = np.where(proj, "ILO modelled projection (beyond every ASEAN survey year)",
                          "ILO modelled estimate")
    src = ("ILOSTAT EAP_2EAP_SEX_AGE_NB, ILO modelled estimates Nov 2025, both sexes, 15+ "
           "(ilostat_labour_force_asean.csv)")
    m["source"] = np.where(m["iso3"] == "SGP", src + "; whole labour force, not residents",
                           src)
    m["confidence"] = np.where(proj, "medium", "high")
    out = m[["iso3", "year", "labour_force_thousands", "basis", "source", "confidence"]]
    out = out.sort_values(["iso3", "year"]).reset_index(drop=True)
    expect = len(COUNTRIES) * (LF_LAST_YEAR - LF_FIRST_YEAR + 1)
    if len(out) != expect:
        raise ValueError(f"labour force: expected {expect} rows, found {len(out)}")
    return out


# ======================================================================================
# labour_market.csv
# ======================================================================================
def _latest(df: pd.DataFrame, iso3: str) -> pd.DataFrame:
    d = df[df["iso3"] == iso3]
    return d[d["year"] == d["year"].max()]


def derive_labour_market(inf: pd.DataFrame, status: pd.DataFrame,
                         tru: pd.DataFrame) -> pd.DataFrame:
    """One row per country; informal shares on three bases and the default, status shares,
    underemployment (national and ILOSTAT), vacancy rate. All shares are fractions 0-1."""
    rate = inf[inf["indicator"].str.startswith("EMP_NIFL_SEX_RT") & (inf["sex"] == "total")]
    st = status[(status["sex"] == "total") & (status["age"] == "15+")]
    rows = []
    for iso3 in COUNTRIES:
        row: dict = {"iso3": iso3}
        # (a) national headline
        if iso3 in NATIONAL_INFORMAL:
            v, per, dfn, src, conf = NATIONAL_INFORMAL[iso3]
            row.update(informal_national_share=v, informal_national_period=per,
                       informal_national_definition=dfn, informal_national_source=src,
                       informal_national_confidence=conf)
        else:
            row.update(informal_national_share=np.nan, informal_national_period="",
                       informal_national_definition="",
                       informal_national_source="no national headline in the project's sources",
                       informal_national_confidence="")
        # (b) ILOSTAT harmonised
        r = _latest(rate, iso3)
        if len(r):
            y = int(r["year"].iloc[0])
            row.update(informal_ilostat_share=float(r["value"].iloc[0]) / 100,
                       informal_ilostat_year=y,
                       informal_ilostat_definition=(
                           "ILO harmonised informal employment (main job), all activities "
                           "including agriculture, % of total employment"),
                       informal_ilostat_source=f"{ILO_CREDIT} EMP_NIFL_SEX_RT {y} "
                                               "(ilostat_informal_employment_asean.csv)",
                       informal_ilostat_confidence="high")
        else:
            row.update(informal_ilostat_share=np.nan, informal_ilostat_year=pd.NA,
                       informal_ilostat_definition="",
                       informal_ilostat_source="GAP: no EMP_NIFL series for this country in "
                                               "the ILOSTAT mirror",
                       informal_ilostat_confidence="")
        # (c) status proxy and status shares
        s = _latest(st, iso3).set_index("status_code")["employment_thousands"]
        y = int(_latest(st, iso3)["year"].iloc[0])
        tot = float(s["ICSE93_TOTAL"])
        # a class absent from the source is left empty, not 0 (no zero was published)
        share = {k: float(s[f"ICSE93_{i}"]) / tot if f"ICSE93_{i}" in s.index else np.nan
                 for k, i in (("employees", 1), ("employers", 2), ("own_account", 3),
                              ("cooperative_members", 4), ("contributing_family", 5),
                              ("not_classifiable", 6))}
        src = f"{ILO_CREDIT} EMP_TEMP_SEX_AGE_STE_NB {y}, ICSE-93, 15+"
        src += ", residents" if iso3 == "SGP" else ""
        src += " (ilostat_status_in_employment_asean.csv)"
        old = iso3 == "MYS"  # the status series stops in 2000 (README, second batch)
        caveat = ("; Malaysia's latest status split is 2000" if old else
                  f"; {share['not_classifiable']:.1%} not classifiable by status, so a "
                  "stronger lower bound" if share["not_classifiable"] > 0.1 else "")
        proxy = share["own_account"] + share["contributing_family"]
        row.update(informal_status_proxy_share=proxy,
                   informal_status_proxy_year=y,
                   informal_status_proxy_definition=(
                       "own-account + contributing family workers, share of total employment; "
                       "a lower bound (omits informal employees and employers)" + caveat),
                   informal_status_proxy_source=src,
                   informal_status_proxy_confidence="low" if old else "derived (high)")
        # default: national headline, else ILOSTAT, else the status proxy
        for basis in ("national", "ilostat", "status_proxy"):
            v = row[f"informal_{basis}_share"]
            if pd.notna(v):
                row["informal_share_default"] = v
                row["informal_share_default_basis"] = basis
                row["informal_share_default_confidence"] = row[f"informal_{basis}_confidence"]
                break
        row.update(status_year=y, share_employees=share["employees"],
                   share_employers=share["employers"], share_own_account=share["own_account"],
                   share_cooperative_members=share["cooperative_members"],
                   share_contributing_family=share["contributing_family"],
                   share_not_classifiable=share["not_classifiable"], status_source=src,
                   status_confidence="low" if old else "derived (high)")
        # underemployment: ILOSTAT time-related, then the national headline and its
        # time-related part
        t = _latest(tru, iso3)
        ty = int(t["year"].iloc[0])
        note = str(t["note"].iloc[0])
        flag = {"MYS": "; level falls from 3.7% (2020) to 1.6% (2022), possible series break",
                "SGP": "; residents only"}.get(iso3, "")
        tru_rate = float(t["value_pct"].iloc[0]) / 100
        if iso3 in NATIONAL_UNDEREMPLOYMENT:
            v, per, dfn, srcn, conf = NATIONAL_UNDEREMPLOYMENT[iso3]
            row.update(underemployment_national_rate=v, underemployment_national_period=per,
                       underemployment_national_definition=dfn,
                       underemployment_national_source=srcn,
                       underemployment_national_confidence=conf)
            hours = NATIONAL_HOURS_SHARE[iso3]
            if hours is None:
                hours = tru_rate / v
                row.update(underemployment_national_hours_share=hours,
                           underemployment_national_hours_share_source=(
                               f"derived: ILOSTAT time-related rate {tru_rate:.2%} ({ty}) / "
                               f"national headline {v:.1%} ({per}); the wider concept (an "
                               "additional or a new job with longer hours) is most of the "
                               "gap, but the years and processing differ"),
                           underemployment_national_hours_share_confidence="derived (low)")
            else:
                row.update(underemployment_national_hours_share=hours,
                           underemployment_national_hours_share_source=HOURS_BOUNDED,
                           underemployment_national_hours_share_confidence=conf)
        else:
            row.update(underemployment_national_rate=np.nan, underemployment_national_period="",
                       underemployment_national_definition="",
                       underemployment_national_source="no national headline in the project's "
                                                       "sources",
                       underemployment_national_confidence="",
                       underemployment_national_hours_share=np.nan,
                       underemployment_national_hours_share_source="",
                       underemployment_national_hours_share_confidence="")
        row.update(underemployment_ilostat_rate=tru_rate,
                   underemployment_ilostat_year=ty,
                   underemployment_ilostat_definition=(
                       "ILO time-related underemployment: employed persons who want and are "
                       "available to work more hours and worked fewer than a threshold, % of "
                       "employment, 15+" + flag),
                   underemployment_ilostat_source=(
                       f"{ILO_CREDIT} TRU_DEMP_SEX_AGE_RT {ty} "
                       "(ilostat_underemployment_asean.csv)"),
                   underemployment_ilostat_confidence=(
                       "medium" if "series break" in note else "high"))
        # vacancies
        if iso3 in VACANCY:
            v, per, dfn, srcv, conf = VACANCY[iso3]
            row.update(vacancy_rate=v, vacancy_period=per, vacancy_definition=dfn,
                       vacancy_source=srcv, vacancy_confidence=conf)
        else:
            row.update(vacancy_rate=np.nan, vacancy_period="", vacancy_definition="",
                       vacancy_source="GAP: no job-vacancy statistic in the project's sources "
                                      "(FACTS.md §6.6)",
                       vacancy_confidence="")
        rows.append(row)
    out = pd.DataFrame(rows)
    for c in ("informal_ilostat_year", "informal_status_proxy_year", "status_year",
              "underemployment_ilostat_year"):
        out[c] = out[c].astype("Int64")
    return out


# ======================================================================================
# sector_informality.csv
# ======================================================================================
def _solve_shift(d: np.ndarray, w: np.ndarray, target: float) -> float:
    """k such that sum(w * expit(k + d)) / sum(w) = target."""
    return brentq(lambda k: float((w * expit(k + d)).sum() / w.sum()) - target, -30.0, 30.0)


def derive_sector_informality(inf: pd.DataFrame, emp_sections: pd.DataFrame,
                              sectors: list[tuple[str, str, tuple[str, ...]]],
                              market: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Informal share by country x simulator sector.

    ``emp_sections``: section employment on the sectors.csv basis (columns iso3,
    isic4_section, employment_thousands). ``market``: labour_market.csv (for the default
    share). Returns (table, profile) where ``profile`` holds the pooled log-odds offsets.
    """
    eco = inf[inf["indicator"].str.startswith("EMP_NIFL_SEX_ECO_RT") & (inf["sex"] == "total")]
    eco = eco[eco.groupby("iso3")["year"].transform("max") == eco["year"]]
    have = sorted(eco["iso3"].unique())
    E = emp_sections.set_index(["iso3", "isic4_section"])["employment_thousands"]
    mk = market.set_index("iso3")
    sector_names = [s[0] for s in sectors]

    rates: dict[str, pd.Series] = {}
    rows = []
    for iso3 in have:
        c = eco[eco["iso3"] == iso3].set_index("economic_activity")["value"] / 100
        year = int(eco[eco["iso3"] == iso3]["year"].iloc[0])
        emp_year_note = ("; weights 2023 employment, rates 2019" if iso3 == "KHM" else "")
        r_sec = {}
        for name, _label, secs in sectors:
            present = [s for s in secs if (iso3, s) in E.index]
            w = np.array([E[(iso3, s)] for s in present], float)
            v, filled = [], []
            for s in present:
                if s in c.index and pd.notna(c[s]):
                    v.append(c[s])
                else:
                    v.append(c[ILO_AGGREGATE_OF[s]])
                    filled.append(f"{s} takes the {ILO_AGGREGATE_OF[s]} rate")
            r = float((w * np.array(v)).sum() / w.sum())
            r_sec[name] = r
            fill = f"; no section rate: {', '.join(filled)}" if filled else ""
            conf = ("derived (medium)" if filled or iso3 == "KHM" else
                    "high" if len(present) == 1 else "derived (high)")
            rows.append({
                "iso3": iso3, "sector": name, "informal_share": r, "year": year,
                "source": (f"{ILO_CREDIT} EMP_NIFL_SEX_ECO_RT {year}, sections "
                           f"{'+'.join(present)} weighted by section employment on the "
                           f"sectors.csv basis{fill}{emp_year_note} "
                           "(ilostat_informal_employment_asean.csv)"),
                "confidence": conf})
        rates[iso3] = pd.Series(r_sec)

    # pooled profile: median over countries of each sector's log-odds gap to the country total
    tot = {i: float(eco[(eco["iso3"] == i) & (eco["economic_activity"] == "TOTAL")]["value"]
                    .iloc[0]) / 100 for i in have}
    gaps = pd.DataFrame({i: logit(rates[i].clip(LOGIT_CLIP, 1 - LOGIT_CLIP)) - logit(tot[i])
                         for i in have}).loc[sector_names]
    profile = gaps.median(axis=1).rename("median_logodds_gap").to_frame()
    profile["min"], profile["max"] = gaps.min(axis=1), gaps.max(axis=1)
    for iso3 in sorted(set(mk.index) - set(have)):
        w = np.array([sum(E.get((iso3, s), 0.0) for s in secs) for _n, _l, secs in sectors])
        anchor = float(mk.loc[iso3, "informal_share_default"])
        basis = mk.loc[iso3, "informal_share_default_basis"]
        k = _solve_shift(profile["median_logodds_gap"].to_numpy(), w, anchor)
        for name, r in zip(sector_names, expit(k + profile["median_logodds_gap"]), strict=True):
            rows.append({
                "iso3": iso3, "sector": name, "informal_share": float(r), "year": pd.NA,
                "source": (f"GAP (no ILOSTAT informality series): pooled profile = median over "
                           f"{', '.join(have)} of the sector's log-odds gap to its country "
                           f"total, shifted so the employment-weighted mean equals this "
                           f"country's {basis} informal share ({anchor:.4f}, labour_market.csv)"),
                "confidence": "assumption"})
    out = pd.DataFrame(rows)
    order = {s: i for i, s in enumerate(sector_names)}
    out = out.sort_values(["iso3", "sector"], key=lambda s: s.map(order) if s.name == "sector"
                          else s).reset_index(drop=True)

    # the same profile shifted in log-odds to the country's default informal share
    scaled, ssrc, sconf = [], [], []
    for iso3, g in out.groupby("iso3", sort=False):
        w = np.array([sum(E.get((iso3, s), 0.0) for s in secs) for _n, _l, secs in sectors])
        r = g.set_index("sector").loc[sector_names, "informal_share"].to_numpy(float)
        lo = logit(np.clip(r, LOGIT_CLIP, 1 - LOGIT_CLIP))
        anchor = float(mk.loc[iso3, "informal_share_default"])
        basis = mk.loc[iso3, "informal_share_default_basis"]
        k = _solve_shift(lo, w, anchor)
        scaled += list(expit(lo + k))
        k_txt = f"{round(k, 4) + 0.0:+.4f}"  # + 0.0 turns -0.0 into 0.0
        ssrc += [f"informal_share shifted by {k_txt} in log-odds so the employment-weighted "
                 f"mean equals the {basis} default {anchor:.4f} (labour_market.csv)"] * len(r)
        sconf += [{"national": "derived (low)", "ilostat": "derived (medium)",
                   "status_proxy": "assumption"}[basis]] * len(r)
    out["informal_share_at_default"] = scaled
    out["at_default_source"] = ssrc
    out["at_default_confidence"] = sconf
    out["year"] = out["year"].astype("Int64")
    return out, profile


# ======================================================================================
# bpo_headcount_phl.csv
# ======================================================================================
def derive_bpo_headcount() -> pd.DataFrame:
    """IBPAP full-time-equivalent headcount of the Philippine IT-BPM industry, by year."""
    return pd.DataFrame(BPO_HEADCOUNT, columns=["year", "headcount_fte", "kind", "source",
                                                "confidence", "note"])
