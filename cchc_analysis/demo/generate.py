"""Write the demo's raw exports into DIR/raw/: the 17 units of Thanh Miện from 2022-01-01 to their last day,
2025-06-30, and the five communes of Hải Phòng they became, from 2025-07-01 to 2026-09-30; or (the province demo)
every commune of Hải Phòng since 2025-07-01.

Everything is fictitious but shaped like real exports; Thanh Giang's files reproduce the seed report's
figures for 01/01-31/08/2023. Output is deterministic: the same bytes on every run.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..fileio import write_if_changed
from ..parallel import fork_map
from ..registry import Unit, UnitRegistry
from .dossiers import PeopleFactory, Procedure, Segment, UnitProfile, province_procedures, simulate_segment
from .exports import ExportSpec, select_for_export, view_at, write_vendor_a, write_vendor_b, write_vendor_c
from .sources import (
    EXPENDITURE_TREE,
    REVENUE_TREE,
    build_budget_lines,
    monthly_profile,
    write_budget_report,
    write_catalogue,
    write_par_sheet,
)
from .vocab import PAR_COMPONENTS, THANH_GIANG_ONLINE

log = logging.getLogger(__name__)

DEMO_GROUP = "Huyện Thanh Miện"
DISTRICT = "Thanh Miện"
PROVINCE = "Thành phố Hải Phòng"  # the 17 units' province since 01/07/2025 (DOMAIN.md)
SEED_UNIT = "Thanh Giang"
START = dt.date(2022, 1, 1)
MERGED_ON = dt.date(2025, 7, 1)  # the district's units end the day before
# the last complete quarter when the demo was extended; fixed, so that the files stay the same from run to run
END = dt.date(2026, 9, 30)
PAYMENT_TRACKED_FROM = dt.date(2023, 6, 1)
VERY_SMALL_UNIT = "Tân Trào"
TCVN3_UNIT = "Hồng Phong"
NFD_UNIT = "Lam Sơn"
HTML_UNITS = ("Ngũ Hùng", "Cao Thắng", "Đoàn Kết", "Lê Hồng", "Chi Lăng Bắc")
TWO_ROW_UNITS = (NFD_UNIT, "Thanh Tùng", "Phạm Kha", "Tứ Cường", "Ngô Quyền", "Hồng Quang")
MILLION_UNIT = "Chi Lăng Nam"  # budget reports in triệu đồng
BUDGET_TYPO = ("Ngũ Hùng", 2023, 5, "Chi thường xuyên")  # a subtotal keyed wrong by 1,000,000 đồng
PAR_DECISIONS = {
    2021: ("812/QĐ-UBND", dt.date(2022, 3, 25)),
    2022: ("957/QĐ-UBND", dt.date(2023, 3, 28)),
    2023: ("1034/QĐ-UBND", dt.date(2024, 3, 27)),
    2024: ("688/QĐ-UBND", dt.date(2025, 3, 26)),
}
PROVINCE_PAR_DECISION = (2025, "905/QĐ-UBND", dt.date(2026, 3, 30))  # Hải Phòng scores its communes for 2025

# Thanh Giang, 01/01-31/08/2023, as the seed report states it (see docs/demo-data.md for the arithmetic).
SEED_BUDGET = {
    "revenue_estimate": 5_599_554_000,
    "revenue_actual_aug": 4_246_019_295,
    "expenditure_estimate": 5_534_154_000,
    "expenditure_actual_aug": 3_371_767_922,
}
SEED_PAR_EGOV_2022 = 8417  # thousandths of a point, of 11.5


@dataclass
class DemoResult:
    """What a generator run did: files written, files already identical, and all files of the demo."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)

    def put(self, path: Path, data: bytes) -> None:
        """Write ``data`` to ``path`` unless the file already holds exactly these bytes."""
        (self.written if write_if_changed(path, data) else self.unchanged).append(path)

    @property
    def files(self) -> list[Path]:
        return sorted(self.written + self.unchanged)


def _district(unit: Unit, name: str) -> bool:
    """Whether ``unit`` is the demo district's unit ``name`` (a commune elsewhere may share the name)."""
    return unit.name == name and unit.group == DEMO_GROUP


