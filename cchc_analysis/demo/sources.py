"""Demo procedure catalogues, budget execution reports and PAR-index scoring sheets."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..text import vn_int
from .dossiers import Procedure
from .exports import area_phrase
from .vocab import PAR_COMPONENTS
from .xlsx import workbook_bytes

# --- procedure catalogue ----------------------------------------------------------------------------


def fee_text(proc: Procedure) -> str:
    if proc.fee is None:
        return "Theo quy định"
    if proc.fee == 0:
        return "Không"
    return f"{vn_int(proc.fee)} đồng/trang" if proc.fee_per_page else f"{vn_int(proc.fee)} đồng"


def write_catalogue(unit_phrase: str, procedures: list[Procedure], as_of: dt.date) -> bytes:
    """The province system's export of a commune's procedure list, grouped by field with section rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh mục TTHC"
    ws["A1"] = "DANH MỤC THỦ TỤC HÀNH CHÍNH THUỘC THẨM QUYỀN GIẢI QUYẾT CỦA UBND CẤP XÃ"
    ws["A2"] = f"Đơn vị: UBND {unit_phrase}"
    ws["A3"] = f"(Cập nhật đến ngày {as_of:%d/%m/%Y})"
    ws["A1"].font = Font(bold=True)
    headers = [
        "STT",
        "Mã thủ tục",
        "Tên thủ tục hành chính",
        "Lĩnh vực",
        "Mức độ DVC",
        "Phí, lệ phí",
        "Cơ quan thực hiện",
    ]
    for j, h in enumerate(headers, start=1):
        ws.cell(row=5, column=j, value=h).font = Font(bold=True)
    r = 6
    fields: dict[str, list[Procedure]] = {}
    for p in procedures:
        fields.setdefault(p.field, []).append(p)
    roman = [
        "I",
        "II",
        "III",
        "IV",
        "V",
        "VI",
        "VII",
        "VIII",
        "IX",
        "X",
        "XI",
        "XII",
        "XIII",
        "XIV",
        "XV",
        "XVI",
        "XVII",
        "XVIII",
        "XIX",
        "XX",
        "XXI",
        "XXII",
        "XXIII",
        "XXIV",
    ]
    n = 0
    for k, (fld, procs) in enumerate(fields.items()):
        ws.cell(row=r, column=1, value=roman[k]).font = Font(bold=True)
        ws.cell(row=r, column=2, value=f"LĨNH VỰC {fld.upper()}").font = Font(bold=True)
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=7)
        r += 1
        for p in procs:
            n += 1
            level = {"toàn trình": "Toàn trình", "một phần": "Một phần"}.get(p.online_level, "")
            for j, v in enumerate([n, p.code, p.name, p.field, level, fee_text(p), "UBND cấp xã"], start=1):
                ws.cell(row=r, column=j, value=v).alignment = Alignment(wrap_text=j == 3)
            r += 1
    ws.cell(row=r, column=1, value=f"Tổng số: {n} thủ tục")
    return workbook_bytes(wb)


