"""The run index ``reports/<period id>/index.html``: every brief of the run with links, key figures per unit and
the run summary. Static HTML, relative links only, no script, every value escaped."""

from __future__ import annotations

import html
from pathlib import Path

from ..methodology import format_vn

STATUS_VI = {"ok": "Hoàn thành", "failed": "Lỗi", "skipped": "Bỏ qua", "pending": "Chưa chạy"}
FORMAT_LABEL = {".html": "HTML", ".pdf": "PDF", ".docx": "Word", ".ipynb": "Sổ tính"}

CSS = """
body { font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif; margin: 2em auto; max-width: 75em;
  color: #111; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.5em; }
table { border-collapse: collapse; width: 100%; font-size: 0.95em; }
th, td { border: 1px solid #999; padding: 0.3em 0.5em; vertical-align: top; }
th { background: #eef3f8; }
td.num { text-align: right; white-space: nowrap; }
.status-ok { color: #006d4f; font-weight: bold; } .status-failed, .status-skipped { color: #b34700; font-weight: bold; }
.links a { margin-right: 0.6em; }
.summary td:first-child { width: 18em; }
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _pct(value, places: int = 1) -> str:
    return f"{format_vn(value, places)}%" if value is not None else "—"


def _links(folder: Path, outputs: list[str]) -> str:
    links = []
    for o in sorted(
        outputs, key=lambda o: list(FORMAT_LABEL).index(Path(o).suffix) if Path(o).suffix in FORMAT_LABEL else 9
    ):
        path = Path(o)
        if not path.is_file():
            continue
        try:
            rel = path.resolve().relative_to(folder.resolve()).as_posix()
        except ValueError:
            continue
        links.append(f'<a href="{_e(rel)}">{_e(FORMAT_LABEL.get(path.suffix, path.suffix))}</a>')
    return " ".join(links)


def run_index_html(folder: Path, summary: dict, tasks: list[dict], records: list[dict]) -> str:
    """The index page of a run folder (see the module docstring)."""
    by_unit = {r["unit_name"]: r for r in records}
    counts = {k: sum(1 for t in tasks if t["status"] == k) for k in STATUS_VI}
    period = summary["period"]
    start = "/".join(reversed(period["start"].split("-")))
    end = "/".join(reversed(period["end"].split("-")))
    rows = []
    for t in [t for t in tasks if t["kind"] == "unit"]:
        r = by_unit.get(t["name"], {})
        rows.append(
            "<tr>"
            f"<td>{_e(t['name'])}</td>"
            f'<td class="status-{_e(t["status"])}">{_e(STATUS_VI.get(t["status"], t["status"]))}</td>'
            f'<td class="num">{_e(format_vn(r.get("received_total"), 0))}</td>'
            f'<td class="num">{_e(_pct(r.get("online_rate")))}</td>'
            f'<td class="num">{_e(_pct(r.get("resolved_early_pct")))}</td>'
            f'<td class="num">{_e(_pct(r.get("on_time_rate_766")))}</td>'
            f'<td class="num">{_e(_pct(r.get("online_payment_rate")))}</td>'
            f'<td class="num">{_e(_pct(r.get("revenue_execution_pct"), 2))}</td>'
            f'<td class="num">{_e(str(r["par_rank"]) + "/" + str(r["par_rank_of"]) if r.get("par_rank") else "—")}</td>'
            f'<td class="links">{_links(folder, t.get("outputs", []))}</td>'
            f"<td>{_e(t.get('error', ''))}</td>"
            "</tr>"
        )
    groups = []
    for t in [t for t in tasks if t["kind"] == "group"]:
        groups.append(
            f"<tr><td>{_e(t['name'])}</td>"
            f'<td class="status-{_e(t["status"])}">{_e(STATUS_VI.get(t["status"], t["status"]))}</td>'
            f'<td class="links">{_links(folder, t.get("outputs", []))}</td><td>{_e(t.get("error", ""))}</td></tr>'
        )
    data_files = [
        (p.name, label)
        for p, label in (
            (folder / f"chi-so_{period['id']}.xlsx", "Bảng tính chỉ số, xếp hạng, mẫu TT 01/2020 (Excel)"),
            (folder / "chi-so.json", "Chỉ số dạng JSON"),
            (folder / "manifest.json", "Biên bản lần chạy (manifest.json)"),
            (folder / "run.log", "Nhật ký lần chạy"),
        )
        if p.is_file() or p.name in ("manifest.json",)
    ]
    files = "".join(f'<li><a href="{_e(name)}">{_e(label)}</a></li>' for name, label in data_files)
    gaps = "".join(
        f"<li>{_e(unit)}: {_e('; '.join(missing))}</li>" for unit, missing in summary["coverage_gaps"].items()
    )
    refused = "".join(f"<li>{_e(f)}</li>" for f in summary["refused_inputs"])
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Báo cáo CCHC kỳ {_e(start)} – {_e(end)}</title>
<style>{CSS}</style>
</head>
<body>
<h1>Báo cáo cải cách hành chính kỳ {_e(start)} – {_e(end)}</h1>
<h2>Tóm tắt lần chạy</h2>
<table class="summary">
<tr><td>Mã kỳ</td><td>{_e(period["id"])}</td></tr>
<tr><td>Báo cáo hoàn thành</td><td>{counts["ok"]}/{len(tasks)}</td></tr>
<tr><td>Báo cáo lỗi</td><td>{counts["failed"]}</td></tr>
<tr><td>Báo cáo bỏ qua (thiếu dữ liệu)</td><td>{counts["skipped"]}</td></tr>
<tr><td>Thời gian chạy</td><td>{_e(format_vn(summary["seconds"], 1))} giây</td></tr>
<tr><td>Hoàn thành lúc</td><td>{_e(summary["finished_at"])}</td></tr>
<tr><td>Phiên bản phương pháp / phần mềm</td>
<td>{_e(summary["methodology"])} / {_e(summary["package_version"])}</td></tr>
</table>
{f"<h2>Đơn vị thiếu dữ liệu</h2><ul>{gaps}</ul>" if gaps else ""}
{f"<h2>Tệp không đọc được</h2><ul>{refused}</ul>" if refused else ""}
<h2>Báo cáo của các đơn vị</h2>
<table>
<thead><tr><th>Đơn vị</th><th>Trạng thái</th><th>Hồ sơ tiếp nhận</th><th>Nộp trực tuyến</th>
<th>Giải quyết trước hạn</th>
<th>Trong hạn (QĐ 766)</th><th>Thanh toán trực tuyến</th><th>Thực hiện dự toán thu</th><th>Xếp hạng chỉ số CCHC</th>
<th>Tệp</th><th>Lỗi</th></tr></thead>
<tbody>{"".join(rows)}</tbody>
</table>
<h2>Báo cáo của nhóm</h2>
<table><thead><tr><th>Nhóm</th><th>Trạng thái</th><th>Tệp</th><th>Lỗi</th></tr></thead>
<tbody>{"".join(groups)}</tbody></table>
<h2>Số liệu và biên bản</h2>
<ul>{files}</ul>
</body>
</html>
"""
