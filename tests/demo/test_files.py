"""The generated raw files: layouts, the seed figures read back from them, personal-data shapes, determinism."""

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter

import pytest
from openpyxl import load_workbook

from cchc_analysis.demo import generate_demo_data
from cchc_analysis.registry import UnitRegistry
from cchc_analysis.text import fold

pytestmark = pytest.mark.slow


def sheet_rows(path):
    wb = load_workbook(path, read_only=True, data_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    return rows


def text_date(value):
    return dt.datetime.strptime(value[:10], "%d/%m/%Y").date() if value else None


def vn_number(text):
    return int(text.replace(".", "")) if text else 0


# --- Thanh Giang read back from its exports ----------------------------------------------------------


@pytest.fixture(scope="module")
def tg_dossiers(demo_dir):
    """Thanh Giang's 2022 Q4 to 2023 Q3 exports plus the overlapping August export, one row per code,
    the row of the latest export winning."""
    folder = demo_dir / "raw" / "thanh-giang" / "mot-cua"
    files = sorted(folder.glob("DanhSachHoSo_202[23]-*.xlsx"), key=lambda p: p.name.split("_")[2])
    latest: dict[str, dict] = {}
    for path in files:
        if path.name < "DanhSachHoSo_2022-10-01" or path.name > "DanhSachHoSo_2023-07-01_2023-09-30.xlsx":
            continue
        rows = sheet_rows(path)
        header = rows[6]
        for r in rows[7:]:
            if not isinstance(r[0], (int, float)):
                break
            latest[r[1]] = dict(zip(header, r, strict=True))
    return list(latest.values())


def test_seed_figures_from_the_raw_files(tg_dossiers):
    start, end = dt.date(2023, 1, 1), dt.date(2023, 8, 31)
    rows = [d for d in tg_dossiers if d["Trạng thái"] != "Không được tiếp nhận"]
    for d in rows:
        d["recv"], d["due"], d["fin"] = (
            text_date(d[k]) for k in ("Ngày tiếp nhận", "Ngày hẹn trả", "Ngày kết thúc xử lý")
        )
    new = [d for d in rows if start <= d["recv"] <= end]
    carried = [d for d in rows if d["recv"] < start and (d["fin"] is None or d["fin"] >= start)]
    assert Counter(d["Hình thức nộp"] for d in new) == {"Trực tuyến": 2389, "Trực tiếp": 126}
    assert len(carried) == 12
    withdrawn = {"Công dân yêu cầu rút hồ sơ", "Trả lại"}
    resolved = [d for d in rows if d["Trạng thái"] not in withdrawn and d["fin"] and start <= d["fin"] <= end]
    assert len(resolved) == 2521
    assert sum(d["fin"] < d["due"] for d in resolved) == 2515
    assert sum(d["fin"] == d["due"] for d in resolved) == 6
    pending = [d for d in rows if d["recv"] <= end and (d["fin"] is None or d["fin"] > end)]
    assert len(pending) == 5 and all(d["due"] >= end for d in pending)
    assert sum(d["Trạng thái"] in withdrawn and start <= d["fin"] <= end for d in rows) == 1
    summer = [d for d in new if d["recv"] >= dt.date(2023, 6, 1)]
    fee = [d for d in summer if vn_number(d["Phí, lệ phí (đồng)"]) > 0]
    assert (len(fee), sum(d["Hình thức thanh toán"] == "Trực tuyến" for d in fee)) == (1258, 1152)
    assert len({d["Tên thủ tục hành chính"] for d in new if d["Hình thức nộp"] == "Trực tuyến"}) == 18


def test_stated_totals_match_the_rows(demo_dir):
    path = demo_dir / "raw" / "thanh-giang" / "mot-cua" / "DanhSachHoSo_2023-07-01_2023-09-30.xlsx"
    rows = sheet_rows(path)
    data = [r for r in rows[7:] if isinstance(r[0], (int, float))]
    total = next(r[0] for r in rows if isinstance(r[0], str) and r[0].startswith("Tổng cộng"))
    assert total == f"Tổng cộng: {len(data):,} hồ sơ".replace(",", ".")
    assert rows[1][0] == "ỦY BAN NHÂN DÂN XÃ THANH GIANG"
    assert rows[4][0] == "Từ ngày 01/07/2023 đến ngày 30/09/2023"


def test_catalogue_of_thanh_giang_has_139_procedures(demo_dir):
    rows = sheet_rows(demo_dir / "raw" / "thanh-giang" / "danh-muc-tthc.xlsx")
    procs = [r for r in rows[5:] if isinstance(r[0], (int, float))]
    assert len(procs) == 139
    assert len({r[1] for r in procs}) == 139
    sections = [r for r in rows[5:] if isinstance(r[0], str) and r[1] and str(r[1]).startswith("LĨNH VỰC")]
    assert len(sections) >= 10
    assert {r[5] for r in procs} >= {"Không", "2.000 đồng/trang", "Theo quy định"}


# --- budget and PAR -----------------------------------------------------------------------------------


def budget_lines(path):
    rows = sheet_rows(path)
    start = next(i for i, r in enumerate(rows) if r[0] == "STT")
    return rows, [r for r in rows[start + 1 :] if r[0] is not None and r[1]]


def test_budget_of_thanh_giang_as_of_31_08_2023(demo_dir):
    rows, lines = budget_lines(demo_dir / "raw" / "thanh-giang" / "ngan-sach" / "BC_thu_chi_NS_2023_08.xlsx")
    flat = " | ".join(str(c) for r in rows[:8] for c in r if c)
    assert "Từ ngày 01/01/2023 đến ngày 31/08/2023" in flat and "đồng" in flat
    by_name = {r[1]: r for r in lines}
    est_col, cum_col = 3, (5 if len(lines[0]) == 7 else 6)
    revenue = by_name["TỔNG THU NGÂN SÁCH XÃ"]
    spending = by_name["TỔNG CHI NGÂN SÁCH XÃ"]
    assert (revenue[est_col], revenue[cum_col]) == (5_599_554_000, 4_246_019_295)
    assert (spending[est_col], spending[cum_col]) == (5_534_154_000, 3_371_767_922)


def _children_mismatches(lines, col):
    """(parent, parent amount, sum of children) where an A/I/1/1.1 parent differs from its children."""

    def level(stt):
        if re.fullmatch(r"[AB]", stt):
            return 0
        if re.fullmatch(r"[IVX]+", stt):
            return 1
        return 1 + stt.count(".") + 1

    out = []
    for i, r in enumerate(lines):
        lv = level(str(r[0]))
        kids = []
        for s in lines[i + 1 :]:
            ls = level(str(s[0]))
            if ls <= lv:
                break
            if ls == lv + 1:
                kids.append(s[col])
        if kids and sum(kids) != r[col]:
            out.append((r[1], r[col], sum(kids)))
    return out


def test_budget_children_add_up_except_the_planted_typo(demo_dir):
    raw = demo_dir / "raw"
    for path in [
        raw / "thanh-giang" / "ngan-sach" / "BC_thu_chi_NS_2023_08.xlsx",
        raw / "lam-son" / "ngan-sach" / "BC_thu_chi_NS_2022_12.xlsx",
    ]:
        _rows, lines = budget_lines(path)
        assert _children_mismatches(lines, 3) == []
    _rows, lines = budget_lines(raw / "ngu-hung" / "ngan-sach" / "BC_thu_chi_NS_2023_05.xlsx")
    cum_col = 5 if len(lines[0]) == 7 else 6
    mismatches = {name: parent - children for name, parent, children in _children_mismatches(lines, cum_col)}
    # the mistyped subtotal disagrees with its children, and so the grand total with the subtotals
    assert mismatches == {"Chi thường xuyên": 1_000_000, "TỔNG CHI NGÂN SÁCH XÃ": -1_000_000}


def test_one_unit_reports_in_million_dong(demo_dir):
    rows, _lines = budget_lines(demo_dir / "raw" / "chi-lang-nam" / "ngan-sach" / "BC_thu_chi_NS_2023_08.xlsx")
    assert any("triệu đồng" in str(c) for r in rows[:8] for c in r if c)


def test_par_2022_sheet(demo_dir):
    rows = sheet_rows(demo_dir / "raw" / "huyen-thanh-mien" / "ChiSoCCHC_2022_cac_xa_thi_tran.xlsx")
    assert "957/QĐ-UBND ngày 28/3/2023" in rows[1][0]
    header = rows[4]
    egov = next(j for j, h in enumerate(header) if h and "chính quyền điện tử" in h)
    assert rows[5][1] == "Điểm tối đa" and rows[5][egov] == "11,5"
    units = [r for r in rows[6:] if isinstance(r[0], (int, float))]
    assert len(units) == 17
    score = {r[1]: float(r[egov].replace(",", ".")) for r in units}
    assert rows[next(i for i, r in enumerate(rows) if r[1] == "Xã Thanh Giang")][egov] == "8,417"
    rank = 1 + sum(v > score["Xã Thanh Giang"] for v in score.values())
    assert rank == 11
    totals = Counter(r[-2] for r in units)
    assert max(totals.values()) >= 2  # a tie somewhere
    # the official rank column uses competition ranks
    tied_total = next(t for t, n in totals.items() if n >= 2)
    assert len({r[-1] for r in units if r[-2] == tied_total}) == 1


def test_par_2021_sheet_has_maxima_in_the_header(demo_dir):
    rows = sheet_rows(demo_dir / "raw" / "huyen-thanh-mien" / "ChiSoCCHC_2021_cac_xa_thi_tran.xlsx")
    assert any(h and h.endswith("(11,5 điểm)") for h in rows[4])
    assert isinstance(rows[5][2], float)


# --- layouts, encodings, personal data ------------------------------------------------------------------


def test_three_vendor_layouts(demo_dir):
    raw = demo_dir / "raw"
    html = (raw / "ngu-hung" / "mot-cua" / "ThongKeHoSo_202307_202309.xls").read_bytes()
    assert html.lstrip().startswith(b"<html") and b"<table" in html
    wb = load_workbook(raw / "lam-son" / "mot-cua" / "BaoCaoChiTietHoSo_Q3_2023.xlsx")
    ws = wb.active
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A6:A7", "B6:D6", "F6:I6", "J6:M6"} <= merged
    assert ws["E7"].value is None  # the blank column
    assert isinstance(ws["J8"].value, dt.datetime)  # real Excel dates
    a = sheet_rows(raw / "thanh-giang" / "mot-cua" / "DanhSachHoSo_2023-01-01_2023-03-31.xlsx")
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", a[7][7])  # dates as text


def test_header_repeated_on_later_pages_in_layout_b(demo_dir):
    big = max((demo_dir / "raw").glob("*/mot-cua/BaoCaoChiTietHoSo_*.xlsx"), key=lambda p: p.stat().st_size)
    rows = sheet_rows(big)
    assert sum(1 for r in rows if r[0] == "STT") >= 2


def test_legacy_tcvn3_and_nfd_units(demo_dir):
    raw = demo_dir / "raw"
    path = raw / "hong-phong" / "mot-cua" / "DanhSachHoSo_2023-07-01_2023-09-30.xlsx"
    wb = load_workbook(path)
    ws = wb.active
    assert ws["A2"].value == "ñY BAN NH\u00a2N D\u00a2N X\u00b7 HåNG PHONG"  # "ỦY BAN NHÂN DÂN XÃ HỒNG PHONG" in TCVN3
    assert ws["C8"].font.name == ".VnTime"
    rows = sheet_rows(raw / "lam-son" / "mot-cua" / "BaoCaoChiTietHoSo_Q3_2023.xlsx")
    assert any(unicodedata.combining(ch) for ch in rows[1][0])
    assert not unicodedata.is_normalized("NFC", rows[1][0])


def test_personal_data_is_fake_but_well_formed(demo_dir):
    rows = sheet_rows(demo_dir / "raw" / "lam-son" / "mot-cua" / "BaoCaoChiTietHoSo_Q3_2023.xlsx")
    data = [r for r in rows[7:] if isinstance(r[0], (int, float))]
    names = {unicodedata.normalize("NFC", r[5]) for r in data}
    unit_keys = [fold(u.name) for u in UnitRegistry.shipped(scope="Huyện Thanh Miện")]
    assert not any(k in fold(n) for n in names for k in unit_keys)
    assert all(re.fullmatch(r"030\d{9}", r[6]) for r in data)  # CCCD kept as 12-digit text
    assert all(re.fullmatch(r"0\d{9}", r[7]) for r in data)


def test_volumes_vary_between_units(demo_dir):
    sizes = {}
    for folder in (demo_dir / "raw").iterdir():
        if (folder / "mot-cua").is_dir():
            sizes[folder.name] = sum(p.stat().st_size for p in (folder / "mot-cua").iterdir())
    assert len(sizes) == 17 + 5  # the district's units and the communes they became on 01/07/2025
    assert max(sizes.values()) > 10 * min(sizes.values())  # one very small unit


def test_reruns_are_byte_identical(tmp_path):
    first = generate_demo_data(tmp_path / "a", only=["Thanh Giang"])
    second = generate_demo_data(tmp_path / "b", only=["Thanh Giang"])

    def digests(result, root):
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in result.files}

    assert digests(first, tmp_path / "a") == digests(second, tmp_path / "b")
    again = generate_demo_data(tmp_path / "a", only=["Thanh Giang"])
    assert again.written == [] and len(again.unchanged) == len(first.files)
