"""The full periodic report (the Word draft): the outline of the reference report, the data where the data exist,
the official's texts and figures from the manual-input workbook elsewhere, "[cần bổ sung: …]" where neither does;
every number of a generated paragraph traced to an indicator or a workbook cell."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil

import pytest
from docx import Document
from openpyxl import load_workbook

from cchc_analysis.ingest.manual import DATA_SHEET, TEXT_SHEET, write_template
from cchc_analysis.outline import text_parts
from cchc_analysis.periods import parse_period
from cchc_analysis.publish.docx import brief_docx
from cchc_analysis.registry import UnitRegistry
from cchc_analysis.report import Authored, Placeholder, full_report, outline_of, placeholders
from cchc_analysis.store import ingest
from cchc_analysis.text import fold

PERIOD = parse_period("2023-01-01..2023-08-31")
TG = "30-11287"

# the headings of the reference report (bao-cao-cchc-xa-thanh-giang-2023.txt), in its order, typed from it: each
# must open a heading of the draft, in the same order
REFERENCE_OUTLINE = [
    "Phần I ĐẶC ĐIỂM, TÌNH HÌNH",
    "I. VỀ TỔ CHỨC BỘ MÁY, CÁN BỘ CÔNG CHỨC",
    "II. KHÁI QUÁT CHUNG",
    "1. Thuận lợi",
    "2. Khó khăn",
    "Phần II TÌNH HÌNH VÀ KẾT QUẢ THỰC HIỆN",
    "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH",
    "1. Việc triển khai, chỉ đạo thực hiện CCHC năm 2023",
    "1.1. Công tác triển khai, ban hành các văn bản chỉ đạo",
    "1.2. Kết quả thực hiện nhiệm vụ",
    "1.3. Việc tổ chức tự kiểm điểm",
    "1.4. Công việc đột phá đã đăng ký về CCHC và kết quả thực hiện năm 2023",
    "1.5. Việc xây dựng và áp dụng các sáng kiến",
    "1.6. Tình hình tổ chức thực hiện công tác tuyên truyền; công tác kiểm tra",
    "1.7. Việc tổ chức đối thoại của người đứng đầu với người dân, doanh nghiệp",
    "1.8. Báo cáo tiến độ triển khai các nhiệm vụ, đề án trong Kế hoạch CCHC",
    "2. Tồn tại, hạn chế và nguyên nhân",
    "2.1. Tồn tại, hạn chế",
    "2.2. Nguyên nhân",
    "II. KẾT QUẢ, TIẾN ĐỘ TRIỂN KHAI THỰC HIỆN NHIỆM VỤ",
    "1. Cải cách thể chế",
    "a) Kết quả đạt được",
    "b) Hạn chế, nguyên nhân",
    "2. Cải cách thủ tục hành chính (TTHC)",
    "a) Kết quả đạt được",
    "b) Hạn chế, nguyên nhân",
    "3. Cải cách tổ chức bộ máy",
    "a) Kết quả đạt được",
    "b) Tồn tại, hạn chế và nguyên nhân",
    "4. Cải cách chế độ công vụ",
    "a) Kết quả đạt được",
    "b) Tồn tại, hạn chế và nguyên nhân",
    "5. Cải cách tài chính công",
    "a) Kết quả đạt được",
    "b) Tồn tại, hạn chế và nguyên nhân",
    "6. Xây dựng và phát triển Chính quyền điện tử, chính quyền số",
    "a) Kết quả đạt được",
    "b) Hạn chế, nguyên nhân",
    "III. NHIỆM VỤ VÀ GIẢI PHÁP TRONG THỜI GIAN TỚI",
    "IV. ĐỀ XUẤT, KIẾN NGHỊ",
]

# every figure of the workbook, as the reference report quotes them where it does (plan: 30 of 36 tasks on
# 09/06/2023 = 83,33%; 05 dialogues; 20 officials and civil servants, 10 part-time staff)
FIGURES = {
    "as_of:staff": dt.date(2023, 8, 31),
    "officials_total": 9,
    "officials_standard": 9,
    "civil_servants_total": 11,
    "civil_servants_standard": 10,  # 10/11 = 90,909..% -> 90,91%
    "part_time_total": 10,
    "as_of:plan": dt.date(2023, 6, 9),
    "plan_tasks_total": 36,
    "plan_tasks_done": 30,  # 83,333..% -> 83,33%
    "as_of:communication": dt.date(2023, 8, 31),
    "reform_news": 22,
    "dialogues": 5,
    "inspections": 2,
    "as_of:petitions": dt.date(2023, 8, 31),
    "pakn_received": 4,
    "pakn_on_time": 4,
    "as_of:publication": dt.date(2023, 8, 31),
    "procedures_published": 120,
    "procedures_published_on_time": 120,
    "as_of:iso": dt.date(2023, 8, 31),
    "iso_procedures_total": 120,
    "iso_procedures_done": 117,  # 97,5%
    "as_of:survey": dt.date(2023, 8, 31),
    "survey_respondents": 50,
    "survey_satisfied": 48,  # 96%
    "as_of:documents": dt.date(2023, 8, 31),
    "docs_issued_total": 400,
    "docs_issued_signed": 396,  # 99%
    "docs_received_total": 1200,
    "docs_received_electronic": 1200,
    "as_of:mailboxes": dt.date(2023, 8, 31),
    "mailboxes_issued": 20,
    "mailboxes_in_use": 20,
    "as_of:signatures": dt.date(2023, 8, 31),
    "signatures_organisation": 1,
    "signatures_personal": 3,
    "as_of:project06": dt.date(2023, 8, 31),
    "d06_birth_received": 60,
    "d06_birth_done": 59,  # 98,333..% -> 98,33%
    "d06_death_received": 12,
    "d06_death_done": 12,
    "as_of:certification": dt.date(2023, 8, 31),
    "e_certifications": 31,
}


def _workbook(path, texts: bool, figures: bool) -> None:
    import json

    from cchc_analysis.ingest.classify import MANUAL_INPUT_MARKER

    reg = UnitRegistry.shipped(scope="Huyện Thanh Miện")
    path.write_bytes(write_template(PERIOD, [reg.get(TG)]))
    wb = load_workbook(path)
    if figures:
        meta = json.loads(wb[MANUAL_INPUT_MARKER]["A1"].value)
        letter = {v.get("key") or f"as_of:{v['group']}": k for k, v in meta["columns"].items()}
        for key, value in FIGURES.items():
            wb[DATA_SHEET][f"{letter[key]}7"] = value
    if texts:
        ws = wb[TEXT_SHEET]
        for r in range(6, ws.max_row + 1):
            ws.cell(r, 4).value = f"Nội dung mục {ws.cell(r, 5).value} do công chức viết.\nĐoạn thứ hai."
    wb.save(path)


@pytest.fixture(scope="module")
def stores(ingested, demo_dir, tmp_path_factory):
    """The demo district with the workbook of Thanh Giang's 01/01–31/08/2023: empty, then complete."""
    mp = pytest.MonkeyPatch()
    mp.setenv("CCHC_PSEUDONYM_KEY", "a-test-key-of-enough-length")
    out = {}
    try:
        for name, filled in (("empty", False), ("complete", True)):
            data = tmp_path_factory.mktemp(name)
            shutil.copytree(demo_dir / "raw", data / "raw")
            shutil.copytree(demo_dir / "processed", data / "processed")  # the files' rows are reused, not read again
            _workbook(data / "raw" / "bieu-nhap-lieu.xlsx", texts=filled, figures=filled)
            assert ingest(data).refused == []
            out[name] = data
    finally:
        mp.undo()
    return out


