"""Publishing: narrative sentences, the offline HTML template, PDF (A4, fonts embedded, nothing fetched), the Word
report's Decree 30/2020 layout, escaping, and the seed figures in Thanh Giang's published PDF and .docx."""

from __future__ import annotations

import io
import itertools
import os
import re
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pypdf
import pytest
from docx import Document

from cchc_analysis.brief import Brief, Figure, KeyFigure, Notice, Section, Table, narrative_sentences, render_brief_html
from cchc_analysis.periods import parse_period
from cchc_analysis.publish.docx import brief_docx
from cchc_analysis.publish.exporter import BriefHTMLExporter, publish_notebook
from cchc_analysis.publish.index import run_index_html
from cchc_analysis.publish.pdf import _fetcher, html_to_pdf

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SEED = parse_period("2023-01-01..2023-08-31")
HOSTILE = "<script>alert(1)</script>"


def seed_record() -> dict:
    """Thanh Giang's figures as the seed report states them (01/01-31/08/2023)."""
    return {
        "received_total": 2527,
        "received_online": 2389,
        "received_direct": 126,
        "received_postal": 0,
        "carried_over": 12,
        "resolved_total": 2521,
        "resolved_early": 2515,
        "resolved_on_time": 6,
        "resolved_late": 0,
        "resolved_early_pct": 2515 / 2521 * 100,
        "resolved_on_time_pct": 6 / 2521 * 100,
        "resolved_late_pct": 0.0,
        "pending_total": 5,
        "pending_within_deadline": 5,
        "pending_overdue": 0,
        "withdrawn": 1,
        "returned": 0,
        "on_time_rate_766": 100.0,
        "online_rate": 2389 / 2515 * 100,
        "procedures_with_online_dossiers": 18,
        "procedures_total": 139,
        "procedures_online_share": 18 / 139 * 100,
        "fee_paid_online": 1152,
        "fee_dossiers": 1258,
        "online_payment_rate": 1152 / 1258 * 100,
        "payment_tracked_from": "2023-06-01",
        "budget_as_of": "2023-08-31",
        "revenue_estimate": 5599554000,
        "revenue_actual": 4246019295,
        "revenue_execution_pct": 4246019295 / 5599554000 * 100,
        "expenditure_estimate": 5534154000,
        "expenditure_actual": 3371767922,
        "expenditure_execution_pct": 3371767922 / 5534154000 * 100,
        "par_year": 2022,
        "par_total_score": 83.447,
        "par_total_max": 100.0,
        "par_rank": 1,
        "par_rank_of": 17,
        "par_components": [
            {
                "component": "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
                "score": 8.417,
                "max_score": 11.5,
                "pct": 8.417 / 11.5 * 100,
                "rank": 11,
                "rank_of": 17,
                "below_75": True,
                "self_review_required": True,
            }
        ],
    }


def test_narrative_speaks_like_the_seed_report():
    sentences = narrative_sentences(seed_record(), SEED)
    assert sentences[0] == (
        "Tổng số hồ sơ TTHC đã tiếp nhận từ 01/01/2023 đến 31/08/2023 là 2.527 hồ sơ, trong đó tiếp nhận trực tuyến "
        "2.389 hồ sơ, trực tiếp 126 hồ sơ, chuyển từ kỳ trước 12 hồ sơ."
    )
    assert sentences[1] == (
        "Số lượng hồ sơ đã giải quyết: 2.521 hồ sơ; trong đó giải quyết trước hạn 2.515 hồ sơ (99,8%), đúng hạn "
        "6 hồ sơ (0,2%), quá hạn 0 hồ sơ (0,0%)."
    )
    text = " ".join(sentences)
    # 2,389 / 2,515 = 94.99% (the seed's "2.389/2.389 = 100%" is its own slip); 1,152 / 1,258 = 91.57% -> 91,6
    assert "2.389/2.515 = 95,0%" in text
    assert "18/139 = 12,9%" in text
    assert "từ 01/06/2023 đến 31/08/2023 đạt 1.152/1.258 = 91,6%" in text
    assert "Dự toán thu ngân sách năm 2023 là 5.599.554.000 đồng, tính đến ngày 31/08/2023 thực hiện thu " in text
    assert "4.246.019.295 đồng, đạt 75,83% dự toán năm" in text  # 75.8278% half-up
    assert "3.371.767.922 đồng, đạt 60,93% dự toán năm" in text  # 60.9265%
    assert "8,417/11,5 điểm = 73,19% (xếp thứ 11/17)" in text
    assert "Có 01 lĩnh vực điểm số đạt dưới 75%" in text


