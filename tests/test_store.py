"""cchc ingest and the processed store: the demo district end to end, idempotence, bad files, personal data."""

import datetime as dt
import io
import json
import os
import re
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook

from cchc_analysis.cli import main
from cchc_analysis.demo.generate import demo_units, unit_dossiers
from cchc_analysis.errors import CchcError
from cchc_analysis.store import ingest, load_dossiers, read_dossiers

from .conftest import digests
from .ingest.builders import HEADER, dossier_row, simple_export, write_xlsx


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv("CCHC_PSEUDONYM_KEY", "a-test-key-of-enough-length")


@pytest.mark.slow
def test_every_demo_export_is_ingested(ingested, demo_dir):
    outcome, _raw, _logs = ingested
    assert outcome.refused == []
    dossier_files = [r for r in outcome.reports if r.kind == "dossier_list"]
    # 17 units x 14 quarters (2022Q1-2025Q2) + Thanh Giang's August 2023 + 5 successors x 5 quarters (2025Q3-2026Q3)
    assert len(dossier_files) == 17 * 14 + 1 + 5 * 5
    for r in dossier_files:
        assert r.rows_read == r.rows_kept + r.rows_rejected
        assert r.rows_kept > 0 and r.unit_id and r.period_source == "title"
        assert r.stated_total in (None, r.rows_read)
    kinds = {r.kind for r in outcome.reports}
    assert kinds == {"dossier_list", "catalogue", "budget", "par"}
    hong_phong = next(r for r in dossier_files if r.file.startswith("hong-phong/"))
    assert hong_phong.legacy_columns and not hong_phong.unknown_values  # TCVN3 decoded, every value known


@pytest.mark.slow
def test_seed_figures_from_the_processed_store(ingested, demo_dir):
    start, end = pd.Timestamp("2023-01-01"), pd.Timestamp("2023-08-31")
    d = load_dossiers(demo_dir, period="2023-01-01..2023-08-31", units=["UBND xã Thanh Giang"])
    d = d[d["status"] != "not_accepted"]
    day = d["received_at"].dt.normalize()
    finish = d["processed_at"].fillna(d["result_at"]).fillna(d["handed_at"]).dt.normalize()
    new = d[day >= start]
    assert new["channel"].value_counts().to_dict() == {"online": 2389, "direct": 126}
    assert (day < start).sum() == 12
    stopped = d["status"].isin(["withdrawn", "returned"])
    resolved = d[finish.between(start, end) & ~stopped]
    due = resolved["due_at"].dt.normalize()
    done = finish[resolved.index]
    assert (len(resolved), (done < due).sum(), (done == due).sum(), (done > due).sum()) == (2521, 2515, 6, 0)
    assert (finish.isna() | (finish > end)).sum() == 5
    assert stopped.sum() == 1
    summer = new[new["received_at"] >= "2023-06-01"]
    fees = summer[summer["fee"] > 0]
    assert (len(fees), (fees["payment_method"] == "online").sum()) == (1258, 1152)
    assert new.loc[new["channel"] == "online", "procedure"].nunique() == 18


def find_personal_data(blob: str, secrets: dict[str, set[str]]) -> set[str]:
    """Generated values found in ``blob``: every run of digits, every run of three or four capitalised words and
    every "Số N, thôn X, xã Y" address in the text is compared with the generated sets (a substring search of
    200,000 values through megabytes of text would take minutes)."""
    found = set(re.findall(r"\d{9,12}", blob)) & (secrets["phone"] | secrets["id_number"])
    words = re.findall(r"[^\W\d_]+", blob)
    for n in (3, 4):
        found |= {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)} & secrets["applicant"]
    found |= set(re.findall(r"Số \d+, thôn [^,\n]+, xã [^,\n\"|]+", blob)) & secrets["address"]
    return found


def test_the_leak_finder_finds_leaks():
    secrets = {
        "phone": {"0961131987"},
        "id_number": {"030123456789"},
        "applicant": {"Nguyễn Văn An"},
        "address": {"Số 12, thôn Tiêu Sơn, xã Thanh Giang"},
    }
    blob = "x 0961131987 | Nguyễn Văn An, Số 12, thôn Tiêu Sơn, xã Thanh Giang\n030123456789"
    assert find_personal_data(blob, secrets) == set().union(*secrets.values())
    assert find_personal_data("09611319870 Nguyễn Văn Anh", secrets) == set()


@pytest.mark.slow
def test_no_personal_data_in_anything_written(ingested, demo_dir):
    _outcome, _raw, logs = ingested
    secrets: dict[str, set[str]] = {"applicant": set(), "phone": set(), "id_number": set(), "address": set()}
    for index, unit in enumerate(demo_units()):
        for d in unit_dossiers(unit, index):
            for key in secrets:
                secrets[key].add(d[key])
    texts = list(logs)
    for path in (demo_dir / "processed").rglob("*"):
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            texts.extend(frame[c].astype(str).str.cat(sep="\n") for c in frame.columns)
        elif path.is_file():
            texts.append(path.read_text(encoding="utf-8"))
    assert find_personal_data("\n".join(texts), secrets) == set()


@pytest.mark.slow
def test_rerun_changes_nothing_and_raw_is_never_modified(ingested, demo_dir, monkeypatch):
    _outcome, raw_before, _logs = ingested
    # the key of the first ingest (the fixture's): alone, this test ran without it and the key id changed
    monkeypatch.setenv("CCHC_PSEUDONYM_KEY", "a-test-key-of-enough-length")
    processed_before = digests(demo_dir / "processed")
    again = ingest(demo_dir)
    assert digests(demo_dir / "processed") == processed_before
    assert digests(demo_dir / "raw") == raw_before
    assert again.refused == []


def test_changed_replaced_and_removed_files(tmp_path):
    raw = tmp_path / "raw" / "thanh-giang"
    a = simple_export(raw / "a.xlsx", [dossier_row(1, "A-1"), dossier_row(2, "A-2")])
    simple_export(raw / "b.xlsx", [dossier_row(1, "B-1")])
    assert ingest(tmp_path).dossiers == 3
    simple_export(a, [dossier_row(1, "A-1")])  # the export was redone with one dossier
    assert ingest(tmp_path).dossiers == 2
    assert sorted(load_dossiers(tmp_path)["code"]) == ["A-1", "B-1"]
    (raw / "b.xlsx").unlink()
    assert ingest(tmp_path).dossiers == 1


def test_overlapping_exports_keep_the_most_advanced_state(tmp_path):
    raw = tmp_path / "raw" / "thanh-giang"
    simple_export(
        raw / "thang8.xlsx",
        [
            dossier_row(1, "X-1", status="Đang xử lý", done=""),
            dossier_row(2, "X-2", status="Đang xử lý", done=""),
        ],
        period="Từ ngày 01/08/2023 đến ngày 31/08/2023",
    )
    simple_export(
        raw / "quy3.xlsx",
        [
            dossier_row(1, "X-1", status="Đã trả kết quả", done="05/09/2023 09:00"),
            dossier_row(2, "X-2", status="Đang xử lý", done="", pay="Tiền mặt"),
        ],
        period="Từ ngày 01/07/2023 đến ngày 30/09/2023",
    )
    outcome = ingest(tmp_path)
    assert outcome.duplicates_across_files == 2
    d = load_dossiers(tmp_path).set_index("code")
    assert d.loc["X-1", "status"] == "resolved"
    assert d.loc["X-2", "source_file"] == "thanh-giang/quy3.xlsx"  # same state: the later range end wins
    assert d.loc["X-2", "payment_method"] == "cash"