# --- budget execution ------------------------------------------------------------------------------
# (stt, name, code, share of the parent) in tree order; level = depth.
REVENUE_TREE = [
    (
        "A",
        "TỔNG THU NGÂN SÁCH XÃ",
        "",
        None,
        [
            (
                "I",
                "Các khoản thu xã hưởng 100%",
                "",
                0.12,
                [
                    ("1", "Phí, lệ phí", "2000", 0.25, []),
                    ("2", "Thu từ quỹ đất công ích và hoa lợi công sản", "3900", 0.55, []),
                    ("3", "Thu khác ngân sách", "4900", 0.20, []),
                ],
            ),
            (
                "II",
                "Các khoản thu phân chia theo tỷ lệ phần trăm",
                "",
                0.18,
                [
                    ("1", "Thuế sử dụng đất phi nông nghiệp", "1600", 0.30, []),
                    ("2", "Lệ phí trước bạ nhà, đất", "2800", 0.40, []),
                    ("3", "Thuế giá trị gia tăng, thu nhập doanh nghiệp hộ kinh doanh", "1700", 0.30, []),
                ],
            ),
            (
                "III",
                "Thu bổ sung từ ngân sách cấp trên",
                "",
                0.70,
                [
                    ("1", "Bổ sung cân đối ngân sách", "4600", 0.85, []),
                    ("2", "Bổ sung có mục tiêu", "4650", 0.15, []),
                ],
            ),
        ],
    ),
]
EXPENDITURE_TREE = [
    (
        "B",
        "TỔNG CHI NGÂN SÁCH XÃ",
        "",
        None,
        [
            (
                "I",
                "Chi đầu tư phát triển",
                "",
                0.14,
                [
                    ("1", "Chi đầu tư xây dựng cơ bản", "9300", 1.0, []),
                ],
            ),
            (
                "II",
                "Chi thường xuyên",
                "",
                0.84,
                [
                    ("1", "Chi quốc phòng", "010", 0.05, []),
                    ("2", "Chi an ninh, trật tự an toàn xã hội", "040", 0.04, []),
                    ("3", "Chi sự nghiệp giáo dục", "070", 0.03, []),
                    ("4", "Chi sự nghiệp văn hóa, thông tin", "160", 0.03, []),
                    ("5", "Chi sự nghiệp thể dục thể thao", "190", 0.02, []),
                    ("6", "Chi sự nghiệp kinh tế", "280", 0.10, []),
                    ("7", "Chi sự nghiệp bảo vệ môi trường", "250", 0.05, []),
                    (
                        "8",
                        "Chi quản lý nhà nước, Đảng, đoàn thể",
                        "340",
                        0.58,
                        [
                            ("8.1", "Quản lý nhà nước", "341", 0.62, []),
                            ("8.2", "Đảng Cộng sản Việt Nam", "351", 0.20, []),
                            ("8.3", "Mặt trận Tổ quốc và các đoàn thể", "361", 0.18, []),
                        ],
                    ),
                    ("9", "Chi đảm bảo xã hội", "370", 0.08, []),
                    ("10", "Chi khác", "430", 0.02, []),
                ],
            ),
            ("III", "Dự phòng ngân sách", "", 0.02, []),
        ],
    ),
]


def _split(total: int, shares: list[float], rng: random.Random, jitter: float = 0.15) -> list[int]:
    """Split an integer total into parts close to ``shares`` (jittered), summing exactly."""
    weights = [s * (1 + rng.uniform(-jitter, jitter)) for s in shares]
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass
class BudgetLine:
    stt: str
    name: str
    code: str
    level: int
    estimate: int
    monthly: list[int]  # actual in each month 1..12

    def cumulative(self, month: int) -> int:
        return sum(self.monthly[:month])


def build_budget_lines(tree, estimate_total: int, monthly_totals: list[int], rng: random.Random) -> list[BudgetLine]:
    """Lines of a revenue or expenditure tree: estimates and monthly actuals split top-down, parents exact."""
    lines: list[BudgetLine] = []

    def walk(nodes, estimate: int, months: list[int], level: int) -> None:
        shares = [n[3] for n in nodes]
        est_parts = _split(estimate, shares, rng)
        month_parts = [_split(m, shares, rng, jitter=0.3) for m in months]
        for k, (stt, name, code, _share, children) in enumerate(nodes):
            own = [mp[k] for mp in month_parts]
            lines.append(BudgetLine(stt, name, code, level, est_parts[k], own))
            if children:
                walk(children, est_parts[k], own, level + 1)

    root_stt, root_name, root_code, _s, children = tree[0]
    lines.append(BudgetLine(root_stt, root_name, root_code, 0, estimate_total, list(monthly_totals)))
    walk(children, estimate_total, monthly_totals, 1)
    return lines


