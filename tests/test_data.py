"""Tests for data/derive.py, the shipped data/*.csv and sim/data.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.data import (
    CONFIDENCE_LEVELS,
    DEFAULT_DATA_DIR,
    EXTRA_FILES,
    OCC_COLS,
    SECTOR_ISIC,
    SECTOR_LABELS,
    SECTORS,
    DataError,
    load_data,
    occupation_exposure,
)
from sim.provenance import sources_table

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
EMP_FILE = SHARED / "ilostat" / "ilostat_employment_by_isic4_asean.csv"
FILES = ("sectors.csv", "countries.csv", "occupations.csv")
ISO3 = ("BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "VNM")

needs_shared = pytest.mark.skipif(
    not EMP_FILE.is_file(), reason=f"source data not available at {SHARED}")


@pytest.fixture(scope="module")
def tables():
    return load_data()


# ----------------------------------------------------------------------------- shipped data
def test_shipped_tables_validate(tables):
    assert len(tables.sectors) == 120
    assert tuple(tables.countries["iso3"]) == ISO3
    assert list(tables.occupations["isco08_major_group"]) == list(range(1, 10))
    for iso3 in ISO3:
        s = tables.sectors[tables.sectors["iso3"] == iso3]
        assert tuple(s["sector"]) == SECTORS
    # calibration and the labour-market tables are inputs too
    assert set(tables.hashes) == {*FILES, "calibration.csv", *EXTRA_FILES}
    assert all(len(h) == 64 for h in tables.hashes.values())
    assert set(tables.extras) == set(EXTRA_FILES) and tables.shipped_extras == ()


def test_labels_and_mapping_match_derive(tables):
    for _, r in tables.sectors.iterrows():
        assert r["sector_label"] == SECTOR_LABELS[r["sector"]]
        assert r["isic_sections"] == SECTOR_ISIC[r["sector"]]


def test_confidence_labels_in_vocabulary(tables):
    for df in (tables.sectors, tables.countries, tables.occupations):
        for c in [c for c in df.columns if c.endswith("confidence")]:
            assert set(df[c]) - {""} <= CONFIDENCE_LEVELS, c


@needs_shared
def test_employment_matches_ilostat_section_sums(tables):
    emp = pd.read_csv(EMP_FILE, dtype={"isic4_section": str})
    emp = emp[emp["indicator"].str.startswith("EMP_TEMP_SEX_ECO_NB")]  # survey, not modelled
    latest = emp.groupby("iso3")["year"].transform("max")
    emp = emp[(emp["year"] == latest) & emp["isic4_section"].isin(list("ABCDEFGHIJKLMNOPQRSTU"))]
    assert emp.groupby("iso3")["year"].first().to_dict()["MMR"] == 2020
    for _, r in tables.sectors.iterrows():
        secs = r["isic_sections"].split(";")
        e = emp[(emp["iso3"] == r["iso3"]) & emp["isic4_section"].isin(secs)]
        assert r["year"] == e["year"].iloc[0]
        assert r["employment_thousands"] == pytest.approx(e["employment_thousands"].sum(),
                                                          abs=1e-3), (r["iso3"], r["sector"])
    country_sum = emp.groupby("iso3")["employment_thousands"].sum()
    for _, c in tables.countries.iterrows():
        assert c["employment_thousands"] == pytest.approx(country_sum[c["iso3"]], abs=1e-2)
    # Viet Nam on the A-U (GSO-consistent) basis, X dropped: FACTS.md §1.1 gives 51,434.8k
    vnm = tables.countries.set_index("iso3").loc["VNM", "employment_thousands"]
    assert vnm == pytest.approx(51434.8, abs=0.1)


@needs_shared
def test_derive_reproduces_committed_csvs(tmp_path):
    subprocess.run([sys.executable, str(REPO / "data" / "derive.py"), "--source", str(SHARED),
                    "--out", str(tmp_path)], check=True, capture_output=True, cwd=REPO)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DEFAULT_DATA_DIR / name).read_bytes(), name
        assert b"\r\n" not in (tmp_path / name).read_bytes()


def _weighted(tables, iso3, col):
    s = tables.sectors[tables.sectors["iso3"] == iso3]
    w = s["employment_thousands"].to_numpy()
    return float((w * s[col].to_numpy()).sum() / w.sum())


def test_phl_exposed_share_plausible(tables):
    v = _weighted(tables, "PHL", "exposed_employment_share_ilo2025")
    g4 = _weighted(tables, "PHL", "highest_gradient_share_ilo2025")
    print(f"PHL employment-weighted exposed share (ILO 2025 any gradient): {v:.4f} "
          f"vs ILO brief 0.272; gradient 4: {g4:.4f} vs 0.036")
    assert 0.15 <= v <= 0.40


def test_country_data_shapes(tables):
    for iso3 in ISO3:
        c = tables.country(iso3)
        S = len(SECTORS)
        assert c.sectors == SECTORS
        for a in (c.employment, c.female_share, c.augmentation_share, c.wage_monthly_lcu):
            assert a.shape == (S,) and a.dtype == np.float64
        assert c.occ_mix.shape == (S, 9)
        np.testing.assert_allclose(c.occ_mix.sum(axis=1), 1.0, atol=1e-12)
        assert (c.employment > 0).all()
        row = tables.countries.set_index("iso3").loc[iso3]
        assert c.employment.sum() == pytest.approx(row["employment_thousands"] * 1000)
        for rate in (c.unemployment_rate, c.job_finding_rate, c.separation_rate):
            assert 0 < rate < 1
        assert c.share_ge12m is None or 0 <= c.share_ge12m <= 1
    assert tables.country("SGP").share_ge12m is None
    assert np.isnan(tables.country("SGP").wage_monthly_lcu[SECTORS.index("agriculture")])


def test_unknown_country_names_valid_codes(tables):
    with pytest.raises(DataError, match="XYZ.*PHL"):
        tables.country("XYZ")


def test_the_country_menu_names_are_the_countries_own(tables):
    """The menu and the ASEAN view name each country from ``country_names``: the same name
    as the country's data gives, for every country."""
    names = tables.country_names
    assert list(names) == list(tables.iso3_codes)
    assert all(names[iso3] == tables.country(iso3).name for iso3 in tables.iso3_codes)
    assert names["VNM"] == "Viet Nam"


