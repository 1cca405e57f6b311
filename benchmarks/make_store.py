"""Write a synthetic processed store of N dossiers across U units (the dossier dataset with the store's columns,
partitioned by the store's own writer, and a catalogue), to time indicators, rankings and reads at province or
national scale without running ingest first."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd


def write_store(data_dir: Path, n: int, units: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    processed = data_dir / "processed"
    processed.mkdir(parents=True, exist_ok=True)
    unit_ids = np.array([f"99-{i:05d}" for i in range(units)])
    unit = unit_ids[rng.integers(0, units, n)]
    start = np.datetime64("2023-01-01T00:00")
    received = start + rng.integers(0, 365 * 24 * 60, n).astype("timedelta64[m]")
    due = (received + rng.integers(1, 10, n).astype("timedelta64[D]")).astype("datetime64[D]")
    done_delay = rng.integers(0, 12, n).astype("timedelta64[D]")
    pending = rng.random(n) < 0.01
    processed_at = (received + done_delay).astype("datetime64[ns]")
    processed_at[pending] = np.datetime64("NaT")
    procs = np.array([f"Thủ tục {i}" for i in range(120)])
    proc_idx = rng.integers(0, 120, n)
    frame = pd.DataFrame(
        {
            "unit_id": pd.Series(unit, dtype="string"),
            "code": pd.Series(np.char.add("H-", np.arange(n).astype(str)), dtype="string"),
            "procedure_code": pd.Series(np.char.add("1.", proc_idx.astype(str)), dtype="string"),
            "procedure": pd.Series(procs[proc_idx], dtype="string"),
            "field": pd.Series(np.where(proc_idx < 40, "Hộ tịch", "Chứng thực"), dtype="string"),
            "channel": pd.Series(np.where(rng.random(n) < 0.85, "online", "direct"), dtype="string"),
            "status": pd.Series(np.where(pending, "processing", "resolved"), dtype="string"),
            "status_raw": pd.Series(np.where(pending, "Đang xử lý", "Đã trả kết quả"), dtype="string"),
            "received_at": received.astype("datetime64[ns]"),
            "due_at": due.astype("datetime64[ns]"),
            "due_has_time": pd.Series(np.zeros(n, dtype=bool), dtype="boolean"),
            "processed_at": processed_at,
            "result_at": processed_at,
            "handed_at": processed_at,
            "fee": np.where(proc_idx % 3 == 0, 5000.0, 0.0),
            "payment_method": pd.Series(np.where(rng.random(n) < 0.8, "online", "cash"), dtype="string"),
            "digitised": pd.Series(rng.random(n) < 0.9, dtype="boolean"),
            "applicant_key": pd.Series(np.char.add("k", rng.integers(0, 10**9, n).astype(str)), dtype="string"),
            "export_start": np.datetime64("2023-01-01", "ns"),
            "export_end": np.datetime64("2023-12-31", "ns"),
            "source_file": pd.Series(np.char.add(unit, "/export.xlsx"), dtype="string"),
            "source_sheet": pd.Series(np.full(n, "Sheet1"), dtype="string"),
            "source_row": np.arange(n, dtype="int64") + 5,
            "catalogue_code": pd.Series(np.char.add("1.", proc_idx.astype(str)), dtype="string"),
            "catalogue_match": pd.Series(np.full(n, "code"), dtype="string"),
            "catalogue_fee_kind": pd.Series(np.where(proc_idx % 3 == 0, "fixed", "none"), dtype="string"),
        }
    )
    groups = max(1, units // 100)  # about a hundred communes per province-sized group
    lines = ["unit_id,code,name,type,group,province"]
    lines += [
        f"{u},{90000 + i},Thử Nghiệm {i},xã,Tỉnh Thử {i % groups},Tỉnh Thử {i % groups}" for i, u in enumerate(unit_ids)
    ]
    (data_dir / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (data_dir / "units.yaml").write_text("scope: Tỉnh Thử 0\n", encoding="utf-8")  # the synthetic units only
    from cchc_analysis.registry import UnitRegistry
    from cchc_analysis.store import _write_dossier_dataset

    _write_dossier_dataset(frame, processed, UnitRegistry.load(data_dir))
    cat = pd.DataFrame(
        [
            {
                "unit_id": u,
                "procedure_code": f"1.{i}",
                "procedure": procs[i],
                "procedure_key": procs[i].lower(),
                "field": "Hộ tịch",
                "online_level": "toàn trình",
                "fee_kind": "fixed" if i % 3 == 0 else "none",
                "fee_amount": 5000.0 if i % 3 == 0 else 0.0,
                "fee_text": "",
                "valid_from": pd.NaT,
                "valid_to": pd.NaT,
                "source_file": f"{u}/danh-muc.xlsx",
                "source_row": i + 3,
            }
            for u in unit_ids
            for i in range(0, 120, 1)
        ]
    )
    cat.to_parquet(processed / "catalogue.parquet", index=False)


if __name__ == "__main__":
    write_store(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
