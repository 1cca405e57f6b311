"""Reader of procedure catalogues (danh mục TTHC cấp xã) and the link from dossiers to catalogue entries."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputFileError
from ..pseudonym import Pseudonymiser  # noqa: F401  (same reader signature as the others)
from ..registry import UnitRegistry
from ..text import clean_text, fold, to_unicode_many
from .common import ReadResult, find_header, resolve_unit, start_report, title_lines
from .dates import parse_datetimes
from .grid import Grid
from .headers import source_vocabulary
from .parse import parse_amounts

CATALOGUE_COLUMNS = [
    "unit_id",
    "procedure_code",
    "procedure",
    "procedure_key",
    "field",
    "online_level",
    "fee_kind",
    "fee_amount",
    "fee_text",
    "valid_from",
    "valid_to",
    "source_file",
    "source_row",
]
ONLINE_LEVELS = {
    "full": ("toan trinh", "muc do 4", "dvc truc tuyen toan trinh", "4"),
    "partial": ("mot phan", "muc do 3", "dvc truc tuyen mot phan", "3"),
    "none": ("khong", "muc do 2", "muc do 1", "chua", "2", "1"),
}
_SECTION = re.compile(r"^(?:linh vuc|nhom thu tuc|phan)\b")


def procedure_key(name: object) -> str:
    """Matching key of a procedure name: folded, without a trailing "(...)"-free difference in spacing."""
    return fold(name)


def procedure_keys(names: pd.Series) -> pd.Series:
    """``procedure_key`` of a column: each distinct name folded once (a store's 100,000 dossiers name a few hundred
    procedures)."""
    uniques = pd.unique(names)
    return names.map(dict(zip(uniques, map(procedure_key, uniques), strict=True)))


def read_catalogue(
    path: Path | str, registry: UnitRegistry, *, raw_root=None, assume_unit=None, grids: list[Grid] | None = None
) -> ReadResult:
    """Read a commune's procedure catalogue: one row per procedure with its field, fee and online level.

    Section rows ("I | LĨNH VỰC CHỨNG THỰC") give the field of the procedures below them when there is no
    field column. Fees: "Không"/"Miễn" (none), an amount ("8.000 đồng", "2.000 đồng/trang") or "Theo quy định".
    """
    path, report = start_report(path, raw_root, "catalogue")
    vocab = source_vocabulary("catalogue")
    grid, match = find_header(path, grids, vocab)
    cols = match.columns
    body = grid.rows[match.data_start :]
    rows = []
    rejects = []
    current_field = None
    for offset, row in enumerate(body):
        sheet_row = match.data_start + 1 + offset

        def cell(name, row=row):
            c = cols.get(name)
            return row[c] if c is not None and c < len(row) else None

        texts = to_unicode_many([str(v) if isinstance(v, str) else "" for v in row])
        nonempty = [t for t in texts if t.strip()]
        if not nonempty:
            continue
        name = clean_text(texts[cols["procedure"]]) if cols["procedure"] < len(texts) else ""
        seq = cell("seq")
        code = clean_text(texts[cols["procedure_code"]]) if "procedure_code" in cols else ""
        joined = fold(" ".join(nonempty))
        # a section row names the field of what follows
        sec = next((t for t in nonempty if _SECTION.match(fold(t))), None)
        if sec and not isinstance(seq, (int, float)):
            current_field = clean_text(re.sub(r"(?i)^\s*(lĩnh vực|linh vuc)\s*", "", sec)).capitalize()
            current_field = current_field[:1].upper() + current_field[1:].lower()
            report.rows_skipped += 1
            continue
        if joined.startswith(("tong so", "tong cong")) or not name:
            report.rows_skipped += 1
            continue
        if not isinstance(seq, (int, float)) and not code and "seq" in cols:
            report.rows_skipped += 1  # notes and signatures below the table
            continue
        report.rows_read += 1
        field_value = clean_text(texts[cols["field"]]) if "field" in cols and cols["field"] < len(texts) else ""
        rows.append(
            {
                "procedure_code": code or None,
                "procedure": name,
                "field": field_value or current_field,
                "online_raw": clean_text(texts[cols["online_level"]]) if "online_level" in cols else "",
                "fee_raw": cell("fee"),
                "valid_from_raw": cell("valid_from"),
                "valid_to_raw": cell("valid_to"),
                "source_row": sheet_row,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        raise InputFileError(f"{path}: danh mục thủ tục không có dòng thủ tục nào.")
    frame["procedure_key"] = procedure_keys(frame["procedure"])
    frame["online_level"] = frame["online_raw"].map(_online_level)
    unknown_levels = frame.loc[frame["online_level"].isna() & (frame["online_raw"] != ""), "online_raw"]
    if len(unknown_levels):
        counts = unknown_levels.value_counts()
        report.unknown_values["online_level"] = {str(k): int(v) for k, v in counts.items()}
        report.warnings.append(f"Mức độ DVC không nhận ra: {', '.join(f'{k!r} × {v}' for k, v in counts.items())}.")
    frame["online_level"] = frame["online_level"].where(frame["online_raw"] != "", "none")
    kinds, amounts, texts = zip(*frame["fee_raw"].map(_fee), strict=True)
    frame["fee_kind"], frame["fee_amount"], frame["fee_text"] = list(kinds), list(amounts), list(texts)
    bad_fee = frame["fee_kind"] == "unknown"
    for _, r in frame[bad_fee].iterrows():
        rejects.append(
            {
                "file": report.file,
                "sheet": grid.sheet,
                "row": int(r["source_row"]),
                "column": "fee",
                "value": str(r["fee_raw"]),
                "reason": "mức phí không đọc được; để trống",
                "action": "value_dropped",
            }
        )
    for name in ("valid_from", "valid_to"):
        parsed, invalid = parse_datetimes(frame[f"{name}_raw"])
        frame[name] = parsed
        for _, r in frame[invalid].iterrows():
            rejects.append(
                {
                    "file": report.file,
                    "sheet": grid.sheet,
                    "row": int(r["source_row"]),
                    "column": name,
                    "value": str(r[f"{name}_raw"]),
                    "reason": "ngày không hợp lệ; để trống",
                    "action": "value_dropped",
                }
            )
    dup = frame.duplicated(["procedure_code", "procedure_key"], keep="first")
    if dup.any():
        report.warnings.append(f"{int(dup.sum())} thủ tục lặp lại trong danh mục; giữ dòng đầu tiên.")
        report.duplicates_in_file = int(dup.sum())
        frame = frame[~dup]
    # unit
    title = title_lines(grid, match.first_row)
    unit, source = resolve_unit(path, title, registry, None, raw_root, assume_unit, "danh mục thủ tục")
    report.unit_id, report.unit_name, report.unit_source = unit.unit_id, unit.full_name, source
    frame["unit_id"] = unit.unit_id
    frame["source_file"] = report.file
    report.rows_kept = len(frame) + report.duplicates_in_file
    report.rows_rejected = 0
    out = frame[CATALOGUE_COLUMNS].reset_index(drop=True)
    out["fee_amount"] = out["fee_amount"].astype("float64")
    rej = pd.DataFrame(rejects, columns=["file", "sheet", "row", "column", "value", "reason", "action"])
    return ReadResult(out, rej, report)


def _online_level(text: str) -> str | None:
    key = fold(text)
    if not key:
        return None
    for level, words in ONLINE_LEVELS.items():
        if any(key == w or key.startswith(w + " ") or f" {w}" in f" {key}" for w in words if len(w) > 1):
            return level
        if key in words:
            return level
    return None


def _fee(value) -> tuple[str, float, str]:
    """(kind, amount in đồng, text as written): kind is none, amount, by_regulation or unknown."""
    if (
        value is None
        or (isinstance(value, float) and np.isnan(value))
        or (isinstance(value, str) and not value.strip())
    ):
        return "none", 0.0, ""
    if isinstance(value, (int, float)):
        return ("amount" if value > 0 else "none"), float(value), str(value)
    text = to_unicode_many([str(value)])[0]
    key = fold(text)
    if key in {"khong", "mien", "mien phi", "khong thu", "khong co", "0"} or key.startswith(("khong ", "mien ")):
        return "none", 0.0, text
    if "theo quy dinh" in key or "theo luat" in key or "tuy theo" in key:
        return "by_regulation", float("nan"), text
    m = re.search(r"\d{1,3}(?:\.\d{3})+|\d+", text)
    if m:
        amount, invalid = parse_amounts(pd.Series([m.group(0)], dtype=object))
        if not invalid[0]:
            return "amount", float(amount[0]), text
    return "unknown", float("nan"), text


def link_to_catalogue(dossiers: pd.DataFrame, catalogue: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Attach to each dossier its catalogue entry (by procedure code, else by normalised name, within its unit).

    Returns the dossiers with ``catalogue_code``, ``catalogue_match`` ("code", "name" or None) and
    ``catalogue_fee_kind``, and a table of the procedures of dossiers that match no catalogue entry (with counts),
    for the units that have a catalogue.
    """
    out = dossiers.copy(deep=False)  # copy-on-write: only the three new columns are written
    out["catalogue_code"] = None
    out["catalogue_match"] = None
    out["catalogue_fee_kind"] = None
    if catalogue.empty or out.empty:
        return out, pd.DataFrame(columns=["unit_id", "procedure", "dossiers"])
    cat = catalogue.drop_duplicates(["unit_id", "procedure_key"])
    by_name = cat.set_index(["unit_id", "procedure_key"])
    keys = pd.MultiIndex.from_arrays([out["unit_id"], procedure_keys(out["procedure"])])
    name_hit = keys.isin(by_name.index)
    out.loc[name_hit, "catalogue_code"] = by_name.loc[keys[name_hit], "procedure_code"].to_numpy()
    out.loc[name_hit, "catalogue_fee_kind"] = by_name.loc[keys[name_hit], "fee_kind"].to_numpy()
    out.loc[name_hit, "catalogue_match"] = "name"
    coded = cat.dropna(subset=["procedure_code"]).drop_duplicates(["unit_id", "procedure_code"])
    if "procedure_code" in out and out["procedure_code"].notna().any() and not coded.empty:
        by_code = coded.set_index(["unit_id", "procedure_code"])
        ckeys = pd.MultiIndex.from_arrays([out["unit_id"], out["procedure_code"]])
        code_hit = ckeys.isin(by_code.index)
        out.loc[code_hit, "catalogue_code"] = by_code.loc[ckeys[code_hit]].index.get_level_values(1).to_numpy()
        out.loc[code_hit, "catalogue_fee_kind"] = by_code.loc[ckeys[code_hit], "fee_kind"].to_numpy()
        out.loc[code_hit, "catalogue_match"] = "code"
    with_catalogue = out["unit_id"].isin(cat["unit_id"].unique())
    missing = out[with_catalogue & out["catalogue_match"].isna()]
    unmatched = (
        missing.groupby(["unit_id", "procedure"])
        .size()
        .rename("dossiers")
        .reset_index()
        .sort_values(["unit_id", "dossiers"], ascending=[True, False])
    )
    return out, unmatched


def unused_procedures(linked: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Catalogue procedures of units that have dossiers, for which no dossier was received (per unit: how many,
    of how many). Informational: most communes receive dossiers for a few dozen of their ~140 procedures."""
    units = set(linked["unit_id"].unique()) if len(linked) else set()
    cat = catalogue[catalogue["unit_id"].isin(units)]
    if cat.empty:
        return pd.DataFrame(columns=["unit_id", "procedures", "without_dossiers"])
    used = linked.loc[linked["catalogue_match"].notna(), ["unit_id", "procedure"]]
    used_keys = set(zip(used["unit_id"], procedure_keys(used["procedure"]), strict=True))
    flag = [(u, k) not in used_keys for u, k in zip(cat["unit_id"], cat["procedure_key"], strict=True)]
    cat = cat.assign(_unused=flag)
    return (
        cat.groupby("unit_id")
        .agg(procedures=("procedure_key", "size"), without_dossiers=("_unused", "sum"))
        .reset_index()
    )