def test_occupation_exposure(tables):
    for a in ("ilo_genai_2025", "ilo_genai_2023"):
        e = occupation_exposure(tables, a)
        assert e.shape == (9,) and ((e >= 0) & (e <= 1)).all()
    assert occupation_exposure(tables, "ilo_genai_2025")[3] == pytest.approx(0.693)  # clerical
    with pytest.raises(DataError, match="ilo_genai_2025"):
        occupation_exposure(tables, "frey_osborne")


def test_sources_table(tables):
    st = sources_table(tables, "PHL")
    assert list(st.columns) == ["field", "sector", "value", "source", "confidence"]
    present = st[st["value"].notna()]
    assert (present["source"].str.len() > 0).all()
    assert set(present["confidence"]) <= CONFIDENCE_LEVELS
    assert {"unemployment_rate", "job_finding_rate", "employment_thousands"} <= set(st["field"])
    # the labour-market figures the model reads are cited too (data/README.md §17-§18)
    under = st.set_index("field").loc["underemployment_national_rate"]
    assert under["value"] == pytest.approx(0.119) and under["confidence"] == "medium"
    assert "PSA" in under["source"]
    informal = st[st["field"] == "informal_share"]
    assert tuple(informal["sector"]) == SECTORS
    assert set(informal["confidence"]) == {"assumption"}  # PHL: the pooled profile (§18)
    vacancy = st.set_index("field").loc["vacancy_rate"]
    assert np.isnan(vacancy["value"]) and "GAP" in vacancy["source"]


def test_gap_fills_are_labelled(tables):
    c = tables.countries.set_index("iso3")
    for iso3 in ("IDN", "LAO", "MMR", "BRN"):
        assert c.loc[iso3, "job_finding_confidence"] == "assumption"
        assert "GAP" in c.loc[iso3, "job_finding_source"]
        assert pd.isna(c.loc[iso3, "share_ge12m"])


def test_load_is_cached(tables):
    assert load_data() is load_data()


# ----------------------------------------------------------------------------- bad CSVs
def _edit_csv(path: Path, fn) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = fn(df)
    df.to_csv(path, index=False, lineterminator="\n")


def _set(col, value, row=13):
    def f(df):
        df.loc[row, col] = value
        return df
    return f


def _dup_row(df):
    return pd.concat([df, df.iloc[[5]]], ignore_index=True)


def _bad_mix(df):
    df.loc[13, "occ_1"] = str(float(df.loc[13, "occ_1"]) + 0.2)
    return df


def _drop_country(df):
    return df[df["iso3"] != "THA"].reset_index(drop=True)


def _write_bytes(path: Path) -> None:
    lines = path.read_bytes().split(b"\n")
    lines[14] = lines[14].replace(b"IDN", b"ID\xff", 1)
    path.write_bytes(b"\n".join(lines))


