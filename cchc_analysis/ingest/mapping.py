"""The user's mapping file: how to read layouts the reader cannot read alone (``cchc ingest --mapping FILE``).

Everything the reader infers can be stated instead, for every file or per file (a name or a glob pattern relative
to raw/): the kind of file, the sheet, the header rows (1 to 3 rows, 1-based), each field's column (a column
letter or the header's text), extra header wordings, value vocabularies (channel, status, payment, digitised),
the unit, the date order (``dmy`` or ``mdy``) and whether a stated total is checked. The file is validated as a
whole before anything is read; every error names its key. See docs/mapping.md (Vietnamese) for examples.
"""

from __future__ import annotations

import fnmatch
import itertools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from ..errors import UsageError
from ..text import fold

KINDS = ("dossier_list", "catalogue", "budget", "par")
DATE_ORDERS = ("dmy", "mdy")
VALUE_FIELDS = ("channel", "status", "payment_method", "digitised")
_LETTERS = re.compile(r"^[A-Za-z]{1,3}$")
_KEYS = {
    "kind",
    "sheet",
    "header_rows",
    "columns",
    "fields",
    "values",
    "unit",
    "date_order",
    "check_stated_total",
}


class MappingError(UsageError):
    """The mapping file is invalid: the message names the key and what it expects."""


@dataclass(frozen=True)
class FileMapping:
    """What the mapping says about one file (every key optional)."""

    kind: str | None = None
    sheet: str | None = None
    header_rows: tuple[int, ...] | None = None  # 1-based sheet rows, consecutive
    columns: dict[str, str] = field(default_factory=dict)  # field -> column letter or header text
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field -> extra header wordings
    values: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # field -> canonical -> wordings
    unit: str | None = None
    date_order: str | None = None
    check_stated_total: bool = True

    @property
    def empty(self) -> bool:
        return self == FileMapping()

    def over(self, base: FileMapping) -> FileMapping:
        """This file's entries over the mapping's common ones."""
        return replace(
            base,
            kind=self.kind or base.kind,
            sheet=self.sheet or base.sheet,
            header_rows=self.header_rows or base.header_rows,
            columns={**base.columns, **self.columns},
            fields={**base.fields, **self.fields},
            values={**base.values, **self.values},
            unit=self.unit or base.unit,
            date_order=self.date_order or base.date_order,
            check_stated_total=self.check_stated_total and base.check_stated_total,
        )

    def column_index(self, name: str, labels: list[str]) -> int | None:
        """The 0-based column the mapping gives ``name``: a letter, or the header text (folded, whole)."""
        where = self.columns[name]
        if _LETTERS.match(where):
            from openpyxl.utils import column_index_from_string

            return column_index_from_string(where.upper()) - 1
        key = fold(where)
        exact = [c for c, lab in enumerate(labels) if fold(lab) == key]
        if exact:
            return exact[0]
        inside = [c for c, lab in enumerate(labels) if key and key in fold(lab)]
        return inside[0] if len(inside) == 1 else None

    def placed(self, labels: list[str]) -> dict[str, int]:
        """Every field the mapping places, by its column index in a header with ``labels``."""
        out = {}
        for name in self.columns:
            index = self.column_index(name, labels)
            if index is not None:
                out[name] = index
        return out


@dataclass(frozen=True)
class Mapping:
    """The whole mapping file: common entries and per-file ones."""

    common: FileMapping = FileMapping()
    files: tuple[tuple[str, FileMapping], ...] = ()
    source: str = ""

    def for_file(self, rel: str) -> FileMapping:
        """The entries that apply to the file ``rel`` (its path under raw/, with "/")."""
        out = self.common
        for pattern, entry in self.files:
            if rel == pattern or fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(Path(rel).name, pattern):
                out = entry.over(out)
        return out

    @property
    def digest_source(self) -> str:
        return self.source


def load_mapping(path: Path | str | None, *, fields: set[str], registry=None) -> Mapping | None:
    """Read and validate a mapping file. ``fields``: the canonical fields a column may be mapped to; ``registry``:
    to check the units named. Raises :class:`MappingError` naming the key at fault."""
    if not path:
        return None
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        doc = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"Không đọc được tệp ánh xạ cột {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"Tệp ánh xạ cột {path} không phải YAML hợp lệ: {exc}") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise MappingError(f"{path}: cần một bảng khóa: giá trị (ví dụ columns: {{code: B}}).")
    where = str(path)
    if set(doc) and not set(doc) & (_KEYS | {"files"}):  # the first form: {field: [wordings]} at the top
        doc = {"fields": doc}
    files = doc.pop("files", None) or {}
    common = _entry(doc, where, fields, registry)
    if not isinstance(files, dict):
        raise MappingError(f"{where} › files: cần dạng 'tên tệp hoặc mẫu: {{…}}'.")
    per_file = tuple(
        (str(name).replace("\\", "/"), _entry(entry or {}, f"{where} › files › {name}", fields, registry))
        for name, entry in files.items()
    )
    return Mapping(common, per_file, text)