def test_narrative_leaves_out_what_is_missing():
    rec = {k: None for k in seed_record()}
    rec.update(received_total=3, received_online=1, received_direct=2, received_postal=0, carried_over=0)
    assert narrative_sentences(rec, SEED) == [
        "Tổng số hồ sơ TTHC đã tiếp nhận từ 01/01/2023 đến 31/08/2023 là 3 hồ sơ, trong đó tiếp nhận trực tuyến "
        "1 hồ sơ, trực tiếp 2 hồ sơ, chuyển từ kỳ trước 0 hồ sơ."
    ]


def hostile_brief() -> Brief:
    frame = pd.DataFrame({"Lĩnh vực": [HOSTILE, "Tổng cộng"], "Tổng số": ["1", "1"]})
    return Brief(
        kind="unit",
        slug="x",
        name=f"Xã {HOSTILE}",
        period=SEED,
        issuer=("ỦY BAN NHÂN DÂN", f"XÃ {HOSTILE}"),
        place=HOSTILE,
        subject=f"Báo cáo {HOSTILE}",
        sections=[
            Section(
                "onestop",
                f"I. {HOSTILE}",
                [
                    f"Đoạn văn {HOSTILE}",
                    Notice(HOSTILE),
                    [KeyFigure(HOSTILE, "1", HOSTILE)],
                    Table(frame, HOSTILE, ["Tổng số"], True, groups=[]),
                ],
            )
        ],
        notice=HOSTILE,
    )


def test_text_from_data_is_escaped_in_html():
    page = render_brief_html(hostile_brief())
    assert "<script" not in page.lower()
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 8


def notebook_with(outputs: list[dict], markdown: str = "") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('unit = "x"  # tham số')
    params.metadata["tags"] = ["parameters"]
    note = nbformat.v4.new_markdown_cell("Ghi chú cho người phân tích")
    note.metadata["tags"] = ["no-publish"]
    cell = nbformat.v4.new_code_cell("secret_code_line = 1")
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    nb.cells = [note, params, nbformat.v4.new_markdown_cell(markdown), cell]
    return nb


def test_exporter_publishes_outputs_only_with_nothing_active_or_external():
    nb = notebook_with(
        [
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {
                    "text/html": '<p onclick="steal()">Kết quả</p><script>alert(1)</script>'
                    '<img src="https://cdn.example.org/x.png"><iframe src="https://example.org"></iframe>',
                    "text/plain": "x",
                },
            },
            {"output_type": "stream", "name": "stdout", "text": "debug print\n"},
        ],
        markdown='## Phần một\n\n<script src="https://cdn.example.org/require.js"></script>',
    )
    page, _ = BriefHTMLExporter().from_notebook_node(nb)
    low = page.lower()
    assert "kết quả" in low and "phần một" in low
    assert "<script" not in low and "onclick" not in low and "<iframe" not in low
    assert "http://" not in low and "https://" not in low  # no CDN, no MathJax, no require.js
    assert "secret_code_line" not in page and "tham số" not in page and "Ghi chú cho người phân tích" not in page
    assert "debug print" not in page and "In&nbsp;[" not in page and "In [" not in page
    assert "size: A4" in page and "thead { display: table-header-group; }" in page
    assert "Content-Security-Policy" in page


def test_exporters_are_registered_with_nbconvert():
    from nbconvert.exporters import get_exporter

    assert get_exporter("cchc_html").__name__ == "BriefHTMLExporter"
    assert get_exporter("cchc_pdf").__name__ == "BriefPDFExporter"