# (file, mutation, expected column, expected row marker, expected message fragment)
BAD_CASES = [
    ("sectors.csv", lambda df: df.drop(columns=["female_share"]), "female_share", "header row",
     "missing"),
    ("sectors.csv", _set("employment_thousands", "abc"), "employment_thousands", "row 14",
     "not a number"),
    ("sectors.csv", _set("female_share", "1.7"), "female_share", "row 14",
     "outside [0, 1]"),
    ("sectors.csv", _dup_row, "sector", "row 121", "duplicate of row 6"),
    ("sectors.csv", _set("sector", "space_mining"), "sector", "row 14", "not one of"),
    ("sectors.csv", _bad_mix, "occ_1..occ_9", "row 14", "sums to"),
    ("sectors.csv", _set("augmentation_share", "NaN"), "augmentation_share", "row 14", "NaN"),
    ("sectors.csv", _set("employment_thousands", "inf"), "employment_thousands", "row 14",
     "not finite"),
    ("sectors.csv", _set("employment_thousands", "-5"), "employment_thousands", "row 14",
     "negative"),
    ("sectors.csv", _set("female_share", ""), "female_share", "row 14", "empty value"),
    ("sectors.csv", _set("employment_source", ""), "employment_source", "row 14",
     "empty source"),
    ("sectors.csv", lambda df: df.assign(extra_col="1"), "extra_col", "header row", "unknown"),
    ("sectors.csv", _set("occ_mix_confidence", "very high"), "occ_mix_confidence", "row 14",
     "not a confidence label"),
    ("sectors.csv", lambda df: df.drop(index=13).reset_index(drop=True), "sector", "row 13",
     "missing sector"),
    ("countries.csv", _drop_country, "iso3", "row 97", "has no row in"),
    ("countries.csv", _set("unemployment_rate", "0", row=2), "unemployment_rate", "row 3",
     "outside (0, 1)"),
    ("countries.csv", _set("ai_readiness", "101", row=2), "ai_readiness", "row 3",
     "outside [0, 100]"),
    ("countries.csv", _dup_row, "iso3", "row 11", "duplicate of row 6"),
    ("countries.csv", _set("job_finding_confidence", "probably", row=2),
     "job_finding_confidence", "row 3", "not a confidence label"),
    ("occupations.csv", _set("exposed_share_ilo2025", "1.2", row=3), "exposed_share_ilo2025",
     "row 4", "outside [0, 1]"),
]


def _ids(case):
    return f"{case[0]}-{case[2]}-{case[4]}"


@pytest.fixture
def data_copy(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    for name in FILES:
        shutil.copy(DEFAULT_DATA_DIR / name, d / name)
    return d


@pytest.mark.parametrize("case", BAD_CASES, ids=[_ids(c) for c in BAD_CASES])
def test_bad_csv_raises(data_copy, case):
    name, mutate, column, row, fragment = case
    _edit_csv(data_copy / name, mutate)
    with pytest.raises(DataError) as ei:
        load_data(data_copy)
    msg = str(ei.value)
    print(msg)
    assert "\n" not in msg
    assert name in msg
    assert f"column '{column}'" in msg
    assert row in msg
    assert fragment in msg


def test_bad_row_message_names_keys(data_copy):
    _edit_csv(data_copy / "sectors.csv", _set("female_share", "1.7"))
    with pytest.raises(DataError, match=r"row 14 \(iso3=IDN, sector=manufacturing\), "
                                        r"column 'female_share': 1.7 is outside \[0, 1\]"):
        load_data(data_copy)


def test_non_utf8_bytes(data_copy):
    _write_bytes(data_copy / "sectors.csv")
    with pytest.raises(DataError) as ei:
        load_data(data_copy)
    msg = str(ei.value)
    assert "sectors.csv" in msg and "row 14" in msg and "column 'iso3'" in msg
    assert "UTF-8" in msg


def test_missing_file(data_copy):
    (data_copy / "countries.csv").unlink()
    with pytest.raises(DataError, match="countries.csv.*missing"):
        load_data(data_copy)


def test_ragged_row(data_copy):
    p = data_copy / "occupations.csv"
    p.write_text(p.read_text(encoding="utf-8") + "10,Extra\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"occupations.csv, row 10: expected \d+ fields"):
        load_data(data_copy)


def test_country_total_must_match_sectors(data_copy):
    _edit_csv(data_copy / "countries.csv", _set("employment_thousands", "1", row=0))
    with pytest.raises(DataError, match=r"countries.csv, row 1 \(iso3=BRN\), "
                                        r"column 'employment_thousands'"):
        load_data(data_copy)


def test_column_lists_match_the_row_models():
    from sim.labour_tables import EXTRA_TABLES
    from sim.tables import TABLES, CalibrationRow, columns
    for model in (*TABLES, CalibrationRow, *EXTRA_TABLES):
        header = (DEFAULT_DATA_DIR / model.FILE).read_text(encoding="utf-8").split("\n")[0]
        assert header.split(",") == columns(model)
    assert len(OCC_COLS) == 9


def test_a_line_break_inside_a_quoted_cell_stays_out_of_the_message(data_copy):
    """A quoted cell may hold a line break (the CSV is still valid); the refusal is one line
    naming the file, the row and the column, the break shown as a space (found by
    ``tests/test_fuzz.py``: the key of the row, quoted back, once split the message)."""
    path = data_copy / "sectors.csv"
    frame = pd.read_csv(path, keep_default_na=False, dtype=str)
    frame.loc[0, "iso3"] = "B\nRN"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError) as caught:
        load_data(data_copy)
    message = str(caught.value)
    assert "\n" not in message
    assert "sectors.csv" in message and "row 1" in message and "B RN" in message
