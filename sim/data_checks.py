"""Checks across the rows and tables of a data folder, once every row is valid on its own.

``cross_checks``: the core tables (sectors.csv, countries.csv, occupations.csv) agree: each
sector row's occupation mix sums to 1, every country has every sector, country totals and
currencies match their sector rows, duration shares are all present and sum to 1, and
occupations.csv holds ISCO-08 groups 1..9. ``check_extras``: the labour-market tables of
data/README.md §11-§19 (2-digit occupations and their shares, occupation by sex within
sectors, informality, pay, status in employment) are complete and consistent.
``check_calibration``: calibration.csv names known countries. Sums hold to ``SUM_TOL``. Every
failure raises one :class:`DataError` line (``sim.table_reader.ErrorContext``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.labour_tables import (
    EXTRA_TABLES,
    STATUS_COLS,
    LabourMarketRow,
    OccupationMixSubmajorRow,
    OccupationPayRow,
    OccupationSubmajorRow,
    SectorInformalityRow,
    SectorOccupationSexRow,
)
from sim.table_reader import ErrorContext, display_path
from sim.tables import TABLES, CalibrationRow, Row
from sim.vocabulary import (
    OCC_COLS,
    SECTORS,
    SEXES,
)

SUM_TOL = 1e-3


def cross_checks(
    paths: dict[str, Path], sec: pd.DataFrame, cty: pd.DataFrame, occ: pd.DataFrame
) -> None:
    sector_row, country_row, occupation_row = TABLES
    cs = ErrorContext(paths["sectors.csv"], sector_row, sec)
    cc = ErrorContext(paths["countries.csv"], country_row, cty)
    co = ErrorContext(paths["occupations.csv"], occupation_row, occ)

    # occupation mix sums to 1
    sums = sec[list(OCC_COLS)].sum(axis=1).to_numpy()
    bad = np.flatnonzero(np.abs(sums - 1.0) > SUM_TOL)
    if bad.size:
        i = int(bad[0])
        raise cs.error(
            i + 1,
            "occ_1..occ_9",
            f"occupation mix sums to {sums[i]:.6g}, not 1 (tolerance {SUM_TOL:g})",
        )
    # every country has every sector
    for iso3, grp in sec.groupby("iso3", sort=True):
        missing = [s for s in SECTORS if s not in set(grp["sector"])]
        if missing:
            row = int(grp.index[0]) + 1
            raise cs.error(
                row, "sector", f"country {iso3} is missing sector(s): {', '.join(missing)}"
            )
    # country sets agree
    sec_iso, cty_iso = set(sec["iso3"]), set(cty["iso3"])
    for i, iso3 in enumerate(sec["iso3"]):
        if iso3 not in cty_iso:
            raise cs.error(
                i + 1,
                "iso3",
                f"{iso3} has no row in {cc.name} (countries there: {', '.join(sorted(cty_iso))})",
            )
    for i, iso3 in enumerate(cty["iso3"]):
        if iso3 not in sec_iso:
            raise cc.error(i + 1, "iso3", f"{iso3} has no rows in {cs.name}")
    # country totals and currencies agree with the sector rows
    tot = sec.groupby("iso3")["employment_thousands"].sum()
    cur = sec.groupby("iso3")["currency"].agg(lambda s: sorted(set(s)))
    for i, r in cty.iterrows():
        if abs(r["employment_thousands"] - tot[r["iso3"]]) > 0.01 + 1e-6 * tot[r["iso3"]]:
            raise cc.error(
                i + 1,
                "employment_thousands",
                f"{r['employment_thousands']:g} != sum of the country's rows in {cs.name} "
                f"{tot[r['iso3']]:g}",
            )
        if cur[r["iso3"]] != [r["currency"]]:
            raise cc.error(
                i + 1,
                "currency",
                f"{r['currency']} != the currency of the country's rows in {cs.name} "
                f"({'/'.join(cur[r['iso3']])})",
            )
    # duration shares, where present, sum to 1
    d = cty[["share_lt6m", "share_6_12m", "share_ge12m"]]
    part = d.notna().any(axis=1) & ~d.notna().all(axis=1)
    if part.any():
        i = int(np.flatnonzero(part.to_numpy())[0])
        raise cc.error(i + 1, "share_lt6m", "duration shares must be all present or all empty")
    dsum = d.sum(axis=1, min_count=3).to_numpy()
    bad = np.flatnonzero(~np.isnan(dsum) & (np.abs(dsum - 1.0) > SUM_TOL))
    if bad.size:
        i = int(bad[0])
        raise cc.error(i + 1, "share_lt6m", f"duration shares sum to {dsum[i]:.6g}, not 1")
    # occupations: exactly groups 1..9
    missing_g = sorted(set(range(1, 10)) - set(occ["isco08_major_group"]))
    if missing_g:
        raise co.error(
            None,
            "isco08_major_group",
            f"missing ISCO-08 major group(s): {', '.join(map(str, missing_g))}",
        )


def _first(mask: np.ndarray | pd.Series) -> int:
    """The 1-based row number of the first True in ``mask``."""
    return int(np.flatnonzero(np.asarray(mask))[0]) + 1


def _check_known_countries(ctx: ErrorContext, frame: pd.DataFrame, known: set[str]) -> None:
    unknown = ~frame["iso3"].isin(known).to_numpy()
    if unknown.any():
        row = _first(unknown)
        raise ctx.error(
            row,
            "iso3",
            f"{frame.at[row - 1, 'iso3']} has no row in countries.csv "
            f"(countries there: {', '.join(sorted(known))})",
        )


def _check_complete(
    ctx: ErrorContext, frame: pd.DataFrame, keys: list[str], expected: list[tuple], what: str
) -> None:
    """Every country in ``frame`` has a row for each ``expected`` combination of ``keys``."""
    for iso3, group in frame.groupby("iso3", sort=False):
        have = set(group[keys].itertuples(index=False, name=None))
        missing = ["/".join(map(str, k)) for k in expected if k not in have]
        if missing:
            more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
            shown = ", ".join(missing[:6]) + more
            raise ctx.error(
                int(group.index[0]) + 1, keys[0], f"country {iso3} is missing {what}: {shown}"
            )


def check_extras(
    paths: dict[str, Path], extras: dict[str, pd.DataFrame], known: set[str], own: set[str]
) -> None:
    """Cross-row and cross-table checks of the labour-market tables. ``own``: the files read
    from the data folder itself; a shipped fallback may hold countries the folder lacks."""

    def ctx(model: type[Row]) -> ErrorContext:
        return ErrorContext(paths[model.FILE], model, extras[model.FILE])

    for model in EXTRA_TABLES:
        if model.FILE in own and "iso3" in model.model_fields:
            _check_known_countries(ctx(model), extras[model.FILE], known)

    # 2-digit occupations: a code's first digit is its major group; every group has its own row
    occ, co = extras[OccupationSubmajorRow.FILE], ctx(OccupationSubmajorRow)
    major = occ["isco08_major_group"].astype(str)
    wrong = np.where(
        occ["level"] == "major",
        occ["code"] != major,
        (occ["code"].str.len() != 2) | (occ["code"].str[0] != major),
    )
    if wrong.any():
        row = _first(wrong)
        r = occ.iloc[row - 1]
        raise co.error(
            row,
            "code",
            f"code {r['code']} does not fit level {r['level']} of major group "
            f"{r['isco08_major_group']} (a sub-major code is its major group plus one digit; "
            f"a major-level code is the group itself)",
        )
    groups = set(occ.loc[occ["level"] == "major", "isco08_major_group"])
    if missing := [str(g) for g in range(1, 10) if g not in groups]:
        raise co.error(
            None,
            "level",
            f"no major-level row for group(s) {', '.join(missing)} (used for countries "
            "without 2-digit employment)",
        )

    # sub-major shares: known codes, and P(sub-major | major, sex) sums to 1
    mix, cm = extras[OccupationMixSubmajorRow.FILE], ctx(OccupationMixSubmajorRow)
    submajor = set(occ.loc[occ["level"] == "submajor", "code"])
    unknown = ~mix["code"].isin(submajor)
    if unknown.any():
        row = _first(unknown)
        raise cm.error(
            row,
            "code",
            f"code {mix.at[row - 1, 'code']} is not a sub-major group of "
            f"{display_path(paths[OccupationSubmajorRow.FILE])}",
        )
    elsewhere = mix["code"].str[0] != mix["isco08_major_group"].astype(str)
    if elsewhere.any():
        row = _first(elsewhere)
        r = mix.iloc[row - 1]
        raise cm.error(
            row,
            "isco08_major_group",
            f"code {r['code']} is in major group {r['code'][0]}, not {r['isco08_major_group']}",
        )
    sums = mix.groupby(["iso3", "sex", "isco08_major_group"], sort=False)[
        "share_within_major"
    ].transform("sum")
    bad = (sums - 1.0).abs() > SUM_TOL
    if bad.any():
        row = _first(bad)
        r = mix.iloc[row - 1]
        raise cm.error(
            row,
            "share_within_major",
            f"shares within major group {r['isco08_major_group']} ({r['iso3']}, {r['sex']}) "
            f"sum to {sums.iloc[row - 1]:.6g}, not 1 (tolerance {SUM_TOL:g})",
        )

    # occupation by sex within sectors: each row a distribution; complete per country
    sos, cs = extras[SectorOccupationSexRow.FILE], ctx(SectorOccupationSexRow)
    sums = sos[list(OCC_COLS)].sum(axis=1)
    bad = (sums - 1.0).abs() > SUM_TOL
    if bad.any():
        row = _first(bad)
        raise cs.error(
            row,
            "occ_1..occ_9",
            f"occupation mix sums to {sums.iloc[row - 1]:.6g}, not 1 (tolerance {SUM_TOL:g})",
        )
    _check_complete(
        cs, sos, ["sector", "sex"], [(s, x) for s in SECTORS for x in SEXES], "sector/sex row(s)"
    )

    _check_complete(
        ctx(SectorInformalityRow),
        extras[SectorInformalityRow.FILE],
        ["sector"],
        [(s,) for s in SECTORS],
        "sector(s)",
    )
    _check_complete(
        ctx(OccupationPayRow),
        extras[OccupationPayRow.FILE],
        ["isco08_major_group"],
        [(g,) for g in range(1, 10)],
        "major group(s)",
    )

    # status in employment: the published classes add up to all employed
    market = extras[LabourMarketRow.FILE]
    status = market[list(STATUS_COLS)]
    sums = status.sum(axis=1, min_count=1)
    bad = sums.notna() & ((sums - 1.0).abs() > SUM_TOL)
    if bad.any():
        row = _first(bad)
        raise ctx(LabourMarketRow).error(
            row,
            "share_employees",
            f"status-in-employment shares sum to {sums.iloc[row - 1]:.6g}, not 1 "
            f"(tolerance {SUM_TOL:g})",
        )


def check_calibration(path: Path, cal: pd.DataFrame, cty: pd.DataFrame) -> None:
    ctx = ErrorContext(path, CalibrationRow, cal)
    known = set(cty["iso3"])
    for i, iso3 in enumerate(cal["iso3"]):
        if iso3 not in known:
            raise ctx.error(i + 1, "iso3", f"{iso3} has no row in countries.csv")
