"""Checks printed by ``derive.py`` after writing the extended tables (README §13-§16).

Nothing here changes a table: it measures them (2-digit exposure against the ILO country
figures, exposure by sex, the IPF fit, informality on each basis) so a reader can compare
the printout with what the README states.
"""

from __future__ import annotations

import derive_occupations as do
import pandas as pd


def exposure_summary(res: dict, sectors: pd.DataFrame, sector_order: list[str],
                     col: str = "exposed_share_ilo2025") -> pd.DataFrame:
    """Per country: exposed share by sex through the sector tables, and the plain 2-digit
    share of all employment (the shared README's formula), as fractions."""
    mix, occ2 = res["occupation_mix_submajor"], res["occupations_submajor"]
    emaj = do.major_exposure_by_country_sex(mix, occ2, col)
    occ_major = occ2[occ2["level"] == "major"].set_index("code")[col]
    out = do.exposure_by_sex(sectors, res["sector_occupation_sex"], emaj, occ_major,
                             sector_order)
    e = occ2[occ2["level"] == "submajor"].set_index("code")[col]
    t = mix[mix["sex"] == "total"]
    direct = ((t["employment_thousands"] * t["code"].map(e)).groupby(t["iso3"]).sum()
              / t.groupby("iso3")["employment_thousands"].sum())
    out["total_2digit_direct"] = out["iso3"].map(direct)
    return out


def report(res: dict, sectors: pd.DataFrame, sector_order: list[str]) -> None:
    fit = res["_ipf_fit"]
    print("IPF [sector, major group, sex] (largest margin error as a share of employment; "
          "gap between the 2-digit file's and the sector table's totals):")
    for _, r in fit.iterrows():
        print(f"  {r['iso3']}: {int(r['iterations'])} iterations, max error "
              f"{r['max_margin_error']:.1e}; female share {r['female_share_oc2']:.4f} (2-digit) "
              f"vs {r['female_share_sectors']:.4f} (sectors); largest major-group share gap "
              f"{r['max_major_share_gap']:.4f}; largest change in a group's female share "
              f"{r['max_female_share_change']:.4f}")
    ex = exposure_summary(res, sectors, sector_order)
    g4 = exposure_summary(res, sectors, sector_order, "gradient4_share_ilo2025")
    print("GenAI-exposed employment (ILO 2025, any gradient) through the sector tables; "
          "ILO: PHL 27.2% (women 40.3%), IDN/THA/VNM 21-22%:")
    for (_, r), (_, q) in zip(ex.iterrows(), g4.iterrows(), strict=True):
        d = (f"; 2-digit direct {r['total_2digit_direct']:.1%}"
             if pd.notna(r["total_2digit_direct"]) else "; no 2-digit data")
        print(f"  {r['iso3']}: total {r['total']:.1%} (gradient 4 {q['total']:.1%}); women "
              f"{r['female']:.1%}, men {r['male']:.1%}, ratio {r['ratio_female_male']:.2f}{d}")
    lm = res["labour_market"]
    print("Informal share: national / ILOSTAT / status proxy -> default (basis):")
    for _, r in lm.iterrows():
        def pct(v):
            return "  -  " if pd.isna(v) else f"{v:.1%}"
        print(f"  {r['iso3']}: {pct(r['informal_national_share'])} / "
              f"{pct(r['informal_ilostat_share'])} / {pct(r['informal_status_proxy_share'])} "
              f"-> {r['informal_share_default']:.1%} ({r['informal_share_default_basis']}); "
              f"underemployment national {pct(r['underemployment_national_rate'])}, ILOSTAT "
              f"{pct(r['underemployment_ilostat_rate'])}; vacancy rate {pct(r['vacancy_rate'])}")