def monthly_profile(anchor_month: int | None, anchor: int | None, year_total: int, rng: random.Random) -> list[int]:
    """Monthly actuals (12 values >= 0) of a year totalling ``year_total``.

    With an anchor, the running sum at the end of ``anchor_month`` is exactly ``anchor``.
    """
    curve = [0.06, 0.13, 0.21, 0.29, 0.37, 0.46, 0.54, 0.62, 0.70, 0.79, 0.89, 1.0]
    curve = [c * (1 + rng.uniform(-0.02, 0.02)) for c in curve[:-1]] + [1.0]
    curve = [max(curve[: i + 1]) for i in range(12)]
    if anchor_month is None or anchor is None:
        cum = [round(year_total * c) for c in curve]
    else:
        cm = curve[anchor_month - 1]
        cum = []
        for i, c in enumerate(curve):
            if i < anchor_month - 1:
                cum.append(round(anchor * c / cm))
            elif i == anchor_month - 1:
                cum.append(anchor)
            else:
                cum.append(anchor + round((max(year_total, anchor) - anchor) * (c - cm) / (1 - cm)))
    return [cum[0]] + [cum[i] - cum[i - 1] for i in range(1, 12)]


def write_budget_report(
    unit_phrase: str,
    district: str,
    year: int,
    month: int,
    revenue: list[BudgetLine],
    expenditure: list[BudgetLine],
    layout: str,
    million: bool = False,
    typo: tuple[str, int] | None = None,
) -> bytes:
    """A month's cumulative budget execution report in one of two layouts ("kbnn" or "ketoan")."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"T{month:02d}-{year}"
    last_day = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    if layout == "kbnn":
        ws["A1"] = f"KHO BẠC NHÀ NƯỚC {district.upper()}"
        ws["A2"] = f"Đơn vị: UBND {unit_phrase}"
        ws["A4"] = "BÁO CÁO TÌNH HÌNH THỰC HIỆN THU, CHI NGÂN SÁCH XÃ"
        ws["A5"] = f"Tháng {month} năm {year}"
        ws["A6"] = f"(Từ ngày 01/01/{year} đến ngày {last_day:%d/%m/%Y})"
        ws["F7"] = "Đơn vị tính: triệu đồng" if million else "Đơn vị tính: đồng"
        headers = [
            "STT",
            "Nội dung",
            "Mã số",
            "Dự toán năm",
            "Thực hiện trong tháng",
            "Lũy kế từ đầu năm",
            "So sánh lũy kế/dự toán (%)",
        ]
    else:
        ws["A1"] = f"UBND {unit_phrase.upper()}"
        ws["A3"] = f"BÁO CÁO THỰC HIỆN DỰ TOÁN THU, CHI NGÂN SÁCH {unit_phrase.upper()}"
        ws["A4"] = f"Từ ngày 01/01/{year} đến ngày {last_day:%d/%m/%Y}"
        ws["F5"] = "ĐVT: triệu đồng" if million else "ĐVT: đồng"
        headers = [
            "STT",
            "Chỉ tiêu",
            "Mã",
            "Dự toán HĐND giao",
            "Dự toán điều chỉnh",
            "Thực hiện kỳ này",
            "Lũy kế",
            "% so dự toán",
        ]
    hrow = 8 if layout == "kbnn" else 6
    for j, h in enumerate(headers, start=1):
        ws.cell(row=hrow, column=j, value=h).font = Font(bold=True)
    r = hrow + 1

    def money(v: int):
        return round(v / 1_000_000, 3) if million else v

    for line in revenue + expenditure:
        est = line.estimate
        cum = line.cumulative(month)
        if typo and typo[0] == line.name and typo[1] == month:
            cum += 1_000_000  # a keying error the reader must catch against the children
        in_month = line.monthly[month - 1]
        pct = round(cum / est * 100, 2) if est else None
        if layout == "kbnn":
            values = [line.stt, line.name, line.code, money(est), money(in_month), money(cum), pct]
        else:
            values = [line.stt, line.name, line.code, money(est), money(est), money(in_month), money(cum), pct]
        for j, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=j, value=v)
            if isinstance(v, (int, float)) and j >= 4:
                cell.number_format = "#,##0.000" if million and j < len(values) else "#,##0"
                if j == len(values):
                    cell.number_format = "0.00"
            if line.level <= 1:
                cell.font = Font(bold=True)
        r += 1
    signed = last_day + dt.timedelta(days=5)
    ws.cell(row=r + 1, column=5, value=f"Ngày {signed.day} tháng {signed.month} năm {signed.year}")
    ws.cell(row=r + 2, column=2, value="KẾ TOÁN")
    ws.cell(row=r + 2, column=5, value="CHỦ TỊCH UBND")
    return workbook_bytes(wb)


# --- PAR-index scoring sheet -------------------------------------------------------------------------


def write_par_sheet(
    year: int, area: str, decision: tuple[str, dt.date], units: list[str], scores: dict[str, list[int]], style: str
) -> bytes:
    """The PAR-index table of an ``area`` (the district, or the province since 2025) for ``year``: scores in
    thousandths of a point per component.

    ``style`` "max_row" puts the maxima in a "Điểm tối đa" row and writes scores as text with a decimal
    comma; "in_header" writes the maxima into the header ("(11,5 điểm)") and scores as numbers.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = f"Chỉ số CCHC {year}"
    number, date = decision
    communes = "CÁC XÃ, THỊ TRẤN" if area.startswith("Huyện") else "CÁC XÃ, PHƯỜNG"
    ws["A1"] = f"BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year} CỦA UBND {communes}"
    ws["A2"] = (
        f"(Kèm theo Quyết định số {number} ngày {date.day}/{date.month}/{date.year} của Chủ tịch UBND "
        f"{area_phrase(area)})"
    )
    ncomp = len(PAR_COMPONENTS)

    def num(v: float) -> str:
        return f"{v:g}".replace(".", ",")

    ws.cell(row=4, column=1, value="STT")
    ws.cell(row=4, column=2, value="Đơn vị")
    ws.cell(row=4, column=3, value="Điểm các lĩnh vực (chỉ số thành phần)")
    ws.merge_cells(start_row=4, start_column=3, end_row=4, end_column=2 + ncomp)
    ws.cell(row=4, column=3 + ncomp, value="Tổng điểm")
    ws.cell(row=4, column=4 + ncomp, value="Xếp hạng")
    for col in (1, 2, 3 + ncomp, 4 + ncomp):
        ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
    for k, (name, mx) in enumerate(PAR_COMPONENTS):
        label = name if style == "max_row" else f"{name} ({num(mx)} điểm)"
        ws.cell(row=5, column=3 + k, value=label)
    r = 6
    if style == "max_row":
        ws.cell(row=6, column=2, value="Điểm tối đa")
        for k, (_name, mx) in enumerate(PAR_COMPONENTS):
            ws.cell(row=6, column=3 + k, value=num(mx))
        ws.cell(row=6, column=3 + ncomp, value="100")
        r = 7
    totals = {u: sum(scores[u]) for u in units}
    ordered = sorted(units, key=lambda u: -totals[u])
    for i, u in enumerate(ordered, start=1):
        rank = 1 + sum(1 for v in units if totals[v] > totals[u])
        ws.cell(row=r, column=1, value=i)
        ws.cell(row=r, column=2, value=u)
        for k, s in enumerate(scores[u]):
            ws.cell(row=r, column=3 + k, value=_score(s, style))
        ws.cell(row=r, column=3 + ncomp, value=_score(totals[u], style))
        ws.cell(row=r, column=4 + ncomp, value=rank)
        r += 1
    ws.cell(row=r + 1, column=2, value="Người lập biểu")
    ws.cell(row=r + 1, column=7, value="TM. ỦY BAN NHÂN DÂN")
    ws.cell(row=r + 2, column=7, value="CHỦ TỊCH")
    return workbook_bytes(wb)


def _score(thousandths: int, style: str):
    if style == "max_row":
        whole, frac = divmod(thousandths, 1000)
        return f"{whole},{frac:03d}".rstrip("0").rstrip(",")
    return thousandths / 1000