def fonts_of(reader: pypdf.PdfReader) -> dict[str, bool]:
    """Every font used in the PDF -> whether its program is embedded (FontFile, FontFile2 or FontFile3)."""
    found = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            targets = [d.get_object() for d in descendants] if descendants else [font]
            for t in targets:
                desc = t.get("/FontDescriptor")
                desc = desc.get_object() if desc is not None else {}
                found[str(t.get("/BaseFont"))] = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def test_pdf_is_a4_with_vietnamese_fonts_embedded_and_fetches_nothing():
    page = (
        "<html><body><h1>Độc lập - Tự do - Hạnh phúc</h1><p>Ủy ban nhân dân xã Thanh Giang: 2.527 hồ sơ</p>"
        '<img src="http://example.org/x.png"><p style="page-break-before: always">Trang hai</p></body></html>'
    )
    reader = pypdf.PdfReader(io.BytesIO(html_to_pdf(page)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = reader.pages[0].extract_text()
    assert "Độc lập - Tự do - Hạnh phúc" in text and "Ủy ban nhân dân xã Thanh Giang" in text
    fonts = fonts_of(reader)
    assert fonts and all(fonts.values()), fonts
    with pytest.raises(ValueError, match="bị chặn"):
        _fetcher().fetch("http://example.org/x.png")
    with pytest.raises(ValueError, match="bị chặn"):
        _fetcher().fetch("file:///etc/passwd")


def test_word_report_follows_decree_30():
    doc = Document(io.BytesIO(brief_docx(hostile_brief())))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [20, 20, 30, 15]
    heading = doc.tables[0].rows[0].cells
    left = [p.text for p in heading[0].paragraphs]
    right = [p.text for p in heading[1].paragraphs]
    assert left[0] == "ỦY BAN NHÂN DÂN" and left[1] == f"XÃ {HOSTILE}" and left[-1].startswith("Số:")
    assert left[-1].endswith("/BC-UBND")
    assert right[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert right[-1].endswith("tháng 9 năm 2023")
    closing = doc.tables[-1].rows[0].cells
    assert closing[0].paragraphs[0].text == "Nơi nhận:"
    assert [p.text for p in closing[1].paragraphs] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    assert {r.font.name for r in runs} == {"Times New Roman"}
    assert {r.font.size.pt for r in runs} <= {11, 12, 13, 14}
    data = doc.tables[1]
    assert data.rows[0].cells[0].text == "Lĩnh vực" and data.rows[1].cells[0].text == HOSTILE  # a real Word table


def test_run_index_escapes_names_and_links_only_existing_files(tmp_path):
    (tmp_path / "x_2023Q3.pdf").write_bytes(b"%PDF-1.7")
    tasks = [
        {
            "kind": "unit",
            "name": f"Xã {HOSTILE}",
            "status": "failed",
            "error": HOSTILE,
            "outputs": [str(tmp_path / "x_2023Q3.pdf"), str(tmp_path / "gone.html")],
        }
    ]
    summary = {
        "period": {"id": "2023Q3", "start": "2023-07-01", "end": "2023-09-30"},
        "methodology": "t",
        "package_version": "0",
        "seconds": 1.0,
        "finished_at": "2023-10-05T10:00:00",
        "coverage_gaps": {f"Xã {HOSTILE}": [HOSTILE]},
        "refused_inputs": [HOSTILE],
    }
    page = run_index_html(tmp_path, summary, tasks, [{"unit_name": f"Xã {HOSTILE}", "received_total": 2527}])
    assert "<script" not in page.lower()
    assert 'href="x_2023Q3.pdf"' in page and "gone.html" not in page
    assert "2.527" in page and "01/07/2023 – 30/09/2023" in page


def pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(str(path)).pages)


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


@pytest.mark.slow
def test_thanh_giang_brief_carries_the_seed_figures_in_pdf_and_word(ingested, demo_dir, tmp_path):
    executed = tmp_path / "thanh-giang.ipynb"
    base = tmp_path / "thanh-giang_seed"
    pm.execute_notebook(
        str(NOTEBOOKS / "04_unit_brief.ipynb"),
        str(executed),
        parameters={
            "data_dir": str(demo_dir),
            "period": "2023-01-01..2023-08-31",
            "unit": "Thanh Giang",
            "docx": str(base) + ".docx",
        },
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    written = publish_notebook(executed, base, ["html", "pdf"])
    assert [Path(w).suffix for w in written] == [".html", ".pdf"]
    pdf, word = pdf_text(Path(str(base) + ".pdf")), docx_text(Path(str(base) + ".docx"))
    for figure in ("2.527", "2.389", "2.515", "99,8", "11/17", "75,83", "60,93", "5.599.554.000", "31/08/2023"):
        assert figure in pdf, figure
        assert figure in word, figure
    for text in (pdf, word):
        flat = re.sub(r"\s+", " ", text)
        assert "Tổng số hồ sơ TTHC đã tiếp nhận từ 01/01/2023 đến 31/08/2023 là 2.527 hồ sơ" in flat
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat and "XÃ THANH GIANG" in flat
    fonts = fonts_of(pypdf.PdfReader(str(base) + ".pdf"))
    assert fonts and all(fonts.values()), fonts
    page = Path(str(base) + ".html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page  # charts are static images inside the page
    assert "<script" not in page.lower() and "https://" not in page


def test_figure_and_notice_blocks_render():
    from cchc_analysis.brief import render_section_html

    html = render_section_html(Section("k", "T", [Figure(b"\x89PNG", "Hình"), Notice("Chú ý")]))
    assert 'src="data:image/png;base64,iVBORw==' in html and "<figcaption>Hình</figcaption>" in html
    assert '<div class="notice">Chú ý</div>' in html


def test_sheet_titles_are_valid_and_unique():
    from cchc_analysis.workbook import sheet_title

    assert sheet_title("TT01 Xã <script>alert(1)</script>", []) == "TT01 Xã <script>alert(1)<-scrip"  # 31 characters
    assert sheet_title("TT01 Xã A/B", ["tt01 xã a-b"]) == "TT01 Xã A-B (2)"
    assert sheet_title("'[]'", []) == "--"
    assert len(sheet_title("x" * 40, ["x" * 31])) == 31


def test_cchc_publish_command(tmp_path, capsys):
    from cchc_analysis.cli import main

    nb = notebook_with(
        [{"output_type": "display_data", "metadata": {}, "data": {"text/html": "<p>Tổng số 2.527 hồ sơ</p>"}}]
    )
    path = tmp_path / "brief.ipynb"
    nbformat.write(nb, path)
    assert main(["publish", str(path), "--formats", "html,pdf"]) == 0
    assert capsys.readouterr().out.splitlines() == [str(tmp_path / "brief.html"), str(tmp_path / "brief.pdf")]
    assert "Tổng số 2.527 hồ sơ" in pdf_text(tmp_path / "brief.pdf")
    assert main(["publish", str(path), "--formats", "docx"]) == 2  # Word needs the brief's content: cchc run
    assert "Định dạng không hỗ trợ: docx" in capsys.readouterr().err
    assert main(["publish", str(tmp_path / "missing.ipynb")]) == 2
    (tmp_path / "not.ipynb").write_text("không phải notebook", encoding="utf-8")
    assert main(["publish", str(tmp_path / "not.ipynb")]) == 1
    assert "Không xuất bản được" in capsys.readouterr().err


@pytest.mark.slow
def test_briefs_from_a_run_folder_equal_briefs_computed_afresh(ingested, demo_dir, tmp_path):
    import json

    from cchc_analysis.brief import group_brief, unit_brief
    from cchc_analysis.indicators import compute_indicators
    from cchc_analysis.ranking import compute_rankings

    quarter = parse_period("2023Q3")
    group = "Huyện Thanh Miện"
    records = compute_indicators(demo_dir, quarter, group=group)
    (tmp_path / "chi-so.json").write_text(json.dumps(records, ensure_ascii=False, default=str), encoding="utf-8")
    rankings = {group: compute_rankings(demo_dir, quarter, group=group)}
    (tmp_path / "xep-hang.json").write_text(json.dumps(rankings, ensure_ascii=False, default=str), encoding="utf-8")
    fresh = render_brief_html(unit_brief(demo_dir, quarter, "Thanh Giang", group))
    assert render_brief_html(unit_brief(demo_dir, quarter, "Thanh Giang", group, run_dir=tmp_path)) == fresh
    # a unit's own file, as the run writes it, is enough (the whole files away), and it is what is read
    from cchc_analysis.brief import RUN_UNITS_DIR, comparison_inputs, unit_inputs

    own = tmp_path / "own"
    (own / RUN_UNITS_DIR).mkdir(parents=True)
    cut = unit_inputs(records, rankings, comparison_inputs(demo_dir, quarter, ["30-11287", "30-11260"]))
    assert set(cut) == {"30-11287", "30-11260"}
    (own / RUN_UNITS_DIR / "thanh-giang.json").write_text(json.dumps(cut["30-11287"], default=str), encoding="utf-8")
    assert render_brief_html(unit_brief(demo_dir, quarter, "Thanh Giang", group, run_dir=own)) == fresh
    cut["30-11287"]["record"]["received_total"] = 888_888
    (own / RUN_UNITS_DIR / "thanh-giang.json").write_text(json.dumps(cut["30-11287"], default=str), encoding="utf-8")
    assert "888.888" in render_brief_html(unit_brief(demo_dir, quarter, "Thanh Giang", group, run_dir=own))
    # a file under the unit's name holding another unit's figures is not read
    (own / RUN_UNITS_DIR / "thanh-giang.json").write_text(json.dumps(cut["30-11260"], default=str), encoding="utf-8")
    assert render_brief_html(unit_brief(demo_dir, quarter, "Thanh Giang", group, run_dir=own)) == fresh
    assert render_brief_html(group_brief(demo_dir, quarter, group, run_dir=tmp_path)) == render_brief_html(
        group_brief(demo_dir, quarter, group)
    )
    # the folder's figures are really the ones used (a planted value shows), and only for their own period
    for r in records:
        if r["unit_id"] == "30-11287":
            r["received_total"] = 999_999
    (tmp_path / "chi-so.json").write_text(json.dumps(records, ensure_ascii=False, default=str), encoding="utf-8")
    assert "999.999" in render_brief_html(unit_brief(demo_dir, quarter, "Thanh Giang", group, run_dir=tmp_path))
    other = render_brief_html(unit_brief(demo_dir, parse_period("2023Q2"), "Thanh Giang", group, run_dir=tmp_path))
    assert "01/04/2023" in other and "999.999" not in other
    # a unit listed without figures (its exports missing) is not counted among the ranked, and is named
    for r in rankings[group]:
        if r["unit_id"] == "30-11287":
            # as the ranking leaves a unit without dossiers: no value, and its volume 0 flagged as below the minimum
            r.update(value=None, rank=None, ci_low=None, ci_high=None, flag=None, low_volume=True)
    (tmp_path / "xep-hang.json").write_text(json.dumps(rankings, ensure_ascii=False, default=str), encoding="utf-8")
    # (the demo's Tân Trào, with 20 dossiers in 2023Q3, has a value but is too small to rank: said, not counted)
    brief = group_brief(demo_dir, quarter, group, run_dir=tmp_path)
    (first, table) = brief.sections[0].blocks
    assert brief.key_figures["Số đơn vị xếp hạng"] == "15"
    assert first.startswith("Xếp hạng 15 đơn vị của Huyện Thanh Miện kỳ 01/07/2023 – 30/09/2023; ")
    assert first.endswith(
        " Không xếp hạng (Xã Tân Trào): mẫu số dưới 30 hồ sơ, quá ít để thứ hạng có ý nghĩa; giá trị và khoảng tin "
        "cậy vẫn nêu. Không có số liệu để xếp hạng trong kỳ (dấu —): Xã Thanh Giang."
    )
    shown = table.frame.set_index("Đơn vị").iloc[:, 0]
    assert (shown["Xã Tân Trào"], shown["Xã Thanh Giang"]) == ("100,0% (ít hồ sơ)", "—")


def test_the_annex_names_each_kind_of_file_as_the_classifier_does(tmp_path):
    import json

    from cchc_analysis.brief import _annex
    from cchc_analysis.ingest.classify import KINDS
    from cchc_analysis.methodology import load_methodology
    from cchc_analysis.periods import parse_period

    files = [
        {"file": "u/ds.xlsx", "kind": "dossier_list", "unit_id": "U", "period_start": "2023-07-01",
         "period_end": "2023-07-31", "rows_kept": 10, "rows_rejected": 0},
        {"file": "u/bieu.xlsx", "kind": "manual_input", "unit_id": "U", "rows_kept": 5, "rows_rejected": 0},
        {"file": "u/dm.xlsx", "kind": "catalogue", "unit_id": "U", "rows_kept": 3, "rows_rejected": 0},
    ]  # fmt: skip
    (tmp_path / "ingest_report.json").write_text(json.dumps({"files": files}), encoding="utf-8")
    rec = {"unit_id": "U", "warnings": [], "missing": {}}
    annex = _annex(tmp_path, rec, parse_period("2023-07"), pd.DataFrame(), load_methodology())
    table = annex.blocks[0].frame
    # the manual-input workbook was listed under its internal key ("manual_input") before: every kind by its name
    assert table["Loại"].tolist() == [KINDS["dossier_list"], KINDS["manual_input"], KINDS["catalogue"]]
    assert table["Loại"].tolist() == [
        "Danh sách hồ sơ một cửa",
        "Biểu nhập số liệu thủ công",
        "Danh mục thủ tục hành chính",
    ]


def test_html_and_word_follow_the_one_order_of_the_briefs_parts():
    # one list of parts for every renderer: body sections in their order, then the signature, then the annexes
    # (an annex listed among the sections still comes after the signature)
    brief = Brief(
        kind="unit",
        slug="x",
        name="Xã X",
        period=parse_period("2023Q3"),
        issuer=("ỦY BAN NHÂN DÂN", "XÃ X"),
        place="X",
        subject="Thử",
        sections=[
            Section("a", "1. Mục một", ["Đoạn một."]),
            Section("annex", "Phụ lục. Chất lượng dữ liệu", ["Đoạn phụ lục."], annex=True),
            Section("b", "2. Mục hai", ["Đoạn hai."]),
        ],
    )
    assert [type(p).__name__ for p in brief.parts()] == ["HeadingView", "Section", "Section", "HeadingView", "Section"]
    html = render_brief_html(brief)
    order = ["1. Mục một", "2. Mục hai", "Nơi nhận", "Phụ lục. Chất lượng dữ liệu"]
    positions = [html.index(t) for t in order]
    assert positions == sorted(positions)
    body = Document(io.BytesIO(brief_docx(brief))).element.body
    text = "".join(body.itertext())
    positions = [text.index(t) for t in order]
    assert positions == sorted(positions)


def test_a_rank_among_too_few_units_is_not_shown():
    # "1/1" or "1/2" says nothing about a unit: below the methodology's minimum (3) the brief names the indicator
    from cchc_analysis.brief import Notice, _rank_section
    from cchc_analysis.methodology import load_methodology

    def record(indicator, rank, of):
        return {"indicator": indicator, "unit_id": "U", "value": 50.0, "rank": rank, "rank_of": of, "ci_low": 40.0,
                "ci_high": 60.0, "rank_p05": 1, "rank_p95": of, "flag": "similar"}  # fmt: skip

    m = load_methodology()
    alone = _rank_section({}, "Huyện X", [record("online_rate", 1, 1), record("resolved_early_pct", 1, 2)], m)
    (notice,) = alone.blocks
    assert isinstance(notice, Notice)
    assert notice.text == (
        "Không so sánh được trong nhóm (Hồ sơ nộp trực tuyến, Hồ sơ giải quyết trước hạn): ít hơn 3 đơn vị của "
        "Huyện X có số liệu trong kỳ."
    )
    three = _rank_section({}, "Huyện X", [record("online_rate", 2, 3), record("resolved_early_pct", 1, 2)], m)
    table = next(b for b in three.blocks if isinstance(b, Table))
    assert table.frame["Xếp thứ"].tolist() == ["2/3"] and isinstance(three.blocks[0], Notice)


def test_an_indicator_with_too_few_dossiers_shows_its_value_without_a_rank_and_says_why():
    from cchc_analysis.brief import _rank_section
    from cchc_analysis.methodology import load_methodology

    small = {"indicator": "online_rate", "unit_id": "U", "value": 100.0, "rank": None, "rank_of": 17, "ci_low": 83.9,
             "ci_high": 100.0, "rank_p05": 1, "rank_p95": 1, "flag": "similar", "low_volume": True}  # fmt: skip
    ranked = {**small, "indicator": "resolved_early_pct", "value": 95.0, "rank": 4, "rank_p05": 2, "rank_p95": 7,
              "low_volume": False}  # fmt: skip
    section = _rank_section({}, "Huyện X", [small, ranked], load_methodology())
    table = next(b for b in section.blocks if isinstance(b, Table)).frame.set_index("Chỉ số")
    assert table.loc["Hồ sơ nộp trực tuyến", ["Giá trị", "Xếp thứ", "Thứ hạng có thể (5–95%)"]].tolist() == [
        "100,0%",
        "—",
        "—",  # not "1–1": a unit too small to rank is never shown as the best
    ]
    assert table.loc["Hồ sơ giải quyết trước hạn", ["Xếp thứ", "Thứ hạng có thể (5–95%)"]].tolist() == ["4/17", "2–7"]
    assert section.blocks[-1].endswith(
        " Không xếp hạng (Hồ sơ nộp trực tuyến): mẫu số dưới 30 hồ sơ, quá ít để thứ hạng có ý nghĩa; giá trị và "
        "khoảng tin cậy vẫn nêu."
    )


def test_a_budget_missing_for_a_reason_says_the_reason_as_a_sentence():
    from cchc_analysis.brief import _budget_section
    from cchc_analysis.periods import parse_period

    reason = "không có báo cáo ngân sách trong năm tài chính đến cuối kỳ"
    section = _budget_section(
        {"budget_as_of": None, "missing": {"revenue_execution_pct": reason}}, parse_period("2023Q3"), {"budget": []}
    )
    assert [b.text for b in section.blocks] == ["Không có báo cáo ngân sách trong năm tài chính đến cuối kỳ."]
    unstated = _budget_section({"budget_as_of": None, "missing": {}}, parse_period("2023Q3"), {"budget": []})
    assert [b.text for b in unstated.blocks] == ["Chưa có báo cáo ngân sách của kỳ."]


def _laid_out(html: str):
    """The brief laid out by WeasyPrint as the PDF is (its own page boxes), for checks on geometry."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from cchc_analysis.publish.pdf import _fetcher, font_css

    fonts, fetcher = FontConfiguration(), _fetcher()
    css = weasyprint.CSS(string=font_css(), font_config=fonts, url_fetcher=fetcher)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).render(stylesheets=[css], font_config=fonts)


def _boxes(box):
    for child in getattr(box, "children", None) or []:
        yield child
        yield from _boxes(child)


def _split_figures(page_box) -> list[tuple[str, str]]:
    """Consecutive lines of a numeric cell that cut one figure in two (no space or dash between them)."""
    out = []
    for cell in (b for b in _boxes(page_box) if type(b).__name__ == "TableCellBox"):
        if "num" not in (cell.element.get("class") or "").split():
            continue
        lines = ["".join(t.text for t in _boxes(line) if type(t).__name__ == "TextBox") for line in cell.children]
        source = "".join(cell.element.itertext())
        out += [
            (a, b) for a, b in itertools.pairwise(lines) if a[-1:] not in "–-/ " and a.strip() + b.strip() in source
        ]
    return out


FALLBACK_LAYOUT = """
import sys
sys.path.insert(0, sys.argv[2])
from test_publish import _boxes, _laid_out
worst = 0.0
for page in _laid_out(open(sys.argv[1], encoding="utf-8").read()).pages:
    box = page._page_box
    right = box.margin_width() - box.margin_right
    worst = max([worst] + [b.position_x + b.margin_width() - right for b in _boxes(box) if hasattr(b, "position_x")])
print(worst)
"""


@pytest.mark.slow
def test_a_brief_keeps_inside_its_margins_where_no_times_metric_font_is_installed(demo_run, tmp_path):
    """Many servers have DejaVu alone (wider than Times): the widest table, TT 01's thirteen columns, must still fit."""
    import subprocess
    import sys

    import matplotlib

    folder, _manifest = demo_run
    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf"  # the fonts the brief falls back to
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        f'<?xml version="1.0"?><fontconfig><dir>{dejavu}</dir><cachedir>{tmp_path / "cache"}</cachedir>'
        '<include ignore_missing="yes">/etc/fonts/conf.d</include></fontconfig>',
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    html = folder / "thanh-giang_2023Q4.html"
    argv = [sys.executable, "-c", FALLBACK_LAYOUT, str(html), str(Path(__file__).parent)]
    worst = float(subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout)
    assert worst <= 1, f"{worst:.1f} pt past the right margin"


@pytest.mark.slow
def test_the_recipients_and_the_signature_are_never_split_across_two_pages(demo_run):
    # the closing pushed down the last page by steps of 20 mm: wherever the page ends, "Nơi nhận" and the signer's
    # title stay together (the signature alone atop a page would sign nothing)
    folder, _manifest = demo_run
    html = (folder / "thanh-giang_2023Q4.html").read_text(encoding="utf-8")
    at = html.index('<table class="doc-closing"')
    for push in range(0, 261, 20):
        document = _laid_out(f'{html[:at]}<div style="height: {push}mm"></div>{html[at:]}')
        texts = [" ".join(b.text for b in _boxes(p._page_box) if type(b).__name__ == "TextBox") for p in document.pages]
        (page,) = [t for t in texts if "Nơi nhận:" in t]
        assert "CHỦ TỊCH" in page and "Lưu: VT." in page, push


@pytest.mark.slow
def test_the_published_pages_keep_inside_their_margins_and_captions_with_their_tables(demo_run):
    folder, _manifest = demo_run
    briefs = sorted(p.name for p in folder.glob("*_2023Q4.html"))
    assert len(briefs) == 18  # the demo run's 17 communes and the district, every one checked
    for name in briefs:
        document = _laid_out((folder / name).read_text(encoding="utf-8"))
        for number, page in enumerate(document.pages, 1):
            page_box = page._page_box
            right = page_box.margin_width() - page_box.margin_right
            past = [
                (type(b).__name__, getattr(b, "text", "")[:30])
                for b in _boxes(page_box)
                if type(b).__name__ in ("TextBox", "TableBox", "InlineReplacedBox", "BlockReplacedBox")
                and b.position_x + b.margin_width() > right + 1
            ]
            assert past == [], (name, number, past)
            # a figure is never cut inside itself ("83,1" / "3%"): a cell may wrap at a space or after a dash only
            assert _split_figures(page_box) == [], (name, number)
            for wrapper in (b for b in _boxes(page_box) if type(b).__name__ == "TableWrapperBox"):
                kinds = [type(b).__name__ for b in _boxes(wrapper)]
                if "TableCaptionBox" in kinds:  # a caption on this page has at least one row of its table below it
                    body_rows = [
                        r
                        for g in _boxes(wrapper)
                        if type(g).__name__ == "TableRowGroupBox" and not g.is_header
                        for r in g.children
                    ]
                    assert body_rows, (name, number, "caption without its table")