def _rng(*parts: object) -> random.Random:
    return random.Random(zlib.crc32(":".join(str(p) for p in parts).encode("utf-8")))


# The demo folder's area: the national registry narrowed to the district and the units linked to it in 2025.
UNITS_YAML_HEAD = "# Khu vực của thư mục dữ liệu: huyện/tỉnh trong danh mục đơn vị quốc gia (docs/registry.md).\n"
DEMO_UNITS_YAML = f"{UNITS_YAML_HEAD}scope: {DEMO_GROUP}\n"


def demo_units(registry: UnitRegistry | None = None) -> list[Unit]:
    """The 17 units of the demo district (Thanh Miện before 07/2025)."""
    registry = registry or UnitRegistry.shipped(scope=DEMO_GROUP)
    return registry.units(group=DEMO_GROUP)


def vendor_of(unit: Unit) -> tuple[str, str]:
    """(layout, text encoding) of a unit's dossier exports."""
    if unit.name in HTML_UNITS:
        return "C", "unicode"
    if unit.name in TWO_ROW_UNITS:
        return "B", "nfd" if unit.name == NFD_UNIT else "unicode"
    return "A", "tcvn3" if unit.name == TCVN3_UNIT else "unicode"


def unit_catalogue(unit: Unit, procedures: list[Procedure]) -> list[Procedure]:
    """A unit's catalogue: all base procedures but a few, plus some special cases; Thanh Giang has 139."""
    rng = _rng(unit.unit_id, "catalogue")
    base = [p for p in procedures if p.index < 88]
    variants = [p for p in procedures if p.index >= 88]
    if _district(unit, SEED_UNIT):
        return base + variants[:51]
    protected = set(THANH_GIANG_ONLINE)
    droppable = [p for p in base if p.index not in protected and p.weight <= 0.05]
    dropped = set(p.index for p in rng.sample(droppable, rng.randint(0, 6)))
    size = rng.randint(40, 57)
    return [p for p in base if p.index not in dropped] + variants[:size]


# --- dossiers ---------------------------------------------------------------------------------------


def thanh_giang_segments() -> list[Segment]:
    """Segments whose counts give the seed report's figures for 01/01-31/08/2023."""
    online = list(THANH_GIANG_ONLINE)
    return [
        # 2022: 12 left pending at 31/12/2022, all due in January 2023 (the carried-over dossiers).
        Segment(
            dt.date(2022, 1, 1),
            dt.date(2022, 12, 31),
            n_online=2770,
            n_direct=530,
            n_on_time=21,
            n_late=4,
            n_withdrawn=3,
            n_returned=2,
            n_not_accepted=4,
            n_pending_end=12,
        ),
        # 01/01-31/05/2023: 1,115 new (1,045 online, 70 direct); 1 withdrawn; 3 on the due day;
        # 8 still open at 31/05 that finish early in June.
        Segment(
            dt.date(2023, 1, 1),
            dt.date(2023, 5, 31),
            n_online=1045,
            n_direct=70,
            n_on_time=3,
            n_withdrawn=1,
            n_not_accepted=2,
            n_pending_end=8,
            online_procedures=online,
            month_weights={1: 230, 2: 190, 3: 240, 4: 215, 5: 240},
        ),
        # 01/06-31/08/2023: 1,400 new (1,344 online, 56 direct); 3 on the due day; 5 pending at 31/08
        # within their deadline; 1,258 owe a fee, 1,152 of them paid online.
        Segment(
            dt.date(2023, 6, 1),
            dt.date(2023, 8, 31),
            n_online=1344,
            n_direct=56,
            n_on_time=3,
            n_not_accepted=1,
            n_pending_end=5,
            n_fee=1258,
            n_paid_online=1152,
            online_procedures=online,
            month_weights={6: 470, 7: 480, 8: 450},
        ),
        Segment(
            dt.date(2023, 9, 1),
            dt.date(2023, 12, 31),
            n_online=1130,
            n_direct=70,
            n_on_time=9,
            n_late=3,
            n_withdrawn=2,
            n_returned=1,
            n_not_accepted=2,
            n_pending_end=7,
        ),
        # after the seed's period: 2024, and 2025 up to the unit's last day (nothing left open at 30/06/2025)
        Segment(
            dt.date(2024, 1, 1),
            dt.date(2024, 12, 31),
            n_online=3590,
            n_direct=160,
            n_on_time=11,
            n_late=2,
            n_withdrawn=3,
            n_returned=2,
            n_not_accepted=3,
            n_pending_end=9,
        ),
        Segment(
            dt.date(2025, 1, 1),
            dt.date(2025, 6, 30),
            n_online=1880,
            n_direct=60,
            n_on_time=4,
            n_late=1,
            n_withdrawn=1,
            n_returned=1,
            n_not_accepted=1,
        ),
    ]


