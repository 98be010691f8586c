"""Tests for the extended input tables of data/README.md §11-§19.

Each table is checked for what a model or a reader relies on: it is what the derivation
produces, its shares are shares, its margins hold, and every value carries a source and a
confidence label.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.data import CONFIDENCE_LEVELS, SECTORS

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
SHARED = REPO.parent / "shared" / "data"
sys.path.insert(0, str(DATA))
import derive_report  # noqa: E402  (a script folder, not a package)

NEW_FILES = ("occupations_submajor", "occupation_pay", "occupation_mix_submajor",
             "sector_occupation_sex", "labour_force", "labour_market", "sector_informality",
             "bpo_headcount_phl")
ISO3 = ("BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "VNM")
OC2_COUNTRIES = ("BRN", "IDN", "LAO", "MMR", "PHL", "SGP", "VNM")
OCC = [f"occ_{g}" for g in range(1, 10)]
# Stated in README §13: after rounding, the IPF table reproduces each sector's employment by
# major group and by sex to within 1e-5 of the sector, and each major group's female share in
# the 2-digit file to within 1.5 points (the harmonisation moves it at most 1.2 points).
MARGIN_TOL = 1e-5
FEMALE_SHARE_TOL = 0.015

# value column -> (its source column, its confidence column), per file
VALUE_COLUMNS = {
    "occupations_submajor": {c: ("source", "confidence") for c in (
        "task_exposure_ilo2025", "task_exposure_ilo2023", "exposed_share_ilo2025",
        "gradient4_share_ilo2025", "automation_share_ilo2025", "automation_share_ilo2023")},
    "occupation_pay": {"daily_basic_pay_lcu": ("pay_source", "pay_confidence"),
                       "pay_relative_to_mean": ("relative_source", "relative_confidence")},
    "occupation_mix_submajor": {c: ("source", "confidence")
                                for c in ("employment_thousands", "share_within_major")},
    "sector_occupation_sex": {c: ("source", "confidence") for c in OCC},
    "labour_force": {"labour_force_thousands": ("source", "confidence")},
    "labour_market": {
        **{f"informal_{b}_share": (f"informal_{b}_source", f"informal_{b}_confidence")
           for b in ("national", "ilostat", "status_proxy")},
        "informal_share_default": ("informal_share_default_basis",
                                   "informal_share_default_confidence"),
        **{c: ("status_source", "status_confidence") for c in (
            "share_employees", "share_employers", "share_own_account",
            "share_cooperative_members", "share_contributing_family",
            "share_not_classifiable")},
        **{f"underemployment_{b}_rate": (f"underemployment_{b}_source",
                                         f"underemployment_{b}_confidence")
           for b in ("national", "ilostat")},
        "vacancy_rate": ("vacancy_source", "vacancy_confidence"),
    },
    "sector_informality": {"informal_share": ("source", "confidence"),
                           "informal_share_at_default": ("at_default_source",
                                                         "at_default_confidence")},
    "bpo_headcount_phl": {"headcount_fte": ("source", "confidence")},
}

needs_shared = pytest.mark.skipif(
    not (SHARED / "ilostat" / "ilostat_employment_by_isco08_submajor_asean.csv").is_file(),
    reason=f"source data not available at {SHARED}")


@pytest.fixture(scope="module")
def t() -> dict[str, pd.DataFrame]:
    out = {n: pd.read_csv(DATA / f"{n}.csv", encoding="utf-8") for n in NEW_FILES}
    out["sectors"] = pd.read_csv(DATA / "sectors.csv", encoding="utf-8")
    return out


# ----------------------------------------------------------------------------- reproduction
@needs_shared
def test_derivation_reproduces_committed_files(tmp_path):
    subprocess.run([sys.executable, str(DATA / "derive.py"), "--source", str(SHARED),
                    "--out", str(tmp_path)], check=True, capture_output=True, cwd=REPO)
    for name in NEW_FILES:
        got = (tmp_path / f"{name}.csv").read_bytes()
        assert got == (DATA / f"{name}.csv").read_bytes(), name
        assert b"\r\n" not in got


# ----------------------------------------------------------------------------- provenance
@pytest.mark.parametrize("name", NEW_FILES)
def test_every_value_has_source_and_confidence(t, name):
    df = t[name]
    for col in [c for c in df.columns if c.endswith("confidence")]:
        assert set(df[col].dropna()) <= CONFIDENCE_LEVELS, (name, col)
    for col, (src, conf) in VALUE_COLUMNS[name].items():
        present = df[df[col].notna()]
        assert len(present), (name, col)
        assert present[src].fillna("").str.len().gt(0).all(), (name, col, src)
        assert present[conf].isin(CONFIDENCE_LEVELS).all(), (name, col, conf)


# ----------------------------------------------------------------------------- occupations
def test_occupations_submajor(t):
    o = t["occupations_submajor"]
    sub, maj = o[o["level"] == "submajor"], o[o["level"] == "major"]
    assert len(sub) == 40 and sub["code"].between(11, 96).all()
    assert list(maj["code"]) == list(range(1, 10))
    assert (sub["code"] // 10 == sub["isco08_major_group"]).all()
    shares = [c for c in o.columns if c.startswith(("task_", "exposed_", "gradient4_",
                                                    "automation_"))]
    assert ((o[shares] >= 0) & (o[shares] <= 1)).all().all()
    assert (o["gradient4_share_ilo2025"] <= o["exposed_share_ilo2025"] + 1e-9).all()
    # no exposed occupation, no automation share (the documented 0 convention)
    assert (o.loc[o["exposed_share_ilo2025"] == 0, "automation_share_ilo2025"] == 0).all()
    # the occupation counts of the sub-majors add up to their major group's
    n = sub.groupby("isco08_major_group")["n_occupations"].sum()
    assert (n.to_numpy() == maj.set_index("code").loc[n.index, "n_occupations"]).all()


def test_occupation_pay(t):
    p = t["occupation_pay"].set_index("isco08_major_group")
    assert list(p.index) == list(range(1, 10))
    ratio = p["pay_relative_to_mean"] / p["daily_basic_pay_lcu"]
    assert ratio.max() - ratio.min() < 1e-8  # one common mean for every group
    assert p["pay_relative_to_mean"].idxmax() == 1  # managers earn most (FACTS §7)


def test_occupation_mix_submajor(t):
    m = t["occupation_mix_submajor"]
    assert set(m["iso3"]) == set(OC2_COUNTRIES)
    assert m["code"].between(11, 96).all()  # armed forces and X excluded
    assert (m["code"] // 10 == m["isco08_major_group"]).all()
    assert m["share_within_major"].between(0, 1).all()
    sums = m.groupby(["iso3", "sex", "isco08_major_group"])["share_within_major"].sum()
    np.testing.assert_allclose(sums, 1.0, atol=1e-5)
    w = m.pivot_table(index=["iso3", "code"], columns="sex", values="employment_thousands")
    assert not w.isna().any().any()  # every group has both sexes and the total
    np.testing.assert_allclose(w["female"] + w["male"], w["total"], atol=2e-3)
    vnm12 = m[(m["iso3"] == "VNM") & (m["code"] == 12) & (m["sex"] != "total")]
    assert set(vnm12["confidence"]) == {"assumption"}  # total published, no sex split


# ----------------------------------------------------------------------------- IPF
def _ipf_cells(t, iso3):
    """Employment [sector, group, sex] implied by the committed tables, and the sector rows."""
    s = t["sectors"][t["sectors"]["iso3"] == iso3].set_index("sector").loc[list(SECTORS)]
    emp, fem = s["employment_thousands"].to_numpy(), s["female_share"].to_numpy()
    sos = t["sector_occupation_sex"]
    sos = sos[sos["iso3"] == iso3]
    x = np.zeros((len(SECTORS), 9, 2))
    for k, (sex, w) in enumerate((("female", emp * fem), ("male", emp * (1 - fem)))):
        p = sos[sos["sex"] == sex].set_index("sector").loc[list(SECTORS), OCC].to_numpy()
        x[:, :, k] = w[:, None] * p
    return x, s, emp


def test_sector_occupation_sex_rows_are_distributions(t):
    sos = t["sector_occupation_sex"]
    assert len(sos) == len(ISO3) * len(SECTORS) * 2
    assert ((sos[OCC] >= 0) & (sos[OCC] <= 1)).all().all()
    np.testing.assert_allclose(sos[OCC].sum(axis=1), 1.0, atol=1e-5)
    for iso3 in ("KHM", "THA", "MYS"):  # no sex x occupation data: sex-independent
        d = sos[sos["iso3"] == iso3]
        f = d[d["sex"] == "female"][OCC].to_numpy()
        assert (f == d[d["sex"] == "male"][OCC].to_numpy()).all()
        assert set(d["confidence"]) == {"assumption"}


@pytest.mark.parametrize("iso3", OC2_COUNTRIES)
def test_ipf_reproduces_its_margins(t, iso3):
    x, s, emp = _ipf_cells(t, iso3)
    mix = s[OCC].to_numpy()
    mix = mix / mix.sum(axis=1, keepdims=True)
    # sector x major group
    err_sg = np.abs(x.sum(axis=2) - emp[:, None] * mix).max(axis=1) / emp
    assert err_sg.max() < MARGIN_TOL, err_sg.max()
    # sector x sex
    err_sx = np.abs(x[:, :, 0].sum(axis=1) - emp * s["female_share"].to_numpy()) / emp
    assert err_sx.max() < MARGIN_TOL
    # sex x major group: each group's female share as in the 2-digit file
    m = t["occupation_mix_submajor"]
    m = m[(m["iso3"] == iso3) & (m["sex"] != "total")]
    g = m.pivot_table(index="isco08_major_group", columns="sex",
                      values="employment_thousands", aggfunc="sum").loc[range(1, 10)]
    want = (g["female"] / (g["female"] + g["male"])).to_numpy()
    got = x[:, :, 0].sum(axis=0) / x.sum(axis=(0, 2))
    print(f"{iso3}: largest gap in a major group's female share {np.abs(got - want).max():.4f}")
    assert np.abs(got - want).max() < FEMALE_SHARE_TOL


def _readme_row(heading: str, first_cell: str) -> list[str]:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n#", 1)[0]
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell!r} under {heading!r} in data/README.md")


def test_phl_exposure_by_sex_is_what_the_readme_states(t):
    ex = derive_report.exposure_summary(t, t["sectors"], list(SECTORS)).set_index("iso3")
    phl = ex.loc["PHL"]
    cells = _readme_row("### Exposure by sex", "PHL")
    print(f"PHL exposed share: women {phl['female']:.4f}, men {phl['male']:.4f}, ratio "
          f"{phl['ratio_female_male']:.3f} (ILO brief: women 40.3%, about twice men)")
    assert cells[1] == f"{phl['female']:.1%}" and cells[2] == f"{phl['male']:.1%}"
    assert cells[3] == f"{phl['ratio_female_male']:.2f}"
    assert cells[4] == f"{phl['total']:.1%}"
    # the ILO brief says women are about twice as exposed as men (FACTS §4.4)
    assert 1.6 <= phl["ratio_female_male"] <= 2.6


# ----------------------------------------------------------------------------- labour market
def test_labour_force(t):
    lf = t["labour_force"]
    assert len(lf) == len(ISO3) * 18
    assert set(lf["year"]) == set(range(2010, 2028))
    assert (lf["labour_force_thousands"] > 0).all()
    proj = lf["basis"].str.contains("projection")
    assert set(lf.loc[proj, "year"]) == {2025, 2026, 2027}
    assert set(lf.loc[proj, "confidence"]).isdisjoint(set(lf.loc[~proj, "confidence"]))


def test_labour_market(t):
    lm = t["labour_market"].set_index("iso3")
    assert tuple(lm.index) == ISO3
    rates = [c for c in lm.columns if c.endswith(("_share", "_rate", "_default"))
             or c.startswith("share_")]
    v = lm[rates]
    assert ((v >= 0) & (v <= 1) | v.isna()).all().all()
    status = lm[[c for c in lm.columns if c.startswith("share_")]].sum(axis=1)
    np.testing.assert_allclose(status, 1.0, atol=1e-5)
    # the default follows the stated precedence: national, else ILOSTAT, else status proxy
    for iso3, r in lm.iterrows():
        basis = next(b for b in ("national", "ilostat", "status_proxy")
                     if pd.notna(r[f"informal_{b}_share"]))
        assert r["informal_share_default_basis"] == basis, iso3
        assert r["informal_share_default"] == r[f"informal_{basis}_share"]
    # the proxy omits informal employees: a lower bound of the ILO rate where both exist
    both = lm["informal_ilostat_share"].notna()
    assert (lm.loc[both, "informal_status_proxy_share"]
            < lm.loc[both, "informal_ilostat_share"]).all()
    assert set(lm.index[lm["vacancy_rate"].notna()]) == {"MYS", "SGP"}


def test_sector_informality_adds_up_to_the_default(t):
    si = t["sector_informality"]
    assert len(si) == len(ISO3) * len(SECTORS)
    for c in ("informal_share", "informal_share_at_default"):
        assert si[c].between(0, 1).all()
    emp = t["sectors"].set_index(["iso3", "sector"])["employment_thousands"]
    lm = t["labour_market"].set_index("iso3")
    for iso3, g in si.groupby("iso3"):
        w = emp.loc[iso3].loc[g["sector"]].to_numpy()
        mean = float((w * g["informal_share_at_default"]).sum() / w.sum())
        assert mean == pytest.approx(lm.loc[iso3, "informal_share_default"], abs=1e-5), iso3
    pooled = si[si["iso3"].isin(["MYS", "PHL", "SGP"])]
    assert set(pooled["confidence"]) == {"assumption"}
    # the profile keeps the usual ordering: farming more informal than public administration
    for iso3, g in si.groupby("iso3"):
        g = g.set_index("sector")["informal_share"]
        if iso3 != "THA":  # THA's published O rate (76.7%) is the documented exception
            assert g["agriculture"] > g["public_administration"], iso3


def test_bpo_headcount(t):
    b = t["bpo_headcount_phl"]
    assert b["year"].is_unique and b["year"].is_monotonic_increasing
    assert list(b.loc[b["kind"] == "target", "year"]) == [2028]
    assert (b["headcount_fte"] > 0).all()
    actual = b[b["kind"] == "estimate"].set_index("year")["headcount_fte"]
    assert actual.loc[2025] > actual.loc[2010]