def test_the_draft_follows_the_reference_reports_outline(stores):
    report = full_report(stores["empty"], PERIOD, "Thanh Giang")
    headings = [h.replace("\n", " ") for h in outline_of(report)]
    at = 0
    for expected in REFERENCE_OUTLINE:
        found = next((i for i in range(at, len(headings)) if fold(headings[i]).startswith(fold(expected))), None)
        assert found is not None, f"{expected!r} missing after {headings[at - 1] if at else 'the start'!r}"
        at = found + 1
    assert headings[-1] == "Phụ lục. Chất lượng dữ liệu"  # the brief's annex, after the signature
    levels = {s.title.split("\n")[0]: s.level for s in report.sections if s.title}
    assert (levels["Phần I"], levels["I. VỀ TỔ CHỨC BỘ MÁY, CÁN BỘ CÔNG CHỨC"], levels["1. Thuận lợi"]) == (0, 1, 2)


def test_without_texts_every_part_to_write_is_marked_and_the_data_are_there(stores):
    report = full_report(stores["empty"], PERIOD, "Thanh Giang")
    todo = placeholders(report)
    assert len(todo) == len(text_parts()) == 28
    opening = report.sections[0]
    assert opening.key == "opening" and not opening.title
    assert opening.blocks[0].text.startswith("[cần bổ sung: Căn cứ báo cáo")
    # the data paragraphs of the reference report, from the exports (the seed's figures)
    tthc = report.section("procedures_results").blocks
    assert tthc[0] == (
        "Tổng số hồ sơ TTHC đã tiếp nhận từ 01/01/2023 đến 31/08/2023 là 2.527 hồ sơ, trong đó tiếp nhận trực tuyến "
        "2.389 hồ sơ, trực tiếp 126 hồ sơ, chuyển từ kỳ trước 12 hồ sơ."
    )
    review = report.section("direction_self_review").blocks
    assert any("8,417/11,5 điểm = 73,19% (xếp thứ 11/17)" in b for b in review if isinstance(b, str))
    # the ranks in the group (six dossier rates, the PAR total) with the dossier results, not under the PAR
    # self-review, where the reference report gives only the component's rank
    ranked = [s.key for s in report.sections for b in s.blocks if "Thứ hạng của đơn vị" in getattr(b, "caption", "")]
    assert ranked == ["procedures_results"]
    budget = [b for b in report.section("public_finance_results").blocks if isinstance(b, str)]
    assert any("5.599.554.000" in b for b in budget)
    assert isinstance(report.section("tasks").blocks[-1], Placeholder)
    # tables numbered in the order they appear: the PAR table (1.3) comes before the TT 01 table (2.a)
    captions = [b.caption for s in report.sections for b in s.blocks if hasattr(b, "caption") and b.caption]
    numbered = [c.split(".")[0] for c in captions if c.startswith("Bảng ") and not c.startswith("Bảng P")]
    assert numbered == [f"Bảng {i}" for i in range(1, len(numbered) + 1)]
    assert captions[0].startswith("Bảng 1. Điểm chỉ số CCHC năm 2022")