def _entry(doc: dict, where: str, fields: set[str], registry) -> FileMapping:
    if not isinstance(doc, dict):
        raise MappingError(f"{where}: cần một bảng khóa: giá trị.")
    unknown = sorted(set(doc) - _KEYS)
    if unknown:
        raise MappingError(
            f"{where}: khóa không hợp lệ {', '.join(unknown)}; các khóa hợp lệ: {', '.join(sorted(_KEYS))}."
        )
    kind = doc.get("kind")
    if kind is not None and kind not in KINDS:
        raise MappingError(f"{where} › kind: '{kind}' không hợp lệ; chọn một trong {', '.join(KINDS)}.")
    header_rows = doc.get("header_rows")
    if header_rows is not None:
        rows = header_rows if isinstance(header_rows, list) else [header_rows]
        if (
            not rows
            or len(rows) > 3
            or not all(isinstance(r, int) and not isinstance(r, bool) and r >= 1 for r in rows)
            or any(b != a + 1 for a, b in itertools.pairwise(rows))
        ):
            raise MappingError(
                f"{where} › header_rows: '{header_rows}' không hợp lệ; cần 1 đến 3 số dòng liên tiếp, đếm từ 1 "
                "như Excel (ví dụ [5] hoặc [4, 5, 6])."
            )
        header_rows = tuple(rows)
    columns = doc.get("columns") or {}
    if not isinstance(columns, dict):
        raise MappingError(f"{where} › columns: cần dạng 'trường: chữ cái cột hoặc tiêu đề cột'.")
    for name, value in columns.items():
        _check_field(name, fields, f"{where} › columns")
        if not isinstance(value, str) or not value.strip():
            raise MappingError(
                f"{where} › columns › {name}: '{value}' không hợp lệ; cần chữ cái cột (ví dụ J) hoặc tiêu đề cột "
                'đúng như trong tệp (ví dụ "Kênh tiếp nhận").'
            )
    extra = doc.get("fields") or {}
    if not isinstance(extra, dict):
        raise MappingError(f"{where} › fields: cần dạng 'trường: [tiêu đề cột, ...]'.")
    for name in extra:
        _check_field(name, fields, f"{where} › fields")
    values = doc.get("values") or {}
    if not isinstance(values, dict):
        raise MappingError(f"{where} › values: cần dạng 'channel: {{online: [Cổng DVC], direct: [Một cửa]}}'.")
    from .parse import value_vocabularies

    known = value_vocabularies()
    for name, table in values.items():
        if name not in VALUE_FIELDS:
            raise MappingError(
                f"{where} › values › {name}: trường không có từ điển giá trị; chọn một trong {', '.join(VALUE_FIELDS)}."
            )
        if not isinstance(table, dict):
            raise MappingError(f"{where} › values › {name}: cần dạng 'giá trị chuẩn: [cách viết, ...]'.")
        for canon in table:
            if str(canon) not in known[name]:
                raise MappingError(
                    f"{where} › values › {name} › {canon}: giá trị chuẩn không tồn tại; chọn một trong "
                    f"{', '.join(known[name])}."
                )
    unit = doc.get("unit")
    if unit is not None:
        unit = str(unit)
        if registry is not None:
            from ..errors import UnitLookupError

            try:
                registry.lookup(unit)
            except UnitLookupError as exc:
                raise MappingError(f"{where} › unit: {exc}") from None
    order = doc.get("date_order")
    if order is not None and order not in DATE_ORDERS:
        raise MappingError(
            f"{where} › date_order: '{order}' không hợp lệ; dmy (ngày/tháng/năm) hoặc mdy (tháng/ngày/năm)."
        )
    check = doc.get("check_stated_total", True)
    if not isinstance(check, bool):
        raise MappingError(f"{where} › check_stated_total: cần true hoặc false.")
    return FileMapping(
        kind=kind,
        sheet=str(doc["sheet"]) if doc.get("sheet") is not None else None,
        header_rows=header_rows,
        columns={str(k): str(v).strip() for k, v in columns.items()},
        fields={str(k): tuple(str(x) for x in (v if isinstance(v, list) else [v])) for k, v in extra.items()},
        values={
            str(k): {str(c): tuple(str(x) for x in (w if isinstance(w, list) else [w])) for c, w in t.items()}
            for k, t in values.items()
        },
        unit=unit,
        date_order=order,
        check_stated_total=check,
    )


def _check_field(name, fields: set[str], where: str) -> None:
    if name not in fields:
        raise MappingError(f"{where} › {name}: trường không tồn tại; các trường hợp lệ: {', '.join(sorted(fields))}.")
