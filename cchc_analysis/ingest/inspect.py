"""What the reader sees in one file (``cchc inspect FILE``): its kind, sheets, header rows, each column's field with
the evidence for it and sample values (personal values masked), the unit and period found, the date order of each
date column, and what a trial read gives; and a starter mapping file that reads the file as the reader did, for
the user to correct.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import CchcError
from ..pseudonym import Pseudonymiser, mask
from ..registry import UnitRegistry
from .classify import KINDS, classify
from .evidence import profile
from .grid import read_grids
from .headers import onestop_vocabulary
from .mapping import FileMapping, Mapping
from .onestop import _letter, extend_vocabulary, file_mapping, find_dossier_header, plan_columns, read_onestop_export
from .units import lookup_unit_text

SAMPLES = 3


@dataclass
class ColumnView:
    letter: str
    header: str
    field: str | None  # the field read from it, or None
    label: str  # the field's Vietnamese label, or why nothing is read
    evidence: str
    samples: list[str]


@dataclass
class SheetView:
    name: str
    rows: int
    columns: int
    header_rows: list[int] = field(default_factory=list)  # 1-based
    data_start: int | None = None  # 1-based
    table: list[ColumnView] = field(default_factory=list)
    problem: str | None = None


@dataclass
class FileView:
    path: str
    kind: str
    sheets: list[SheetView]
    name: str = ""  # as the mapping file names it: the path below raw/, else the file name
    report: dict | None = None  # a trial read's report (dossier lists)
    error: str | None = None
    mapping: dict = field(default_factory=dict)  # a starter mapping file

    def text(self) -> str:
        """The view as the lines `cchc inspect` prints (Vietnamese)."""
        from ..text import format_table

        out = [f"Tệp: {self.path}", f"Loại: {KINDS.get(self.kind, self.kind)}"]
        for s in self.sheets:
            out.append(f"\nTrang '{s.name}': {s.rows} dòng × {s.columns} cột.")
            if s.problem:
                out.append(f"  {s.problem}")
            if not s.header_rows:
                continue
            rows = ", ".join(str(r) for r in s.header_rows)
            out.append(f"Dòng tiêu đề: {rows}; dữ liệu từ dòng {s.data_start}.")
            out.append(
                format_table(
                    ["Cột", "Tiêu đề", "Trường đọc", "Bằng chứng", "Giá trị mẫu"],
                    [
                        [
                            c.letter,
                            c.header,
                            f"{c.field} ({c.label})" if c.field else c.label,
                            c.evidence,
                            "; ".join(c.samples),
                        ]
                        for c in s.table
                    ],
                )
            )
        if self.report:
            r = self.report
            out.append("")
            if r.get("unit_name") or r.get("unit_ids"):
                from .units import SOURCE_LABELS

                source = SOURCE_LABELS.get(r.get("unit_source") or "", r.get("unit_source") or "")
                names = r.get("unit_name") or f"{len(r['unit_ids'])} đơn vị ({', '.join(r['unit_ids'])})"
                out.append(f"Đơn vị: {names} (từ {source}).")
            if r.get("period_start"):
                source = "dòng tiêu đề" if r.get("period_source") == "title" else "ngày tiếp nhận trong dữ liệu"
                out.append(f"Kỳ: {_day(r['period_start'])}–{_day(r['period_end'])} (từ {source}).")
            for col, order in (r.get("date_orders") or {}).items():
                shown = {"dmy": "ngày/tháng/năm", "mdy": "tháng/ngày/năm", "conflict": "LẪN LỘN, bỏ cột"}[order]
                out.append(f"Thứ tự ngày của cột «{col}»: {shown}.")
            if r.get("encoding"):
                out.append(f"Mã hóa ký tự: {r['encoding']}.")
            out.append(
                f"Đọc thử: {r['rows_read']} dòng hồ sơ, {r['rows_kept']} giữ lại, {r['rows_rejected']} bị loại, "
                f"{r['rows_skipped']} dòng khác (trống, tiêu đề lặp, mục, dòng cộng, chữ ký)"
                + (f"; tổng ghi trong bảng: {r['stated_total']}." if r.get("stated_total") is not None else ".")
            )
            for w in r.get("warnings") or []:
                out.append(f"  ! {w}")
        if self.error:
            out.append(f"\nTỆP SẼ BỊ TỪ CHỐI: {self.error}")
        return "\n".join(out) + "\n"


def _day(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def inspect_file(
    path: Path | str,
    registry: UnitRegistry,
    *,
    raw_root: Path | str | None = None,
    mapping: Mapping | FileMapping | None = None,
    assume_unit: str | None = None,
) -> FileView:
    """What the reader sees in ``path`` (see the module docstring). Nothing is written to the store."""
    path = Path(path)
    rel = path.relative_to(raw_root).as_posix() if raw_root and path.is_relative_to(raw_root) else path.name
    fmap = file_mapping(mapping, rel)
    try:
        grids = read_grids(path, columnar=False)
    except CchcError as exc:
        return FileView(str(path), "unknown", [], rel, error=str(exc))
    kind = classify(grids, fmap)
    view = FileView(str(path), kind, [SheetView(g.sheet, g.height, g.width) for g in grids], rel)
    if kind != "dossier_list":
        if kind == "unknown":
            view.error = (
                "không nhận ra loại tệp; nếu là danh sách hồ sơ, xem các cột dưới đây và khai báo trong --mapping"
            )
        vocab = onestop_vocabulary()
    else:
        vocab = extend_vocabulary(onestop_vocabulary(), fmap.fields)
    personal = vocab.personal_fields()
    for grid, sheet in zip(grids, view.sheets, strict=True):
        match = find_dossier_header(grid, vocab, fmap)
        if match is None:
            sheet.problem = "không tìm thấy dòng tiêu đề cột của danh sách hồ sơ."
            continue
        sheet.header_rows = list(range(match.first_row + 1, match.first_row + match.n_rows + 1))
        sheet.data_start = match.data_start + 1
        try:
            plan = plan_columns(grid, match, vocab, registry)
        except CchcError as exc:
            sheet.problem = str(exc)
            continue
        fields_of = {c: n for n, c in plan.columns.items()} | {c: n for n, c in plan.recognised.items()}
        width = max(len(match.labels), max(fields_of, default=-1) + 1)
        for c in range(width):
            header = match.labels[c] if c < len(match.labels) else ""
            name = fields_of.get(c)
            column = grid.text_column(c, match.data_start)
            seen = plan.profiles.get(c) or profile(column, lambda t: lookup_unit_text(t, registry, None) is not None)
            values = [v for v in column.head(200).tolist() if isinstance(v, str) and v.strip()]
            samples = list(dict.fromkeys(values))[:SAMPLES]
            if name in personal:
                samples = [mask(v) for v in samples]
            if not header and not values:
                continue
            if name is None:
                label = "— (không đọc)"
            elif name in vocab.unread:
                label, name = f"nhận ra là «{vocab.spec(name).label}», không đọc", None
            else:
                label = vocab.spec(name).label + (", dữ liệu cá nhân: chỉ lấy khóa bí danh" if name in personal else "")
            evidence = ("theo tệp ánh xạ; " if match.fixed.get(name) == c else "") + seen.describe()
            sheet.table.append(ColumnView(_letter(c), header, name, label, evidence, samples))
        if kind == "dossier_list" and not view.mapping:
            view.mapping = {
                "header_rows": sheet.header_rows,
                "columns": {n: _letter(c) for n, c in sorted(plan.columns.items(), key=lambda kv: kv[1])},
            }
    if kind == "dossier_list":
        try:
            result = read_onestop_export(
                path,
                registry,
                Pseudonymiser(b"cchc-inspect-throwaway-key"),
                raw_root=raw_root,
                assume_unit=assume_unit,
                mapping=fmap,
                grids=grids,
                sha256="",
            )
            view.report = result.report.as_dict()
            if result.report.unit_id and not fmap.unit:
                view.mapping["unit"] = result.report.unit_name
            orders = set((result.report.date_orders or {}).values()) - {"conflict"}
            if len(orders) == 1:
                view.mapping["date_order"] = orders.pop()
        except CchcError as exc:
            view.error = str(exc)
    return view


def starter_mapping(view: FileView) -> str:
    """A mapping file for ``view``'s file, with comments, in YAML."""
    head = (
        "# Tệp ánh xạ mẫu do `cchc inspect` ghi: bộ đọc hiểu tệp như dưới đây. Sửa cho đúng rồi dùng với\n"
        "#   cchc ingest --mapping TỆP_NÀY\n"
        "# header_rows: các dòng tiêu đề (đếm từ 1 như Excel); columns: cột của từng trường (chữ cái cột hoặc tiêu\n"
        "# đề cột); unit: đơn vị của tệp; date_order: dmy (ngày/tháng/năm) hoặc mdy (tháng/ngày/năm).\n"
        "# Xem docs/mapping.md.\n"
    )
    return head + yaml.safe_dump(
        {"files": {view.name: view.mapping}}, allow_unicode=True, sort_keys=False, default_flow_style=None
    )
