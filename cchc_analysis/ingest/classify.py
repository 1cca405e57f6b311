"""Deciding what an input file is: dossier list, procedure catalogue, budget report, PAR sheet, manual input."""

from __future__ import annotations

from ..text import fold, to_unicode_many
from .grid import Grid
from .headers import detect_header, onestop_vocabulary

KINDS = {
    "dossier_list": "Danh sách hồ sơ một cửa",
    "catalogue": "Danh mục thủ tục hành chính",
    "budget": "Báo cáo thực hiện ngân sách",
    "par": "Bảng điểm chỉ số CCHC",
    "manual_input": "Biểu nhập số liệu thủ công",
    "not_table": "Không phải bảng dữ liệu",
    "unknown": "Không xác định",
}
MANUAL_INPUT_MARKER = "cchc-bieu-nhap-lieu"  # written by `cchc template` into a hidden sheet


def _text(grid: Grid, rows: int = 40) -> str:
    cells = [c for r in grid.head(rows) for c in r if isinstance(c, str) and c.strip()]
    return " | ".join(fold(t) for t in to_unicode_many(cells))


def classify(grids: list[Grid], fmap=None) -> str:
    """The kind of an export, from its sheet names, title rows and header words (see :data:`KINDS`), unless the
    user's mapping (:class:`~cchc_analysis.ingest.mapping.FileMapping`) says it, or places a dossier list's
    columns."""
    if fmap is not None and fmap.kind:
        return fmap.kind
    if fmap is not None and {"code", "received_at"} <= set(fmap.columns):
        return "dossier_list"
    names = {fold(g.sheet) for g in grids}
    if fold(MANUAL_INPUT_MARKER) in names:
        return "manual_input"
    for grid in grids:
        text = _text(grid)
        if "chi so cai cach hanh chinh" in text or ("tong diem" in text and ("xep hang" in text or "xep thu" in text)):
            return "par"
        if "du toan" in text and ("luy ke" in text or "thuc hien" in text):
            return "budget"
        vocab = onestop_vocabulary()
        if fmap is not None and fmap.fields:
            from .onestop import extend_vocabulary

            vocab = extend_vocabulary(vocab, fmap.fields)
        match = detect_header(grid, vocab)
        if match and {"code", "received_at"} <= set(match.columns):
            return "dossier_list"
        if "danh muc thu tuc" in text or ("ma thu tuc" in text and ("muc do" in text or "phi" in text)):
            return "catalogue"
    return "unknown"
