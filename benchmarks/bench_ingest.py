"""Ingest of one 1,000,000-row dossier export: `cchc ingest` beside the bare readers that bound it (unzip of the
sheet XML: the physical floor; python-calamine; fastexcel) and a naive pandas + openpyxl path with hand cleaning."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from .common import ROOT, Result, measure, python_snippet

NAIVE = """
import sys, pandas as pd
df = pd.read_excel(sys.argv[1], engine="openpyxl", header=3, dtype=str)
df.columns = [c.strip() for c in df.columns]
for c in ("Ngày tiếp nhận", "Hạn trả", "Ngày kết thúc xử lý"):
    df[c] = pd.to_datetime(df[c], dayfirst=True, errors="coerce")
df["Kênh"] = df["Kênh"].str.strip().map({"Trực tuyến": "online", "Trực tiếp": "direct"})
df = df.drop(columns=["Chủ hồ sơ", "Số điện thoại", "Số CCCD", "Địa chỉ"])
df.to_parquet(sys.argv[2])
"""
UNZIP = """
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as zf:
    total = 0
    with zf.open("xl/worksheets/sheet1.xml") as fh:
        while chunk := fh.read(1 << 24):
            total += len(chunk)
"""
CALAMINE = """
import sys
from python_calamine import CalamineWorkbook
rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()
"""
FASTEXCEL = """
import sys, fastexcel
df = fastexcel.read_excel(sys.argv[1]).load_sheet(0, header_row=3).to_arrow()
"""
# the fastest way fastexcel reads the sheet: cells go straight into Arrow, types inferred
FASTEXCEL_EAGER = """
import sys, fastexcel
batch = fastexcel.read_excel(sys.argv[1]).load_sheet(0, header_row=3, eager=True)
"""
# how cchc has fastexcel read a large sheet: every cell as text (a date typed as text, a header repeated in the body,
# a "Tổng cộng" row keep their text), eagerly
FASTEXCEL_TEXT = """
import sys, fastexcel
batch = fastexcel.read_excel(sys.argv[1]).load_sheet(0, header_row=None, dtypes="string", eager=True)
"""


def run(rows: int = 1_000_000, runs: int = 3, naive_runs: int = 3) -> tuple[list[Result], str]:
    from .make_export import write_export

    work = Path(tempfile.mkdtemp(prefix="cchc-bench-ingest-"))
    try:
        export = work / "data" / "raw" / "thanh-giang" / "export.xlsx"
        write_export(export, rows)
        size = export.stat().st_size / 2**20
        env = {"CCHC_PSEUDONYM_KEY": "benchmark-key-of-enough-length"}
        results = [
            measure("unzip of the sheet XML (floor)", [*python_snippet(UNZIP), str(export)], runs),
            measure("python-calamine to Python objects", [*python_snippet(CALAMINE), str(export)], runs),
        ]
        results.append(measure("fastexcel (calamine to Arrow)", [*python_snippet(FASTEXCEL), str(export)], runs))
        for label, snippet in (
            ("fastexcel, eager (straight to Arrow, types inferred)", FASTEXCEL_EAGER),
            ("fastexcel, eager, every cell as text (as cchc reads)", FASTEXCEL_TEXT),
        ):
            results.append(measure(label, [*python_snippet(snippet), str(export)], runs))
        cchc = measure(
            "cchc ingest (read, clean, pseudonymise, Parquet)",
            [sys.executable, "-m", "cchc_analysis", "-q", "ingest", "--data-dir", str(work / "data")],
            runs,
            env=env,
            cwd=ROOT,
            before=lambda: shutil.rmtree(work / "data" / "processed", ignore_errors=True),
        )
        results.append(cchc)
        if naive_runs:
            results.append(
                measure(
                    "naive pandas.read_excel(openpyxl) + hand cleaning",
                    [*python_snippet(NAIVE), str(export), str(work / "naive.parquet")],
                    naive_runs,
                )
            )
        return results, f"{rows:,} rows x 15 columns, {size:.0f} MB .xlsx"
    finally:
        shutil.rmtree(work, ignore_errors=True)