def test_bad_files_are_refused_one_by_one(tmp_path, capsys):
    raw = tmp_path / "raw" / "thanh-giang"
    simple_export(raw / "tot.xlsx", [dossier_row(1, "G-1")])
    (raw / "rong.xlsx").write_bytes(b"")
    (raw / "csv.xlsx").write_text("STT;Mã hồ sơ\n1;X\n", encoding="utf-8")
    (raw / "rac.xls").write_bytes(bytes(range(256)) * 4)
    good = (raw / "tot.xlsx").read_bytes()
    (raw / "cut.xlsx").write_bytes(good[: len(good) // 2])
    (raw / "khoa.xlsx").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le")
    )
    write_xlsx(raw / "trong.xlsx", [])
    write_xlsx(raw / "la.xlsx", [["Họ tên", "Ghi chú"], ["A", "B"]])
    (raw / "ghi-chu.txt").write_text("không phải bảng tính", encoding="utf-8")
    far = Workbook()
    far.active["A1"], far.active["XFD1048576"] = "x", "y"
    far.save(raw / "xa.xlsx")
    code = main(["ingest", "--data-dir", str(tmp_path)])
    _out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in err
    expected = {
        "rong.xlsx": "tệp rỗng",
        "csv.xlsx": "không nhận ra loại tệp",  # read as the CSV it is: two columns are no known layout
        "rac.xls": "nhị phân",
        "cut.xlsx": "hỏng",
        "khoa.xlsx": "mật khẩu",
        "trong.xlsx": "trống",
        "la.xlsx": "không nhận ra loại tệp",
    }
    for name, words in expected.items():
        line = next(line for line in err.splitlines() if name in line)
        assert words in line, (name, line)
    assert load_dossiers(tmp_path)["code"].tolist() == ["G-1"]
    report = json.loads((tmp_path / "processed" / "ingest_report.json").read_text(encoding="utf-8"))
    assert report["skipped"] == ["thanh-giang/ghi-chu.txt"]  # a note, not a table: listed, not refused
    assert "không phải bảng" in report["skipped_reasons"]["thanh-giang/ghi-chu.txt"]


def test_ingest_json_and_key_file(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CCHC_PSEUDONYM_KEY")
    simple_export(tmp_path / "raw" / "lam-son" / "a.xlsx", [dossier_row(1, "A-1")], title="DANH SÁCH HỒ SƠ")
    assert main(["ingest", "--data-dir", str(tmp_path), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["dossiers"] == 1 and doc["files"][0]["unit_id"] == "30-11260"
    key_file = tmp_path / ".cchc_pseudonym_key"
    assert key_file.is_file() and len(doc["pseudonym_key_id"]) == 12


def test_unknown_assumed_unit_is_a_clear_error(tmp_path, capsys):
    simple_export(tmp_path / "raw" / "a.xlsx", [dossier_row(1, "A-1")], title="DANH SÁCH")
    assert main(["ingest", "--data-dir", str(tmp_path), "--assume-unit", "Xã Không Có"]) == 2  # typed: usage
    assert "Không tìm thấy đơn vị 'Xã Không Có'" in capsys.readouterr().err


def test_load_dossiers_filters_period_and_units(tmp_path):
    raw = tmp_path / "raw"
    simple_export(
        raw / "thanh-giang" / "a.xlsx",
        [
            dossier_row(1, "T-1", received="01/06/2023", done="02/06/2023"),
            dossier_row(2, "T-2", received="01/07/2023", done="03/07/2023"),
            dossier_row(3, "T-3", received="30/06/2023", done=""),  # still open: handled in July too
        ],
    )
    simple_export(raw / "lam-son" / "b.xlsx", [dossier_row(1, "L-1", received="01/07/2023")], title="UBND XÃ LAM SƠN")
    ingest(tmp_path)
    july = load_dossiers(tmp_path, period=(dt.date(2023, 7, 1), dt.date(2023, 7, 31)), units=["Thanh Giang"])
    assert sorted(july["code"]) == ["T-2", "T-3"]
    assert len(load_dossiers(tmp_path)) == 4


def test_load_dossiers_before_ingest_says_what_to_do(tmp_path):
    from cchc_analysis.errors import InputFileError

    with pytest.raises(InputFileError, match="cchc ingest"):
        load_dossiers(tmp_path)


def test_a_zip_that_is_not_a_workbook(tmp_path, capsys):
    raw = tmp_path / "raw" / "thanh-giang"
    raw.mkdir(parents=True)
    with zipfile.ZipFile(raw / "z.xlsx", "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    assert main(["ingest", "--data-dir", str(tmp_path)]) == 1
    assert "z.xlsx" in capsys.readouterr().err


@pytest.mark.slow
def test_catalogue_budget_and_par_figures_of_the_seed(ingested, demo_dir):
    processed = demo_dir / "processed"
    catalogue = pd.read_parquet(processed / "catalogue.parquet")
    assert (catalogue["unit_id"] == "30-11287").sum() == 139
    budget = pd.read_parquet(processed / "budget.parquet")
    tg = budget[(budget["unit_id"] == "30-11287") & (budget["level"] == 0)]
    latest = tg[(tg["as_of"] <= "2023-08-31") & (tg["fiscal_year"] == 2023)]
    latest = latest[latest["as_of"] == latest["as_of"].max()].set_index("section")
    assert latest["as_of"].iloc[0] == pd.Timestamp("2023-08-31")
    assert latest.loc["revenue", ["estimate", "actual_cumulative"]].tolist() == [5_599_554_000, 4_246_019_295]
    assert latest.loc["expenditure", ["estimate", "actual_cumulative"]].tolist() == [5_534_154_000, 3_371_767_922]
    par = pd.read_parquet(processed / "par.parquet")
    egov = par[(par["year"] == 2022) & par["component"].str.contains("chính quyền số")]
    assert len(egov) == 17
    mine = egov[egov["unit_id"] == "30-11287"].iloc[0]
    assert (mine["score"], mine["max_score"]) == (8.417, 11.5)
    assert 1 + (egov["score"] > mine["score"]).sum() == 11
    assert mine["published_date"] == pd.Timestamp("2023-03-28")
    # the only budget warnings are the planted subtotal typo and its echo in the grand total
    outcome, _raw, _logs = ingested
    warned = {r.file for r in outcome.reports if r.kind == "budget" and r.warnings}
    assert warned == {"ngu-hung/ngan-sach/BC_thu_chi_NS_2023_05.xlsx"}
    dossiers = read_dossiers(processed)
    assert dossiers["catalogue_match"].notna().all()  # every demo procedure is in its unit's catalogue


@pytest.mark.slow
def test_indicators_command_gives_every_data_figure_of_the_seed_report(ingested, demo_dir, capsys):
    code = main(
        [
            "indicators",
            "--data-dir",
            str(demo_dir),
            "--period",
            "2023-01-01..2023-08-31",
            "--unit",
            "Thanh Giang",
            "--format",
            "json",
        ]
    )
    assert code == 0
    (r,) = json.loads(capsys.readouterr().out)
    assert list(r["missing"]) == ["satisfaction_rate"]  # the demo has no manual-input workbook (petitions)
    assert (r["received_total"], r["received_online"], r["received_direct"], r["carried_over"]) == (2527, 2389, 126, 12)
    assert (r["resolved_total"], r["resolved_early"], r["resolved_on_time"], r["resolved_late"]) == (2521, 2515, 6, 0)
    assert (r["pending_total"], r["pending_within_deadline"], r["withdrawn"]) == (5, 5, 1)
    assert r["resolved_early_pct"] == pytest.approx(100 * 2515 / 2521)  # 99.762 -> "99,8"
    assert (r["fee_dossiers"], r["fee_paid_online"], r["payment_tracked_from"]) == (1258, 1152, "2023-06-01")
    assert (r["procedures_with_online_dossiers"], r["procedures_total"]) == (18, 139)
    assert r["revenue_execution_pct"] == pytest.approx(100 * 4_246_019_295 / 5_599_554_000)  # 75.8278 -> "75,83"
    assert r["expenditure_execution_pct"] == pytest.approx(100 * 3_371_767_922 / 5_534_154_000)  # 60.9265
    assert r["budget_as_of"] == "2023-08-31" and r["par_year"] == 2022
    egov = next(c for c in r["par_components"] if "chính quyền số" in c["component"])
    assert (egov["score"], egov["max_score"], egov["rank"], egov["rank_of"]) == (8.417, 11.5, 11, 17)
    assert egov["pct"] == pytest.approx(100 * 8.417 / 11.5) and egov["self_review_required"]
    assert [c["component"] for c in r["par_components"] if c["below_75"]] == [egov["component"]]
    # the online share under Decision 766 (2,389 of 2,515 new dossiers), not the report's "2.389/2.389 = 100%"
    assert r["online_rate"] == pytest.approx(100 * 2389 / 2515)


@pytest.mark.slow
def test_indicators_table_in_vietnamese(ingested, demo_dir, capsys):
    assert (
        main(["indicators", "--data-dir", str(demo_dir), "--period", "2023-01-01..2023-08-31", "--unit", "Thanh Giang"])
        == 0
    )
    out = capsys.readouterr().out
    for text in (
        "2.527",
        "2.389",
        "2.515",
        "99,8",
        "1.152",
        "91,6",
        "75,83",
        "60,93",
        "5.599.554.000",
        "8,417/11,5 điểm = 73,19% (xếp thứ 11/17)",
    ):
        assert text in out, text


@pytest.mark.slow
def test_rank_command_json(ingested, demo_dir, capsys):
    assert (
        main(
            [
                "rank",
                "--data-dir",
                str(demo_dir),
                "--period",
                "2023-01-01..2023-08-31",
                "--group",
                "Huyện Thanh Miện",
                "--format",
                "json",
            ]
        )
        == 0
    )
    records = json.loads(capsys.readouterr().out)
    keys = {
        "unit_code",
        "unit_name",
        "indicator",
        "value",
        "rank",
        "rank_of",
        "change",
        "ci_low",
        "ci_high",
        "flag",
        "rank_median",
        "rank_p05",
        "rank_p95",
        "low_volume",
    }
    assert all(keys <= set(r) for r in records)
    egov = next(
        r
        for r in records
        if r["indicator"] == "par_component"
        and r["unit_name"] == "Xã Thanh Giang"
        and "chính quyền số" in r["component"]
    )
    assert (egov["rank"], egov["rank_of"], egov["below_75"]) == (11, 17, True)
    early = next(r for r in records if r["indicator"] == "resolved_early_pct" and r["unit_name"] == "Xã Thanh Giang")
    # the seed's 2,515 resolved early of 2,521: value, Wilson interval (statsmodels, independent) and 17 units ranked
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(2515, 2521, alpha=0.05, method="wilson")
    assert early["value"] == pytest.approx(100 * 2515 / 2521) and early["rank_of"] == 17
    assert (early["ci_low"], early["ci_high"]) == (pytest.approx(100 * low), pytest.approx(100 * high))
    # the funnel flag, worked out again from every unit's figures: beyond the pooled rate +/- 1,96 sigma at 95%
    from statistics import NormalDist

    rows = [r for r in records if r["indicator"] == "resolved_early_pct" and r["volume"]]
    pooled = sum(r["value"] * r["volume"] / 100 for r in rows) / sum(r["volume"] for r in rows)
    sigma = 100 * (pooled * (1 - pooled) / early["volume"]) ** 0.5
    z95 = NormalDist().inv_cdf(0.975)
    want = (
        "better"
        if early["value"] > 100 * pooled + z95 * sigma
        else "worse"
        if early["value"] < 100 * pooled - z95 * sigma
        else "similar"
    )
    assert early["flag"] == want and early["volume"] == 2521
    tiny = [r for r in records if r["unit_name"] == "Xã Tân Trào" and r["indicator"] == "online_payment_rate"]
    assert tiny[0]["low_volume"] and tiny[0]["rank"] is None


@pytest.mark.slow
def test_indicators_workbook(ingested, demo_dir, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "chi-so.xlsx"
    assert (
        main(
            [
                "indicators",
                "--data-dir",
                str(demo_dir),
                "--period",
                "2023-01-01..2023-08-31",
                "--unit",
                "Thanh Giang",
                "--format",
                "xlsx",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    wb = load_workbook(out)
    ws = wb["Chỉ số"]
    assert ws["A4"].value == "Tổng số hồ sơ tiếp nhận" and ws["C4"].value == 2527 and ws.freeze_panes == "C4"
    tt = wb["TT01 Xã Thanh Giang"]
    assert [tt.cell(3, c).value for c in (1, 2, 3, 7, 11, 14)] == [
        "STT",
        "Lĩnh vực giải quyết",
        "Số hồ sơ nhận giải quyết",
        "Số hồ sơ đã giải quyết",
        "Số hồ sơ đang giải quyết",
        "Trả lại, rút hồ sơ",
    ]
    assert [tt.cell(5, c).value for c in (4, 5, 6)] == ["Trực tuyến", "Trực tiếp, dịch vụ bưu chính", "Từ kỳ trước"]
    total = next(r for r in range(6, tt.max_row + 1) if tt.cell(r, 2).value == "Tổng cộng")
    assert [tt.cell(total, c).value for c in range(3, 15)] == [2527, 2389, 126, 12, 2521, 2515, 6, 0, 5, 5, 0, 1]
    assert not any(c.data_type == "f" for sheet in wb for row in sheet.iter_rows() for c in row)


def test_text_that_looks_like_a_formula_stays_text():
    from openpyxl import Workbook

    from cchc_analysis.tt01 import write_text

    ws = Workbook().active
    for i, text in enumerate(['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "Xã Thanh Giang"], start=1):
        write_text(ws, i, 1, text)
        assert ws.cell(i, 1).data_type == "s" and ws.cell(i, 1).value == text


@pytest.mark.slow
def test_rank_workbook(ingested, demo_dir, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "xep-hang.xlsx"
    assert (
        main(
            [
                "rank",
                "--data-dir",
                str(demo_dir),
                "--period",
                "2023Q3",
                "--group",
                "Huyện Thanh Miện",
                "--indicator",
                "online_rate",
                "--format",
                "xlsx",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    ws = load_workbook(out)["Xếp hạng"]
    assert [ws.cell(3, c).value for c in (2, 3, 5, 6)] == ["Đơn vị", "Chỉ số", "Giá trị", "Hạng"]
    assert ws.max_row == 3 + 17 and ws.cell(4, 3).value == "Tỷ lệ hồ sơ nộp trực tuyến"


def test_csv_outputs(tmp_path, capsys):
    import csv
    import io

    simple_export(
        tmp_path / "raw" / "thanh-giang" / "a.xlsx",
        [
            dossier_row(1, "T-1", received="03/07/2023 08:00", due="05/07/2023", done="04/07/2023 09:00"),
            dossier_row(2, "T-2", received="04/07/2023 08:00", due="06/07/2023", done="06/07/2023 09:00"),
        ],
    )
    ingest(tmp_path)
    capsys.readouterr()

    def csv_rows(*args):
        assert main([*args, "--data-dir", str(tmp_path), "--period", "2023-07", "--format", "csv"]) == 0
        return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))

    (row,) = csv_rows("indicators", "--unit", "Thanh Giang")
    # two dossiers received in July, one finished the day before its due day, one on it
    assert (row["unit_name"], row["received_total"], row["resolved_early"], row["resolved_on_time"]) == (
        "Xã Thanh Giang",
        "2",
        "1",
        "1",
    )
    assert "par_components" not in row
    (rank,) = csv_rows("rank", "--indicator", "resolved_early_pct")
    assert (rank["indicator"], rank["value"], rank["rank_of"], rank["low_volume"]) == (
        "resolved_early_pct",
        "50.0",
        "1",
        "True",
    )


def test_columnar_reader_gives_the_same_store_as_the_cell_reader(demo_dir, tmp_path, monkeypatch):
    """Large sheets are read by fastexcel into Arrow text columns, small ones by python-calamine into cell lists:
    on one dossier export of every demo commune (each vendor layout, legacy encodings, total rows, duplicates)
    both give the same processed store, row for row, and the same report."""
    import shutil

    from cchc_analysis.ingest import grid

    stores, columnar_reads = {}, []
    read_columnar = grid._read_columnar
    monkeypatch.setattr(
        grid, "_read_columnar", lambda path, *rest: columnar_reads.append(path) or read_columnar(path, *rest)
    )
    for reader, threshold in (("cells", 1 << 40), ("columnar", 0)):
        data = tmp_path / reader
        for unit in sorted((demo_dir / "raw").iterdir()):
            exports = sorted((unit / "mot-cua").glob("*.xlsx")) if (unit / "mot-cua").is_dir() else []
            for export in exports[-2:]:
                target = data / "raw" / unit.name / "mot-cua" / export.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(export, target)
        monkeypatch.setattr(grid, "COLUMNAR_MIN_BYTES", threshold)
        outcome = ingest(data)
        report = json.loads((data / "processed" / "ingest_report.json").read_text(encoding="utf-8"))
        stores[reader] = (
            outcome.dossiers,
            load_dossiers(data),
            pd.read_parquet(data / "processed" / "rejects.parquet"),
            [{k: v for k, v in f.items() if k != "sha256"} for f in report["files"]],
        )
    cells, columnar = stores["cells"], stores["columnar"]
    assert len(columnar_reads) >= 17  # every commune's .xlsx exports went through the columnar reader
    assert cells[0] > 2000 and cells[0] == columnar[0]
    pd.testing.assert_frame_equal(cells[1], columnar[1])
    pd.testing.assert_frame_equal(cells[2], columnar[2])
    assert cells[3] == columnar[3]


def test_a_files_rows_go_on_exactly_as_a_rerun_reads_them_from_the_cache(tmp_path):
    """First run: rows pass through Arrow in memory; rerun: they come from the cached Parquet. Both must give the
    same frame, or the final tables would differ between the two runs (whole-second timestamps did)."""
    from cchc_analysis.store import _frame, _read_cache, _table, _write_cache

    rows = pd.DataFrame(
        {
            "as_of": pd.to_datetime(["2023-06-30", "2023-12-31"]).astype("datetime64[s]"),
            "received_at": pd.to_datetime(["2023-07-03 08:15", None]),
            "code": pd.array(["A-1", "A-2"], dtype="str"),
            "status": ["resolved", None],
            "nothing": [None, None],
            "digitised": pd.array([True, None], dtype="boolean"),
            "row": [7, 8],
        }
    )
    _write_cache(_table(rows), tmp_path / "rows.parquet")
    in_memory, reread = _frame(_table(rows)), _read_cache(tmp_path / "rows.parquet")
    assert in_memory.dtypes.to_dict() == reread.dtypes.to_dict()
    pd.testing.assert_frame_equal(in_memory, reread)
    assert in_memory["as_of"].dt.day.tolist() == [30, 31]
    first, second = io.BytesIO(), io.BytesIO()
    in_memory.to_parquet(first, index=False)
    reread.to_parquet(second, index=False)
    assert first.getvalue() == second.getvalue()


def test_a_table_that_fails_the_schema_is_not_written(tmp_path, monkeypatch):
    """The dossier table is checked before any of it is written: a reader bug leaves no dossier table."""
    import cchc_analysis.store as store

    simple_export(tmp_path / "raw" / "thanh-giang" / "a.xlsx", [dossier_row(1, "A-1"), dossier_row(2, "A-2")])
    typed = store._typed
    monkeypatch.setattr(store, "_typed", lambda frame: typed(frame).assign(fee=-1.0))  # a reader bug: fee < 0
    with pytest.raises(CchcError, match="không đúng lược đồ"):
        ingest(tmp_path)
    assert store.dossier_path(tmp_path / "processed") is None
    assert not list((tmp_path / "processed").rglob("*.tmp"))
    monkeypatch.setattr(store, "_typed", typed)
    assert ingest(tmp_path).dossiers == 2


def test_a_failed_encoding_of_the_dossier_table_leaves_no_partial_file(tmp_path, monkeypatch):
    import cchc_analysis.store as store

    simple_export(tmp_path / "raw" / "thanh-giang" / "a.xlsx", [dossier_row(1, "A-1")])
    encode = store._parquet_bytes

    def disk_full(frame, **options):
        if "row_group_size" in options:  # a partition of the dossier table
            raise OSError(28, "No space left on device")
        return encode(frame, **options)

    monkeypatch.setattr(store, "_parquet_bytes", disk_full)
    with pytest.raises(OSError):
        ingest(tmp_path)
    assert store.dossier_path(tmp_path / "processed") is None
    assert not list((tmp_path / "processed").rglob("*.tmp"))


def test_the_dossier_table_is_partitioned_by_province_and_year_and_rewritten_only_where_it_changes(demo_dir, tmp_path):
    import os
    import shutil

    from cchc_analysis.store import dossier_path

    raw = tmp_path / "raw"
    tg = "thanh-giang/mot-cua/DanhSachHoSo_2023-07-01_2023-09-30.xlsx"  # Hải Dương's commune, 2023 (and a few 2022)
    nt = "nam-thanh-mien/mot-cua/DanhSachHoSo_2026-07-01_2026-09-30.xlsx"  # its successor in Hải Phòng, 2026
    for rel in (tg, nt):
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(demo_dir / "raw" / rel, raw / rel)
    shutil.copy(demo_dir / "units.yaml", tmp_path / "units.yaml")
    ingest(tmp_path)
    root = dossier_path(tmp_path / "processed")
    assert root == tmp_path / "processed" / "dossiers" and not (tmp_path / "processed" / "dossiers.parquet").exists()
    parts = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.parquet"))
    assert "province=tinh-hai-duong/year=2023/part-0.parquet" in parts
    assert "province=thanh-pho-hai-phong/year=2026/part-0.parquet" in parts
    assert {p.split("/")[0] for p in parts} == {"province=tinh-hai-duong", "province=thanh-pho-hai-phong"}
    for p in root.rglob("*.parquet"):
        os.utime(p, ns=(1_000_000_000, 1_000_000_000))
    # the successor's export replaced by its previous quarter's: Hải Dương's partitions are not written again
    (raw / nt).unlink()
    previous = "nam-thanh-mien/mot-cua/DanhSachHoSo_2026-04-01_2026-06-30.xlsx"
    shutil.copy(demo_dir / "raw" / previous, raw / previous)
    ingest(tmp_path)
    stamps = {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*.parquet")}
    assert stamps["province=tinh-hai-duong/year=2023/part-0.parquet"] == 1_000_000_000
    assert stamps["province=thanh-pho-hai-phong/year=2026/part-0.parquet"] != 1_000_000_000
    # a store of an earlier version (one dossiers.parquet) becomes the dataset at the next ingest, files unchanged
    whole = read_dossiers(tmp_path / "processed")
    shutil.rmtree(root)
    whole.to_parquet(tmp_path / "processed" / "dossiers.parquet", index=False)
    ingest(tmp_path)
    assert dossier_path(tmp_path / "processed") == root and not (tmp_path / "processed" / "dossiers.parquet").exists()
    # a unit's quarter is read from its province's partitions only: another province's damaged file is not opened
    (root / "province=tinh-hai-duong" / "year=2023" / "part-0.parquet").write_bytes(b"PAR1 damaged")
    rows = load_dossiers(tmp_path, "2026Q2", units="Nam Thanh Miện")
    assert len(rows) > 100 and set(rows["unit_name"]) == {"Xã Nam Thanh Miện"}


def test_a_rerun_on_unchanged_files_reads_nothing_and_a_registry_change_reads_again(tmp_path, monkeypatch):
    from cchc_analysis import store

    simple_export(tmp_path / "raw" / "thanh-giang" / "a.xlsx", [dossier_row(1, "A-1"), dossier_row(2, "A-2")])
    (tmp_path / "raw" / "ghi-chu.pdf").write_bytes(b"%PDF-1.4")
    first = ingest(tmp_path)
    read = []
    real = store._ingest_file
    monkeypatch.setattr(store, "_ingest_file", lambda path, *a: read.append(path.name) or real(path, *a))
    again = ingest(tmp_path)
    assert read == []  # nothing read, nothing rewritten: the last run's outcome
    assert (again.dossiers, again.skipped, again.exit_code) == (2, ["ghi-chu.pdf"], 0)
    assert [r.as_dict() for r in again.reports] == [r.as_dict() for r in first.reports]
    # the unit of each file depends on the registry: another area is another reading
    (tmp_path / "units.yaml").write_text("scope: Thành phố Hải Phòng\n", encoding="utf-8")
    assert ingest(tmp_path).dossiers == 2 and read == ["a.xlsx"]


def test_a_rerun_on_unchanged_files_leaves_the_store_files_untouched(tmp_path):
    import os

    simple_export(tmp_path / "raw" / "thanh-giang" / "a.xlsx", [dossier_row(1, "A-1"), dossier_row(2, "A-2")])
    ingest(tmp_path)
    processed = tmp_path / "processed"
    for path in processed.rglob("*.parquet"):
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))

    def stamps():
        return {p.relative_to(processed): (p.stat().st_ino, p.stat().st_mtime_ns) for p in processed.rglob("*.parquet")}

    before = stamps()
    ingest(tmp_path)
    assert stamps() == before
    assert any(p.parts[0] == "dossiers" for p in before) and not list(processed.rglob("*.tmp"))


def test_the_library_leaves_arrows_allocator_alone_and_the_cli_chooses_the_system_one(tmp_path, monkeypatch):
    import subprocess
    import sys

    import pyarrow as arrow

    simple_export(tmp_path / "raw" / "thanh-giang" / "a.xlsx", [dossier_row(1, "A-1")])
    seen = []
    monkeypatch.setattr(arrow, "set_memory_pool", lambda pool: seen.append(pool.backend_name))
    ingest(tmp_path)
    assert seen == []  # a process-wide choice is the caller's
    code = (
        "from cchc_analysis import cli; cli.main = lambda: print(__import__('pyarrow').default_memory_pool()"
        ".backend_name) or 0; cli.console()"
    )
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "system"
    env["ARROW_DEFAULT_MEMORY_POOL"] = "jemalloc" if "jemalloc" in arrow.supported_memory_backends() else "mimalloc"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == env["ARROW_DEFAULT_MEMORY_POOL"]  # the user's choice is kept


def _checked_dossiers(units: list[str], codes: list[str], keys: list) -> pd.DataFrame:
    n = len(codes)
    when = pd.Series(pd.to_datetime(["2023-03-01"] * n), dtype="datetime64[ns]")
    empty = pd.Series([pd.NaT] * n, dtype="datetime64[ns]")
    return pd.DataFrame(
        {
            "unit_id": pd.Series(units, dtype="str"),
            "code": pd.Series(codes, dtype="str"),
            "channel": pd.Series(["online"] * n, dtype="str"),
            "status": pd.Series(["resolved"] * n, dtype="str"),
            "received_at": when,
            "due_at": empty,
            "processed_at": empty,
            "result_at": empty,
            "handed_at": empty,
            "fee": [0.0] * n,
            "payment_method": pd.Series(["none"] * n, dtype="str"),
            "applicant_key": pd.Series(keys, dtype="str"),
        }
    )


def test_the_schema_allows_one_row_per_unit_and_code_and_names_the_repeats():
    from pandera.errors import SchemaErrors

    from cchc_analysis.store import dossier_schema

    key = "0123456789abcdef" * 2
    # the same code in two units is two dossiers
    dossier_schema().validate(_checked_dossiers(["u1", "u1", "u2"], ["A", "B", "A"], [key, None, key]), lazy=True)
    with pytest.raises(SchemaErrors) as caught:
        dossier_schema().validate(_checked_dossiers(["u1", "u2", "u1"], ["A", "A", "A"], [key] * 3), lazy=True)
    failed = caught.value.failure_cases
    assert set(failed.loc[failed["check"] == "mã hồ sơ trùng trong một đơn vị", "index"]) == {0, 2}


@pytest.mark.parametrize("bad", ["0123456789ABCDEF" * 2, "0123456789abcdef", "0123456789abcdef" * 2 + "0", "x" * 32])
def test_the_schema_refuses_an_applicant_key_that_is_not_32_lower_case_hex_digits(bad):
    from pandera.errors import SchemaErrors

    from cchc_analysis.store import dossier_schema

    good = "0123456789abcdef" * 2
    with pytest.raises(SchemaErrors) as caught:
        dossier_schema().validate(_checked_dossiers(["u1"] * 3, ["A", "B", "C"], [good, bad, None]), lazy=True)
    failed = caught.value.failure_cases
    assert failed[["column", "index"]].values.tolist() == [["applicant_key", 1]]


def test_every_file_is_reported_with_its_digest_new_reused_or_refused(tmp_path):
    import hashlib

    raw = tmp_path / "raw" / "thanh-giang"
    simple_export(raw / "a.xlsx", [dossier_row(1, "A-1")])
    (raw / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")

    def reported() -> dict[str, str]:
        doc = json.loads((tmp_path / "processed" / "ingest_report.json").read_text(encoding="utf-8"))
        return {f["file"]: f["sha256"] for f in doc["files"]}

    expected = {
        f"thanh-giang/{name}": hashlib.sha256((raw / name).read_bytes()).hexdigest()
        for name in ("a.xlsx", "broken.xlsx")
    }
    ingest(tmp_path)  # both new: digests computed beside the reading
    assert reported() == expected
    ingest(tmp_path)  # both known: digests first, the rows reused
    assert reported() == expected


def test_the_schema_checks_the_table_as_it_is_and_leaves_it_untouched():
    # the store checks the dossiers in place while another thread encodes them: that is only safe while the
    # schema changes nothing (no coercion, no added or filtered columns, no defaults)
    from cchc_analysis.store import dossier_schema

    schema = dossier_schema()
    assert not schema.coerce and not schema.add_missing_columns and schema.strict is False
    assert not any(c.coerce or c.default is not None for c in schema.columns.values())
    frame = _checked_dossiers(["u1", "u2"], ["A", "B"], ["0123456789abcdef" * 2, None])
    before = frame.copy()
    schema.validate(frame, lazy=True, inplace=True)
    pd.testing.assert_frame_equal(frame, before)


def test_getting_the_schema_ready_never_fails_the_run(monkeypatch, caplog):
    import cchc_analysis.store as store

    store._ready_schema()  # pandera loaded, the schema run once on an empty table
    assert store.dossier_schema.cache_info().currsize == 1

    def broken():
        raise RuntimeError("no pandera here")

    monkeypatch.setattr(store, "dossier_schema", broken)
    with caplog.at_level("DEBUG", logger="cchc_analysis"):
        store._ready_schema()  # only a head start: it says so in the debug log and returns
    assert "không thành công" in caplog.text


def test_a_store_an_ingest_stopped_writing_is_refused_until_an_ingest_finishes(tmp_path, monkeypatch):
    from cchc_analysis import store
    from cchc_analysis.errors import InputFileError
    from cchc_analysis.indicators import compute_indicators
    from cchc_analysis.periods import parse_period

    export = tmp_path / "raw" / "thanh-giang" / "a.xlsx"
    simple_export(export, [dossier_row(1, "A-1"), dossier_row(2, "A-2")])
    ingest(tmp_path)
    assert len(load_dossiers(tmp_path)) == 2
    # a new export, and the run stops after the dossiers are written, before the other tables and the manifest
    simple_export(tmp_path / "raw" / "thanh-giang" / "b.xlsx", [dossier_row(3, "B-1")])
    real = store._write_parquet

    def full_disk(frame, path, *args, **kwargs):
        if path.name == "catalogue.parquet":
            raise OSError(28, "No space left on device")
        return real(frame, path, *args, **kwargs)

    monkeypatch.setattr(store, "_write_parquet", full_disk)
    with pytest.raises(OSError):
        ingest(tmp_path)
    monkeypatch.setattr(store, "_write_parquet", real)
    # the dossiers hold the new export's row, the rest of the store the last run's: nothing reads it
    with pytest.raises(InputFileError, match=r"Lần nhập dữ liệu \(cchc ingest\) bắt đầu lúc .* chưa xong") as refused:
        load_dossiers(tmp_path)
    assert "Hãy chạy lại `cchc ingest --data-dir" in str(refused.value)
    with pytest.raises(InputFileError, match="chưa xong"):
        compute_indicators(tmp_path, parse_period("2023Q3"))
    # raw/ as it was at the last finished run: the manifest matches it, yet the store is written again (it holds
    # the stopped run's row) and the mark goes
    (tmp_path / "raw" / "thanh-giang" / "b.xlsx").unlink()
    ingest(tmp_path)
    assert len(load_dossiers(tmp_path)) == 2 and not (tmp_path / "processed" / store.UNFINISHED).exists()


def test_a_dossier_handed_over_on_the_reform_is_read_from_both_exports_and_counted_once(tmp_path):
    from cchc_analysis.indicators import compute_indicators
    from cchc_analysis.periods import parse_period

    # Thanh Giang's last export (to 30/06/2025): HS-1 received 20/06, in progress; HS-3 resolved in May
    simple_export(
        tmp_path / "raw" / "thanh-giang" / "a.xlsx",
        [
            dossier_row(1, "HS-1", received="20/06/2025 08:00", due="05/07/2025", done="", status="Đang xử lý"),
            dossier_row(2, "HS-3", received="10/05/2025 08:00", due="20/05/2025", done="15/05/2025 09:00"),
        ],
        period="Từ ngày 01/04/2025 đến ngày 30/06/2025",
    )
    # Nam Thanh Miện, which took Thanh Giang over, lists HS-1 too, resolved on 03/07 (due 05/07), and its own HS-10
    simple_export(
        tmp_path / "raw" / "nam-thanh-mien" / "b.xlsx",
        [
            dossier_row(1, "HS-1", received="20/06/2025 08:00", due="05/07/2025", done="03/07/2025 10:00"),
            dossier_row(2, "HS-10", received="02/07/2025 08:00", due="10/07/2025", done="08/07/2025 09:00"),
        ],
        title="UBND XÃ NAM THANH MIỆN",
        period="Từ ngày 01/07/2025 đến ngày 30/09/2025",
    )
    assert ingest(tmp_path).dossiers == 4  # each export's rows kept: they are two units' records
    (q3,) = compute_indicators(tmp_path, parse_period("2025Q3"), units=["Nam Thanh Miện"])
    # HS-1 once, carried over into the new commune's quarter and resolved early, with HS-10 (early): not also
    # Thanh Giang's copy, pending
    assert [q3[k] for k in ("received_total", "carried_over", "resolved_early", "pending_total")] == [2, 1, 2, 0]
    (q2,) = compute_indicators(tmp_path, parse_period("2025Q2"), units=["Thanh Giang"])
    # before 01/07 Thanh Giang's copy counts: HS-1 new and pending on 30/06, HS-3 resolved early
    assert [q2[k] for k in ("received_total", "resolved_early", "pending_total")] == [2, 1, 1]
    rows = load_dossiers(tmp_path, "2025Q3", ["Nam Thanh Miện", "Thanh Giang"])
    assert sorted(zip(rows["unit_id"], rows["code"], strict=True)) == [
        ("2025-31-11284", "HS-1"),
        ("2025-31-11284", "HS-10"),
    ]


def test_a_new_commune_is_compared_with_the_same_quarter_of_the_communes_it_replaced(tmp_path):
    from cchc_analysis.brief import comparisons
    from cchc_analysis.indicators import compute_indicators
    from cchc_analysis.periods import parse_period

    olds = {"thanh-giang": "THANH GIANG", "chi-lang-bac": "CHI LĂNG BẮC", "chi-lang-nam": "CHI LĂNG NAM"}
    olds["hong-phong"] = "HỒNG PHONG"  # Nam Thanh Miện's four predecessors
    for i, (folder, name) in enumerate(olds.items()):
        # 2024Q3: one dossier each, resolved early, online
        row = dossier_row(1, f"O-{i}", received="02/07/2024 08:00", due="10/07/2024", done="05/07/2024 09:00")
        simple_export(
            tmp_path / "raw" / folder / "a.xlsx",
            [row],
            title=f"UBND XÃ {name}",
            period="Từ ngày 01/07/2024 đến ngày 30/09/2024",
        )
    # 2025Q3: Nam Thanh Miện's five dossiers, resolved early, online
    rows = [
        dossier_row(i, f"N-{i}", received="02/07/2025 08:00", due="10/07/2025", done="05/07/2025 09:00")
        for i in range(1, 6)
    ]
    simple_export(
        tmp_path / "raw" / "nam-thanh-mien" / "b.xlsx",
        rows,
        title="UBND XÃ NAM THANH MIỆN",
        period="Từ ngày 01/07/2025 đến ngày 30/09/2025",
    )
    ingest(tmp_path)
    q3 = parse_period("2025Q3")
    (rec,) = compute_indicators(tmp_path, q3, units=["Nam Thanh Miện"])
    (last_year,) = [c for c in comparisons(tmp_path, q3, rec) if c.label == "cùng kỳ năm 2024"]
    # 5 received against the four old communes' 4 (one each): +1, +25,0%
    assert last_year.sentence.startswith(
        "So với cùng kỳ năm 2024 (01/07/2024 – 30/09/2024; số liệu của Xã Chi Lăng Bắc, Xã Chi Lăng Nam, "
        "Xã Thanh Giang, Xã Hồng Phong trước sắp xếp): tổng số hồ sơ tiếp nhận tăng 1 hồ sơ (+25,0%)"
    )


def test_an_ingest_merges_again_only_the_provinces_whose_files_changed(tmp_path, monkeypatch):
    import os

    import pyarrow.parquet as pq

    from cchc_analysis import store

    raw = tmp_path / "raw"
    # Thanh Giang (Tỉnh Hải Dương, 2023): A-2 in two exports, the later one resolved; no payment recorded at all
    simple_export(
        raw / "thanh-giang" / "a.xlsx",
        [dossier_row(1, "A-1", pay=""), dossier_row(2, "A-2", pay="", status="Đang xử lý", done="")],
    )
    simple_export(
        raw / "thanh-giang" / "a2.xlsx",
        [dossier_row(1, "A-2", pay="", status="Đã trả kết quả", done="05/07/2023 09:00")],
        period="Từ ngày 01/07/2023 đến ngày 31/07/2023",
    )
    # Nam Thanh Miện (Thành phố Hải Phòng, 2025), its export with procedure codes (Thanh Giang's has none)
    b = raw / "nam-thanh-mien" / "b.xlsx"

    def ntm_export(*codes):
        rows = [dossier_row(i, c, received="02/07/2025 08:00", due="10/07/2025", done="") for i, c in enumerate(codes)]
        head = [["UBND XÃ NAM THANH MIỆN"], ["Từ ngày 01/07/2025 đến ngày 30/09/2025"], [], [*HEADER, "Mã thủ tục"]]
        write_xlsx(b, [*head, *[[*r, "1.001193"] for r in rows]])

    ntm_export("B-1")
    first = ingest(tmp_path)
    assert (first.dossiers, first.duplicates_across_files) == (3, 1)
    processed = tmp_path / "processed"
    root = processed / "dossiers"
    hd = root / "province=tinh-hai-duong" / "year=2023" / "part-0.parquet"
    hp = root / "province=thanh-pho-hai-phong" / "year=2025" / "part-0.parquet"
    # one schema in every partition, though only Hải Phòng's rows have procedure codes
    assert pq.read_schema(hd).remove_metadata() == pq.read_schema(hp).remove_metadata()
    assert str(pq.read_schema(hd).field("procedure_code").type) == "large_string"
    assert set(read_dossiers(processed)["procedure_code"].fillna("")) == {"", "1.001193"}
    os.utime(hd, ns=(1_000_000_000, 1_000_000_000))
    read = []
    real = store._read_cache
    monkeypatch.setattr(store, "_read_cache", lambda path: read.append(path) or real(path))
    tg_rows = {store._cache_paths(processed, f"thanh-giang/{n}")[0] for n in ("a.xlsx", "a2.xlsx")}
    # Hải Phòng's export redone with a second dossier: Hải Dương's rows are neither read nor written again, and its
    # figures (2 dossiers, 1 merged away) still count
    ntm_export("B-1", "B-2")
    again = ingest(tmp_path)
    assert (again.dossiers, again.duplicates_across_files) == (4, 1)
    assert not tg_rows & set(read) and hd.stat().st_mtime_ns == 1_000_000_000
    assert sorted(load_dossiers(tmp_path)["code"]) == ["A-1", "A-2", "B-1", "B-2"]
    # the later export of Thanh Giang removed: its province merged again, nothing merged away any more
    (raw / "thanh-giang" / "a2.xlsx").unlink()
    read.clear()
    removed = ingest(tmp_path)
    assert (removed.dossiers, removed.duplicates_across_files) == (4, 0)
    assert store._cache_paths(processed, "thanh-giang/a.xlsx")[0] in read
    assert load_dossiers(tmp_path).set_index("code").loc["A-2", "status"] == "in_progress"
    # a manifest of an earlier version does not say which provinces a file fed: every province is merged again
    manifest = processed / "files" / "manifest.json"
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    entries = {k: {f: x for f, x in v.items() if f != "provinces"} for k, v in entries.items()}
    manifest.write_text(json.dumps(entries), encoding="utf-8")
    ntm_export("B-1")
    read.clear()
    assert ingest(tmp_path).dossiers == 3
    assert store._cache_paths(processed, "thanh-giang/a.xlsx")[0] in read
    assert sorted(load_dossiers(tmp_path)["code"]) == ["A-1", "A-2", "B-1"]


def test_a_first_ingest_past_its_memory_budget_merges_from_the_caches_and_writes_the_same_store(tmp_path, monkeypatch):
    import shutil

    from cchc_analysis import store

    raw = tmp_path / "a" / "raw"
    simple_export(raw / "thanh-giang" / "a.xlsx", [dossier_row(1, "A-1"), dossier_row(2, "A-2", status="Đang xử lý")])
    simple_export(
        raw / "thanh-giang" / "b.xlsx",
        [dossier_row(1, "A-2", done="05/07/2023 09:00")],
        period="Từ ngày 01/07/2023 đến ngày 31/07/2023",
    )
    simple_export(
        raw / "nam-thanh-mien" / "c.xlsx",
        [dossier_row(1, "C-1", received="02/07/2025 08:00", due="10/07/2025", done="")],
        title="UBND XÃ NAM THANH MIỆN",
        period="Từ ngày 01/07/2025 đến ngày 30/09/2025",
    )
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    monkeypatch.setenv("CCHC_PSEUDONYM_KEY", "a-test-key-of-enough-length")  # the same keyed digests in both
    kept = ingest(tmp_path / "a")
    read = []
    real = store._read_cache
    monkeypatch.setattr(store, "_read_cache", lambda path: read.append(path) or real(path))
    monkeypatch.setattr(store, "MERGE_ROWS_IN_MEMORY", 0)  # every file's rows let go once read
    spilled = ingest(tmp_path / "b")
    processed = tmp_path / "b" / "processed"
    assert {store._cache_paths(processed, f"thanh-giang/{n}")[0] for n in ("a.xlsx", "b.xlsx")} <= set(read)
    assert (spilled.dossiers, spilled.duplicates_across_files) == (3, 1)
    assert (kept.dossiers, kept.duplicates_across_files) == (3, 1)

    def parts(folder):
        root = folder / "processed" / "dossiers"
        return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*.parquet"))}

    assert parts(tmp_path / "b") == parts(tmp_path / "a") and len(parts(tmp_path / "a")) == 2
    report = json.loads((processed / "ingest_report.json").read_text(encoding="utf-8"))
    assert report == json.loads((tmp_path / "a" / "processed" / "ingest_report.json").read_text(encoding="utf-8"))
    # at the budget's edge: 3 rows held is within a budget of 3 (c.xlsx 1, a.xlsx 2), the 4th (b.xlsx) is past it,
    # and then all three files are let go
    shutil.copytree(tmp_path / "a" / "raw", tmp_path / "c" / "raw")
    monkeypatch.setattr(store, "MERGE_ROWS_IN_MEMORY", 3)
    read.clear()
    ingest(tmp_path / "c")
    let_go = {p.name for p in read} & {store._cache_paths(tmp_path, r)[0].name for r in _rels(tmp_path / "c")}
    assert len(let_go) == 3 and parts(tmp_path / "c") == parts(tmp_path / "a")


def _rels(data):
    return [p.relative_to(data / "raw").as_posix() for p in sorted((data / "raw").rglob("*.xlsx"))]


def test_the_rows_of_some_units_are_read_from_their_provinces_partitions_alone(tmp_path):
    from cchc_analysis.indicators import compute_onestop_indicators
    from cchc_analysis.periods import parse_period
    from cchc_analysis.registry import UnitRegistry
    from cchc_analysis.store import store_rows

    simple_export(tmp_path / "raw" / "thanh-giang" / "a.xlsx", [dossier_row(1, "A-1"), dossier_row(2, "A-2")])
    rows = [
        dossier_row(1, "B-1", received="02/07/2025 08:00", due="10/07/2025", done="04/07/2025 09:00"),
        dossier_row(2, "B-2", received="03/07/2025 08:00", due="10/07/2025", done="", status="Đang xử lý"),
        dossier_row(3, "B-3", received="04/07/2025 08:00", due="10/07/2025", done="", channel="Trực tiếp"),
    ]
    simple_export(
        tmp_path / "raw" / "nam-thanh-mien" / "b.xlsx",
        rows,
        title="UBND XÃ NAM THANH MIỆN",
        period="Từ ngày 01/07/2025 đến ngày 30/09/2025",
    )
    simple_export(  # another commune of the same province: its rows are left out too
        tmp_path / "raw" / "bac-thanh-mien" / "c.xlsx",
        [dossier_row(1, "C-1", received="05/07/2025 08:00", due="10/07/2025", done="")],
        title="UBND XÃ BẮC THANH MIỆN",
        period="Từ ngày 01/07/2025 đến ngày 30/09/2025",
    )
    ingest(tmp_path)
    processed, q3 = tmp_path / "processed", parse_period("2025Q3")
    ntm = UnitRegistry.load(tmp_path).get("2025-31-11284")
    everyone = compute_onestop_indicators(store_rows(processed, q3), q3).set_index("unit_id")
    # Hải Dương's partition damaged: a query of Nam Thanh Miện's rows never opens it, and counts as before
    (processed / "dossiers" / "province=tinh-hai-duong" / "year=2023" / "part-0.parquet").write_bytes(b"PAR1 damaged")
    alone = compute_onestop_indicators(store_rows(processed, q3, units=[ntm]), q3).set_index("unit_id")
    keys = ["new_total", "received_online", "received_direct", "resolved_total", "pending_total"]
    assert alone.loc[ntm.unit_id, keys].tolist() == everyone.loc[ntm.unit_id, keys].tolist() == [3, 2, 1, 1, 2]
    assert set(alone.index) == {ntm.unit_id}


def test_one_export_naming_communes_of_two_provinces_feeds_each_its_own_partitions(tmp_path, monkeypatch):
    # a ministry-level export: one file, a unit column, communes of Tỉnh Hải Dương and Thành phố Hải Phòng (2023)
    monkeypatch.setenv("CCHC_SCOPE", "Tỉnh Hải Dương;Thành phố Hải Phòng")
    body = [["DANH SÁCH HỒ SƠ CÁC XÃ"], ["Từ ngày 01/07/2023 đến ngày 30/09/2023"], [], ["Đơn vị", *HEADER]]
    body += [["Xã Thanh Giang", *dossier_row(1, "T-1")], ["Xã Thanh Giang", *dossier_row(2, "T-2")]]
    body += [["Xã Bát Trang", *dossier_row(3, "B-1")]]
    write_xlsx(tmp_path / "raw" / "bo" / "ds.xlsx", body)
    assert ingest(tmp_path).dossiers == 3
    root = tmp_path / "processed" / "dossiers"

    def codes(province):
        part = root / f"province={province}" / "year=2023" / "part-0.parquet"
        return sorted(pd.read_parquet(part)["code"])

    assert (codes("tinh-hai-duong"), codes("thanh-pho-hai-phong")) == (["T-1", "T-2"], ["B-1"])
    manifest = json.loads((tmp_path / "processed" / "files" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["bo/ds.xlsx"]["provinces"] == ["thanh-pho-hai-phong", "tinh-hai-duong"]
    # the export redone without Bát Trang's dossier: Hải Phòng's partition goes, Hải Dương's stays whole
    write_xlsx(tmp_path / "raw" / "bo" / "ds.xlsx", body[:-1])
    assert ingest(tmp_path).dossiers == 2
    assert codes("tinh-hai-duong") == ["T-1", "T-2"] and not (root / "province=thanh-pho-hai-phong").exists()