def test_a_complete_workbook_leaves_nothing_to_write(stores):
    report = full_report(stores["complete"], PERIOD, "Thanh Giang")
    assert placeholders(report) == []
    tasks = report.section("tasks").blocks[-1]
    assert isinstance(tasks, Authored) and tasks.text == "Nội dung mục tasks do công chức viết.\nĐoạn thứ hai."
    assert "bieu-nhap-lieu.xlsx" in tasks.source and f"«{TEXT_SHEET}»" in tasks.source
    said = {s.key: [b for b in s.blocks if isinstance(b, str)] for s in report.sections}
    assert (
        "Đến ngày 31/08/2023, đơn vị có 9 cán bộ, 11 công chức, 10 người hoạt động không chuyên trách cấp xã."
        in (said["organisation"])
    )
    assert (
        "Kế hoạch cải cách hành chính của đơn vị có 36 nhiệm vụ; tính đến ngày 09/06/2023 đã hoàn thành 30 nhiệm vụ, "
        "đạt 83,33%." in said["direction_plan"]
    )
    assert (
        "Trong kỳ, đơn vị đã tổ chức 5 hội nghị đối thoại của người đứng đầu với người dân."
        in said["direction_dialogue"]
    )
    assert (
        "Trình độ chuẩn theo quy định: cán bộ đạt chuẩn 9/9 (100,00%); công chức đạt chuẩn 10/11 (90,91%)."
        in said["civil_service_results"]
    )
    assert (
        "Xây dựng, áp dụng quy trình ISO: 117/120 (97,50%) thủ tục hành chính có quy trình."
        in said["procedures_results"]
    )
    assert "Dịch vụ công liên thông (Đề án 06): nhóm khai sinh hoàn thành 59/60 (98,33%) hồ sơ; nhóm khai tử hoàn " \
        "thành 12/12 (100,00%) hồ sơ." in said["digital_results"]  # fmt: skip


