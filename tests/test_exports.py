"""Result files people can open anywhere, each carrying where it came from.

CSV with a byte-order mark (Excel in a Vietnamese or Indonesian locale otherwise shows the text
as mojibake) and a provenance header block that pandas and DuckDB skip; Parquet with the
provenance in its metadata; Excel workbooks with numbers as numbers and a provenance sheet; and
the CLI writing all three.
"""

from __future__ import annotations

import csv
import io
import json

import duckdb
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.io import read_parquet_provenance, safe_csv, write_table, xlsx_bytes

runner = CliRunner()
TABLE = pd.DataFrame({"indicator": ["Phân loại việc làm", "=HYPERLINK(\"x\")", "Pekerja"],
                      "median": [1234.5, -2.0, 3.0]})
PROVENANCE = {"scenario": "Bản kế hoạch, =cmd", "base_seed": 20260101,
              "data_hashes": {"sectors.csv": "ab12", "countries.csv": "cd34"},
              "code_version": "0.4.0+abc"}


def test_csv_has_a_bom_and_a_provenance_block_that_readers_skip(tmp_path):
    data = safe_csv(TABLE, PROVENANCE)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 in every locale
    back = pd.read_csv(io.BytesIO(data), comment="#", keep_default_na=False)
    assert back["indicator"][0] == "Phân loại việc làm"
    assert back["indicator"][1] == "'=HYPERLINK(\"x\")"
    assert back["median"].tolist() == [1234.5, -2.0, 3.0]
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    rows = duckdb.execute(f"SELECT * FROM read_csv('{path}', comment='#', quote='\"')"
                          ).fetchall()
    assert rows[0] == ("Phân loại việc làm", 1234.5)


def test_csv_provenance_block_reads_as_key_value_cells_with_no_formula():
    text = safe_csv(TABLE, PROVENANCE).decode("utf-8-sig")
    block = [row for row in csv.reader(io.StringIO(text)) if row and row[0] == "#"]
    found = {row[1]: row[2] for row in block[1:]}
    assert found["base_seed"] == "20260101"
    assert json.loads(found["data_hashes"]) == PROVENANCE["data_hashes"]
    # A spreadsheet splits at commas: the user's text stays in one quoted cell, neutralised.
    assert found["scenario"] == "Bản kế hoạch, =cmd"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in block for cell in row)


def test_xlsx_keeps_numbers_as_numbers_text_as_text_and_the_provenance():
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"headline": TABLE}, PROVENANCE)))
    assert book.sheetnames == ["headline", "provenance"]
    sheet = book["headline"]
    assert [c.value for c in sheet[1]] == ["indicator", "median"]
    assert sheet["B2"].value == 1234.5 and sheet["B2"].data_type == "n"
    assert sheet["A3"].data_type == "s" and sheet["A3"].value == "'=HYPERLINK(\"x\")"
    assert sheet["A2"].value == "Phân loại việc làm"
    prov = {row[0]: row[1] for row in book["provenance"].iter_rows(min_row=2, values_only=True)}
    assert prov["code_version"] == "0.4.0+abc"


def test_xlsx_refuses_a_table_longer_than_a_sheet():
    with pytest.raises(ValueError, match="at most 1,048,575"):
        xlsx_bytes({"t": pd.DataFrame({"x": range(1_048_576)})})


def test_parquet_carries_the_provenance_in_its_metadata(tmp_path):
    path = write_table(TABLE, tmp_path / "t.parquet", PROVENANCE)
    assert pd.read_parquet(path).equals(TABLE)
    assert read_parquet_provenance(path) == PROVENANCE


QUICK = ["baseline", "-c", "BRN", "-r", "2", "--horizon", "24", "--no-counterfactual"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_cli_files_carry_seed_scale_hashes_and_code_version(tmp_path, suffix):
    out = tmp_path / f"brn{suffix}"
    result = runner.invoke(app, ["run", *QUICK, "--seed", "7", "--out", str(out)])
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        text = out.read_text(encoding="utf-8-sig")
        block = [r for r in csv.reader(io.StringIO(text)) if r and r[0] == "#"]
        prov = {r[1]: r[2] for r in block[1:]}
        table = pd.read_csv(out, comment="#")
    elif suffix == ".parquet":
        prov = {k: (v if isinstance(v, str) else json.dumps(v, sort_keys=True,
                                                            separators=(",", ":")))
                for k, v in read_parquet_provenance(out).items()}
        table = pd.read_parquet(out)
    else:
        book = openpyxl.load_workbook(out, read_only=True)
        prov = {r[0]: r[1] for r in book["provenance"].iter_rows(min_row=2, values_only=True)}
        table = pd.read_excel(out, sheet_name="summary")
    assert str(prov["base_seed"]) == "7"
    assert json.loads(prov["scale"]) if isinstance(prov["scale"], str) else prov["scale"]
    assert "sectors.csv" in str(prov["data_hashes"])
    assert prov["code_version"]
    assert {"metric", "median", "low", "high"} <= set(table.columns)
    assert len(table) > 100