def yearly_volume(unit: Unit, rng: random.Random | None = None) -> int:
    """About how many dossiers a district unit receives in a year: the first draw of its segments' generator."""
    if _district(unit, SEED_UNIT):
        return 3700
    if _district(unit, VERY_SMALL_UNIT):
        return 60
    return (rng or _rng(unit.unit_id, "segments")).randint(300, 4000)


def _segment(rng: random.Random, n: int, online: float, start: dt.date, end: dt.date, open_at_end: bool = True):
    """A period's counts for ``n`` new dossiers, ``online`` of them online; ``open_at_end`` False leaves none
    unfinished at ``end``."""
    n_online = round(n * max(online, 0.3))
    late_rate = rng.choice([0.0, 0.002, 0.005, 0.01, 0.02, 0.04])
    seg = Segment(
        start,
        end,
        n_online=n_online,
        n_direct=n - n_online,
        n_postal=1 if n > 1000 and rng.random() < 0.5 else 0,
        n_on_time=round(n * rng.uniform(0.005, 0.04)),
        n_late=round(n * late_rate),
        n_withdrawn=round(n * 0.002) + rng.randint(0, 1),
        n_returned=round(n * 0.002),
        n_not_accepted=rng.randint(0, 3),
        n_pending_end=min(rng.randint(0, 10), max(n // 20, 0)),
    )
    seg.n_pending_overdue = min(seg.n_pending_end, rng.choice([0, 0, 1, 2]))
    if not open_at_end:
        seg.n_pending_end = seg.n_pending_overdue = 0
    return seg


def ordinary_segments(unit: Unit) -> list[Segment]:
    """Random but plausible counts for a district unit other than Thanh Giang, 2022 to 30/06/2025."""
    rng = _rng(unit.unit_id, "segments")
    volume = yearly_volume(unit, rng)
    online_2023 = rng.uniform(0.55, 0.97)
    segments = []
    for year, growth, online in ((2022, 0.92, online_2023 - rng.uniform(0.05, 0.15)), (2023, 1.0, online_2023)):
        n = round(volume * growth * rng.uniform(0.95, 1.05))
        segments.append(_segment(rng, n, online, dt.date(year, 1, 1), dt.date(year, 12, 31)))
    # drawn after 2022-2023, so that those stay as they were; nothing is left open on the unit's last day
    online_2024 = min(online_2023 + rng.uniform(0.0, 0.06), 0.99)
    for start, end, share, online in (
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31), 1.03, online_2024),
        (dt.date(2025, 1, 1), MERGED_ON - dt.timedelta(days=1), 0.5, min(online_2024 + 0.02, 0.99)),
    ):
        n = round(volume * share * rng.uniform(0.95, 1.05))
        segments.append(_segment(rng, n, online, start, end, open_at_end=end.year == 2024))
    return segments


def unit_profile(unit: Unit, catalogue: list[Procedure], agency: str) -> UnitProfile:
    rng = _rng(unit.unit_id, "profile")
    return UnitProfile(
        unit_id=unit.unit_id,
        name=unit.name,
        agency=agency,
        catalogue=catalogue,
        online_pay_share=rng.uniform(0.5, 0.95),
        digitised_share=rng.uniform(0.8, 0.99),
        payment_tracked_from=PAYMENT_TRACKED_FROM,
    )