NUMBER = re.compile(r"\d+(?:\.\d{3})*(?:,\d+)?")
DATE = re.compile(r"\d{2}/\d{2}/\d{4}")


def _shown(value) -> set[str]:
    """The ways a figure can be written: whole, or with 1 to 3 decimals, Vietnamese separators."""
    from cchc_analysis.methodology import format_vn

    out = set()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return out
    for places in range(4):
        out.add(format_vn(value, places))
    return out


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def test_every_number_of_a_generated_paragraph_is_traced(stores):
    """Each number in the sentences the suite writes is a figure of the unit's record (indicators, the workbook's
    figures, the PAR components, the ranks), of the records of the periods it is compared with (or their
    difference), a date of the record or the period, a year, or one of the rule's constants named here."""
    from cchc_analysis.coverage import coverage_table
    from cchc_analysis.indicators import compute_indicators
    from cchc_analysis.periods import same_period_last_year

    data = stores["complete"]
    report = full_report(data, PERIOD, "Thanh Giang")
    rec = report.record
    (old,) = compute_indicators(data, same_period_last_year(PERIOD), units=["Thanh Giang"])
    allowed = set()
    for value in [*_leaves(rec), *_leaves(old)]:
        allowed |= _shown(value)
    for key in ("received_total", "online_rate", "on_time_rate_766", "online_payment_rate"):
        if rec.get(key) is not None and old.get(key) is not None:
            allowed |= _shown(abs(rec[key] - old[key])) | _shown(abs(100 * (rec[key] - old[key]) / old[key]))
    ranks = [r for s in report.sections for b in s.blocks if hasattr(b, "frame") for r in b.frame.to_numpy().ravel()]
    allowed |= {str(v) for v in ranks}
    dates = {f"{PERIOD.start:%d/%m/%Y}", f"{PERIOD.end:%d/%m/%Y}", "01/01/2022", "31/08/2022"}
    dates |= {
        f"{dt.date.fromisoformat(str(v)[:10]):%d/%m/%Y}"
        for v in _leaves(rec)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", str(v))
    }
    # the annex's days of the period the exports cover
    coverage = coverage_table(data, PERIOD).set_index("unit_id").loc[TG]
    allowed |= {str(coverage["days_covered"]), str(coverage["days"])}
    # constants the sentences name: QĐ 766's indicator 2.1, Đề án 06, the 75% threshold, Wilson 95% and the 5–95%
    # rank range, the number of components below 75% written "01"
    allowed |= {"766", "2,1", "2.1", "06", "75", "95", "5", "01", "100"}
    untraced = []
    for section in report.sections:
        for block in section.blocks:
            texts = [block] if isinstance(block, str) else [f"{k.value} {k.note}" for k in block] if isinstance(
                block, list
            ) else []  # fmt: skip
            for text in texts:
                for day in DATE.findall(text):
                    if day not in dates:
                        untraced.append((section.key, day, text))
                for number in NUMBER.findall(DATE.sub("", text).replace("2.1,", "")):
                    if number not in allowed and not (len(number) == 4 and 2000 <= int(number) <= 2100):
                        untraced.append((section.key, number, text))
    assert untraced == [], "\n".join(map(str, untraced))


def test_the_word_draft_marks_what_is_left_to_write(stores):
    doc = Document(io.BytesIO(brief_docx(full_report(stores["empty"], PERIOD, "Thanh Giang"))))
    marked = [p for p in doc.paragraphs if p.text.startswith("[cần bổ sung:")]
    assert len(marked) == 28
    assert all(p.runs[0].font.highlight_color is not None and p.runs[0].font.bold for p in marked)
    texts = [p.text for p in doc.paragraphs]
    assert texts.index("Phần I") < texts.index("I. VỀ TỔ CHỨC BỘ MÁY, CÁN BỘ CÔNG CHỨC") < texts.index("Phần II")
    complete = Document(io.BytesIO(brief_docx(full_report(stores["complete"], PERIOD, "Thanh Giang"))))
    lines = [p.text for p in complete.paragraphs]
    assert not [t for t in lines if t.startswith("[cần bổ sung:")]
    assert "Nội dung mục tasks do công chức viết." in lines and lines.count("Đoạn thứ hai.") == 28