def unit_dossiers(
    unit: Unit,
    index: int,
    procedures: list[Procedure] | None = None,
    forbidden_names: list[str] | None = None,
    segments: list[Segment] | None = None,
    agency: str | None = None,
) -> list[dict]:
    """Every dossier of a unit (by default a district unit, 2022 to 30/06/2025), with applicant data and the true
    dates of each event."""
    procedures = procedures or province_procedures()
    catalogue = unit_catalogue(unit, procedures)
    profile = unit_profile(unit, catalogue, agency or f"H30.36.{index + 1:02d}")
    rng = _rng(unit.unit_id, "dossiers")
    people = PeopleFactory(_rng(unit.unit_id, "people"), forbidden_names or [unit.name], unit.name)
    if segments is None:
        segments = thanh_giang_segments() if _district(unit, SEED_UNIT) else ordinary_segments(unit)
    seq: dict = {}
    dossiers: list[dict] = []
    for seg in segments:
        dossiers.extend(simulate_segment(rng, profile, seg, people, seq))
    pay_rng = _rng(unit.unit_id, "payment")
    for d in dossiers:
        if d["paid_online"] is None and d["fee"] and d["received_at"].date() >= profile.payment_tracked_from:
            d["paid_online"] = pay_rng.random() < profile.online_pay_share
        if d["received_at"].date() < profile.payment_tracked_from:
            d["paid_online"] = None
    return dossiers