def test_comparisons_only_with_periods_the_exports_cover(stores):
    from cchc_analysis.brief import change_text, comparisons
    from cchc_analysis.indicators import compute_indicators

    data = stores["empty"]
    # the demo's exports start on 01/01/2022: its first quarter has neither a same quarter nor a quarter before
    first = parse_period("2022Q1")
    (rec,) = compute_indicators(data, first, units=["Thanh Giang"])
    assert [c.sentence for c in comparisons(data, first, rec)] == [
        "Chưa so sánh được với cùng kỳ năm 2021 (01/01/2021 – 31/03/2021): các tệp xuất chưa phủ hết kỳ đó.",
        "Chưa so sánh được với kỳ trước (01/10/2021 – 31/12/2021): các tệp xuất chưa phủ hết kỳ đó.",
    ]
    # 2023Q4 against 2022Q4 and 2023Q3, both covered: every compared figure, said as change_text says it
    last = parse_period("2023Q4")
    (rec,) = compute_indicators(data, last, units=["Thanh Giang"])
    year, quarter = comparisons(data, last, rec)
    assert (year.label, quarter.label) == ("cùng kỳ năm 2022", "kỳ trước")
    (old,) = compute_indicators(data, parse_period("2022Q4"), units=["Thanh Giang"])
    assert year.changes["received_total"] == change_text("received_total", rec["received_total"], old["received_total"])
    # the demo's exports record the payment method from 01/06/2023: no online payment rate in 2022Q4 to compare
    assert old["online_payment_rate"] is None and rec["online_payment_rate"] is not None
    assert set(year.changes) == {"received_total", "online_rate", "on_time_rate_766"}
    assert set(quarter.changes) == {"received_total", "online_rate", "on_time_rate_766", "online_payment_rate"}
    assert year.sentence.startswith("So với cùng kỳ năm 2022 (01/10/2022 – 31/12/2022): tổng số hồ sơ tiếp nhận ")


def test_a_run_computes_the_comparisons_once_for_its_units_and_each_brief_reads_them(stores, tmp_path):
    import copy
    import json

    from cchc_analysis.brief import COMPARED_FILE, comparison_inputs, comparisons, precomputed_comparisons
    from cchc_analysis.indicators import compute_indicators

    data = stores["empty"]
    last = parse_period("2023Q4")
    recs = {r["unit_id"]: r for r in compute_indicators(data, last, units=["Thanh Giang", "Lam Sơn", "Tứ Cường"])}
    tg, ls, tc = recs
    inputs = comparison_inputs(data, last, [tg, ls])
    # computed for two units at once: each unit's sentences as computed for it alone
    for unit in (tg, ls):
        assert comparisons(data, last, recs[unit], inputs) == comparisons(data, last, recs[unit])
    # the inputs are what the sentences are made of: the same count a year before reads "không đổi"
    tampered = copy.deepcopy(inputs)
    tampered["periods"][0]["records"][tg]["received_total"] = recs[tg]["received_total"]
    year, _quarter = comparisons(data, last, recs[tg], tampered)
    assert year.changes["received_total"] == "không đổi"
    # a unit without a record in an earlier period is not compared with it
    del tampered["periods"][1]["records"][tg]
    assert comparisons(data, last, recs[tg], tampered)[1].sentence == (
        "Chưa so sánh được với kỳ trước (01/07/2023 – 30/09/2023): các tệp xuất chưa phủ hết kỳ đó."
    )
    # a unit the inputs were not computed for is computed on its own (not "not covered")
    assert comparisons(data, last, recs[tc], inputs) == comparisons(data, last, recs[tc])
    # through the run folder's file; another period's file is not read
    (tmp_path / COMPARED_FILE).write_text(json.dumps(inputs, default=str), encoding="utf-8")
    assert comparisons(data, last, recs[tg], precomputed_comparisons(tmp_path, last)) == comparisons(
        data, last, recs[tg]
    )
    assert precomputed_comparisons(tmp_path, parse_period("2023Q3")) is None
    assert precomputed_comparisons(tmp_path / "none", last) is None