def quarters(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    result = []
    day = start
    while day <= end:
        q_end_month = ((day.month - 1) // 3 + 1) * 3
        q_end = dt.date(day.year + (q_end_month == 12), q_end_month % 12 + 1, 1) - dt.timedelta(days=1)
        result.append((day, q_end))
        day = q_end + dt.timedelta(days=1)
    return result


def export_files(
    unit: Unit,
    dossiers: list[dict],
    start: dt.date = START,
    end: dt.date = MERGED_ON - dt.timedelta(days=1),
    area: str = DEMO_GROUP,
    layout: tuple[str, str] | None = None,
) -> dict[str, bytes]:
    """The unit's dossier-list exports: one per quarter of ``start``..``end``, made five days after the quarter,
    plus one overlapping monthly export for the seed unit. ``layout`` is (vendor, encoding); by default the
    district unit's (:func:`vendor_of`)."""
    vendor, encoding = layout or vendor_of(unit)
    ranges = [(s, e, e + dt.timedelta(days=5)) for s, e in quarters(start, end)]
    if _district(unit, SEED_UNIT):
        ranges.append((dt.date(2023, 8, 1), dt.date(2023, 8, 31), dt.date(2023, 9, 2)))
    files = {}
    for start, end, made_on in ranges:
        spec = ExportSpec(unit.name, unit.type, area, start, end, made_on, vendor, encoding)
        rows = [view_at(d, made_on, vendor, PAYMENT_TRACKED_FROM) for d in select_for_export(dossiers, start, end)]
        quarter = f"Q{(start.month - 1) // 3 + 1}_{start.year}"
        if vendor == "A":
            name = f"DanhSachHoSo_{start:%Y-%m-%d}_{end:%Y-%m-%d}.xlsx"
            files[name] = write_vendor_a(spec, rows)
        elif vendor == "B":
            files[f"BaoCaoChiTietHoSo_{quarter}.xlsx"] = write_vendor_b(spec, rows)
        else:
            files[f"ThongKeHoSo_{start:%Y%m}_{end:%Y%m}.xls"] = write_vendor_c(spec, rows)
    return files


# --- the communes since 01/07/2025 ------------------------------------------------------------------


def successors(registry: UnitRegistry) -> list[tuple[Unit, list[tuple[Unit, float | None]]]]:
    """The demo district's communes since 01/07/2025, each with its predecessors (and their shares): the
    communes that took in at least one district unit whole (DOMAIN.md's five; a commune that only received
    parts of divided units, such as Thượng Hồng, is not one of them)."""
    district = {u.unit_id for u in registry.units(group=DEMO_GROUP)}
    found = []
    for unit in registry.units(group=PROVINCE):
        before = registry.predecessors(unit.unit_id)
        if any(p.unit_id in district and share == 1.0 for p, share in before):
            found.append((unit, before))
    return found


def successor_segments(unit: Unit, volume: int, start: dt.date = MERGED_ON, end: dt.date = END) -> list[Segment]:
    """Counts for a commune since 01/07/2025: ``volume`` dossiers a year, mostly online, in half-year and
    calendar-year segments up to ``end``."""
    rng = _rng(unit.unit_id, "segments", "since-2025")
    online = rng.uniform(0.85, 0.98)
    segments = []
    year_start = start
    while year_start <= end:
        year_end = min(dt.date(year_start.year, 12, 31), end)
        share = ((year_end - year_start).days + 1) / 365
        n = max(round(volume * share * rng.uniform(0.95, 1.05)), 1)
        segments.append(_segment(rng, n, min(online + 0.02 * (year_start.year - 2025), 0.99), year_start, year_end))
        year_start = year_end + dt.timedelta(days=1)
    return segments


def successor_volume(registry: UnitRegistry, before: list[tuple[Unit, float | None]]) -> int:
    """A new commune's yearly dossiers: its district predecessors' (half of a divided one's; 1,000 for a
    predecessor from outside the district)."""
    district = {u.unit_id for u in registry.units(group=DEMO_GROUP)}
    total = 0.0
    for unit, share in before:
        total += yearly_volume(unit) * (0.5 if share is None else share) if unit.unit_id in district else 1000
    return round(total)


def commune_files(
    unit: Unit, index: int, procedures: list[Procedure], forbidden: list[str], volume: int
) -> dict[str, bytes]:
    """Every file of a commune since 01/07/2025 (one provincial system: layout A), by path under raw/:
    quarterly dossier lists, its procedure catalogue, and budget reports of 2026 (monthly for the demo
    district's successors, quarterly otherwise)."""
    log.info("Đang tạo dữ liệu mẫu cho %s", unit.full_name)
    segments = successor_segments(unit, volume)
    dossiers = unit_dossiers(
        unit, index, procedures, forbidden, segments, agency=f"H31.{index // 100 + 40}.{index:02d}"
    )
    files = {
        f"{unit.slug}/mot-cua/{name}": data
        for name, data in export_files(unit, dossiers, MERGED_ON, END, PROVINCE, ("A", "unicode")).items()
    }
    files[f"{unit.slug}/danh-muc-tthc.xlsx"] = write_catalogue(
        f"{unit.type} {unit.name}", unit_catalogue(unit, procedures), MERGED_ON
    )
    months = range(1, 10) if volume >= 2000 else (3, 6, 9)
    for name, data in budget_files(unit, years=((2026, months),), area="Hải Phòng").items():
        files[f"{unit.slug}/ngan-sach/{name}"] = data
    return files


# --- budget and PAR ---------------------------------------------------------------------------------


def budget_files(
    unit: Unit,
    years: tuple[tuple[int, range | tuple[int, ...]], ...] = (
        (2022, range(1, 13)),
        (2023, range(1, 13)),
        (2024, range(1, 13)),
        (2025, range(1, 7)),
    ),
    area: str = DISTRICT,
) -> dict[str, bytes]:
    """Monthly cumulative budget execution reports, by default a district unit's from 01/2022 to 06/2025."""
    files = {}
    layout = "ketoan" if zlib.crc32(unit.unit_id.encode()) % 3 == 0 else "kbnn"
    for year, months in years:
        rng = _rng(unit.unit_id, "budget", year)
        if _district(unit, SEED_UNIT) and year == 2023:
            rev_est, rev_aug = SEED_BUDGET["revenue_estimate"], SEED_BUDGET["revenue_actual_aug"]
            exp_est, exp_aug = SEED_BUDGET["expenditure_estimate"], SEED_BUDGET["expenditure_actual_aug"]
            rev_months = monthly_profile(8, rev_aug, round(rev_est * 1.02), rng)
            exp_months = monthly_profile(8, exp_aug, round(exp_est * 0.97), rng)
        else:
            rev_est = rng.randint(3_500, 9_000) * 1_000_000 + rng.randint(0, 999) * 1000
            exp_est = rev_est - rng.randint(0, 200) * 1_000_000
            rev_months = monthly_profile(None, None, round(rev_est * rng.uniform(0.9, 1.1)), rng)
            exp_months = monthly_profile(None, None, round(exp_est * rng.uniform(0.85, 1.0)), rng)
        revenue = build_budget_lines(REVENUE_TREE, rev_est, rev_months, rng)
        expenditure = build_budget_lines(EXPENDITURE_TREE, exp_est, exp_months, rng)
        for month in months:
            typo = None
            if _district(unit, BUDGET_TYPO[0]) and (year, month) == BUDGET_TYPO[1:3]:
                typo = (BUDGET_TYPO[3], month)
            files[f"BC_thu_chi_NS_{year}_{month:02d}.xlsx"] = write_budget_report(
                f"{unit.type} {unit.name}",
                area,
                year,
                month,
                revenue,
                expenditure,
                layout,
                million=_district(unit, MILLION_UNIT),
                typo=typo,
            )
    return files


def par_scores(units: list[Unit], year: int) -> dict[str, list[int]]:
    """Scores (thousandths of a point) per unit and component; the seed unit's e-government score is
    8,417 of 11,500, eleventh of 17 in 2022; two units tie on their total each year."""
    rng = _rng("par", year)
    names = [u.full_name for u in units]
    egov = next(k for k, (n, _m) in enumerate(PAR_COMPONENTS) if "chính quyền điện tử" in n)
    scores: dict[str, list[int]] = {}
    for name in names:
        row = []
        for _comp, mx in PAR_COMPONENTS:
            row.append(round(mx * 1000 * rng.uniform(0.62, 0.97)))
        scores[name] = row
    if year == 2022:
        seed_name = next(u.full_name for u in units if u.name == SEED_UNIT)
        others = [n for n in names if n != seed_name]
        rng.shuffle(others)
        for i, name in enumerate(others):  # ten above 8,417, six below
            scores[name][egov] = rng.randint(8418, 11200) if i < 10 else rng.randint(6500, 8416)
        scores[seed_name][egov] = SEED_PAR_EGOV_2022
        for k, (_comp, mx) in enumerate(PAR_COMPONENTS):  # every other component at 75% or more
            if k != egov:
                scores[seed_name][k] = max(scores[seed_name][k], round(mx * 1000 * 0.8) + rng.randint(0, 900))
    # a tie on the total: copy one unit's total onto another by adjusting its last component
    a, b = sorted(names)[2], sorted(names)[9]
    diff = sum(scores[a]) - sum(scores[b])
    scores[b][-1] += diff
    return scores


def par_files(units: list[Unit]) -> dict[str, bytes]:
    """The district's PAR sheets, 2021 to 2024 (each decided in the spring of the next year)."""
    files = {}
    for year, style in ((2021, "in_header"), (2022, "max_row"), (2023, "in_header"), (2024, "max_row")):
        files[f"ChiSoCCHC_{year}_cac_xa_thi_tran.xlsx"] = write_par_sheet(
            year, DEMO_GROUP, PAR_DECISIONS[year], [u.full_name for u in units], par_scores(units, year), style
        )
    return files


# --- entry points -----------------------------------------------------------------------------------


def generate_demo_data(data_dir: Path | str, only: list[str] | None = None, jobs: int | None = None) -> DemoResult:
    """Write the demo district's raw exports into ``data_dir/raw`` and return what was written: the 17 units
    to 30/06/2025 and their five successors from 01/07/2025 to 30/09/2026.

    Parameters
    ----------
    data_dir
        The data folder; files go to ``data_dir/raw/<unit slug>/...`` and ``data_dir/raw/<district>/``.
    only
        Short names of units to generate (all 17 and the 5 successors by default). The district PAR sheets are
        always written.
    jobs
        Processes making the files (default: ``CCHC_JOBS`` or the number of cores).

    Files that already hold exactly the bytes the generator makes are left untouched; a file that differs
    is replaced (the demo folder belongs to the generator: never point it at real exports).
    """
    registry = UnitRegistry.shipped(scope=DEMO_GROUP)
    units = demo_units(registry)
    procedures = province_procedures()
    forbidden = [u.name for u in registry]
    tasks: list[tuple] = [
        (_district_files, (unit, index, procedures, forbidden))
        for index, unit in enumerate(units)
        if not only or unit.name in only
    ]
    for index, (unit, before) in enumerate(successors(registry)):
        if not only or unit.name in only:
            tasks.append((commune_files, (unit, index, procedures, forbidden, successor_volume(registry, before))))
    result = _write(data_dir, DEMO_UNITS_YAML, tasks, jobs)
    for name, data in par_files(units).items():
        result.put(Path(data_dir) / "raw" / "huyen-thanh-mien" / name, data)
    return result


def generate_province_demo(data_dir: Path | str, only: list[str] | None = None, jobs: int | None = None) -> DemoResult:
    """Write the province demo into ``data_dir/raw``: every commune of Hải Phòng since 01/07/2025 (114), to
    30/09/2026, with fewer dossiers each than a real commune (a few hundred a year), and the province's PAR
    sheet for 2025. The demo district's five successors get the same files as in :func:`generate_demo_data`.
    ``only``: short names of communes to generate (all by default); the PAR sheet is always written. ``jobs``: as
    in :func:`generate_demo_data`."""
    registry = UnitRegistry.shipped(scope=PROVINCE)
    communes = registry.units(group=PROVINCE, on=MERGED_ON)
    procedures = province_procedures()
    forbidden = [u.name for u in communes]  # no applicant bears a commune's name
    district_forbidden = [u.name for u in UnitRegistry.shipped(scope=DEMO_GROUP)]  # as in the district demo
    known = {u.unit_id: (k, before) for k, (u, before) in enumerate(successors(registry))}
    tasks: list[tuple] = []
    for index, unit in enumerate(communes):
        if only and unit.name not in only:
            continue
        if unit.unit_id in known:  # as in the district demo: same index, same volume
            k, before = known[unit.unit_id]
            volume = successor_volume(registry, before)
            tasks.append((commune_files, (unit, k, procedures, district_forbidden, volume)))
        else:
            volume = _rng(unit.unit_id, "volume").randint(150, 700)
            tasks.append((commune_files, (unit, 100 + index, procedures, forbidden, volume)))
    result = _write(data_dir, f"{UNITS_YAML_HEAD}scope: {PROVINCE}\n", tasks, jobs)
    year, number, decided = PROVINCE_PAR_DECISION
    names = [u.full_name for u in communes]
    result.put(
        Path(data_dir) / "raw" / "hai-phong" / f"ChiSoCCHC_{year}_cac_xa_phuong.xlsx",
        write_par_sheet(year, PROVINCE, (number, decided), names, par_scores(communes, year), "max_row"),
    )
    return result


def _write(data_dir: Path | str, units_yaml: str, tasks: list[tuple], jobs: int | None) -> DemoResult:
    """Write units.yaml and every task's files; each task (function, arguments) makes one unit's files on one of
    ``jobs`` forked workers (each unit is seeded on its own, so the bytes do not depend on the worker)."""
    raw = Path(data_dir) / "raw"
    result = DemoResult()
    result.put(Path(data_dir) / "units.yaml", units_yaml.encode("utf-8"))
    for files in fork_map(_call, tasks, jobs):
        for rel, data in files.items():
            result.put(raw / rel, data)
    return result


def _call(job: tuple):
    func, args = job
    return func(*args)


def _district_files(unit: Unit, index: int, procedures: list[Procedure], forbidden: list[str]) -> dict[str, bytes]:
    """Every file of one district unit (2022 to 30/06/2025), by path under raw/."""
    log.info("Đang tạo dữ liệu mẫu cho %s", unit.full_name)
    files = {}
    dossiers = unit_dossiers(unit, index, procedures, forbidden)
    for name, data in export_files(unit, dossiers).items():
        files[f"{unit.slug}/mot-cua/{name}"] = data
    catalogue = unit_catalogue(unit, procedures)
    files[f"{unit.slug}/danh-muc-tthc.xlsx"] = write_catalogue(
        f"{unit.type} {unit.name}", catalogue, dt.date(2023, 1, 5)
    )
    for name, data in budget_files(unit).items():
        files[f"{unit.slug}/ngan-sach/{name}"] = data
    return files
