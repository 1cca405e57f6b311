"""The hostile-input corpus (tests/hostile.py) through `cchc ingest`: every file gets a clear message or rows kept or
rejected with a reason, the normal export is still ingested, the run exits 1 and prints no traceback."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cchc_analysis.cli import main
from cchc_analysis.store import read_dossiers

from .hostile import build_corpus

REFUSED = {
    "truncated.xlsx": "bị hỏng hoặc không đầy đủ",
    "encrypted.xlsx": "đặt mật khẩu",
    "laughs-sheet.xlsx": "khai báo DOCTYPE/ENTITY",
    "laughs-shared.xlsx": "'xl/sharedStrings.xml' khai báo DOCTYPE/ENTITY",
    "bomb.xlsx": "nén quá mức bất thường (300 MB",
    "far-apart.xlsx": "cấu trúc bất thường",
    "csv.xlsx": "không xác định được đơn vị",  # a CSV under an Excel name is read as the table it is
    "garbage.xls": "dữ liệu nhị phân lạ",
    "empty-workbook.xlsx": "không có trang tính nào",
    "empty-sheet.xlsx": "mọi trang tính đều trống",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    build_corpus(root / "raw")
    mp = pytest.MonkeyPatch()
    mp.setenv("CCHC_PSEUDONYM_KEY", "a-test-key-of-enough-length")
    try:
        yield root
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def ingested_corpus(corpus):
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["ingest", "--data-dir", str(corpus), "--format", "json"])
    return code, json.loads(out.getvalue()), err.getvalue()


def test_the_run_finishes_with_exit_1_and_no_traceback(ingested_corpus):
    code, _doc, err = ingested_corpus
    assert code == 1
    assert "Traceback" not in err and "Lỗi không mong đợi" not in err


@pytest.mark.parametrize(("name", "message"), sorted(REFUSED.items()))
def test_each_hostile_file_is_refused_with_a_clear_message(ingested_corpus, name, message):
    _code, doc, err = ingested_corpus
    report = next(f for f in doc["files"] if f["file"] == f"hostile/{name}")
    assert report["error"] and message in report["error"], report["error"]
    assert name in report["error"]  # the message names the file
    assert message in err


def test_the_normal_export_is_still_ingested(ingested_corpus, corpus):
    _code, doc, _err = ingested_corpus
    report = next(f for f in doc["files"] if f["file"] == "thanh-giang/normal.xlsx")
    assert (report["rows_kept"], report["rows_rejected"], report["error"]) == (3, 0, None)
    dossiers = read_dossiers(corpus / "processed")
    assert sorted(dossiers.loc[dossiers["source_file"] == "thanh-giang/normal.xlsx", "code"]) == ["N-1", "N-2", "N-3"]


def kept(corpus, name: str) -> pd.DataFrame:
    dossiers = read_dossiers(corpus / "processed")
    return dossiers[dossiers["source_file"] == f"hostile/{name}"]


def test_text_hazards_are_cleaned_not_carried(ingested_corpus, corpus):
    # NUL, BEL and an ANSI escape become spaces; right-to-left marks and zero-width spaces are removed
    assert kept(corpus, "control-chars.xlsx")["procedure"].tolist() == ["Khai sinh [31mđỏ"]
    assert kept(corpus, "rtl-marks.xlsx")["procedure"].tolist() == ["Đăng ký khai sinh"]
    # a 10,000-character cell is kept whole
    assert kept(corpus, "long-cells.xlsx")["procedure"].str.len().tolist() == [len("Đăng ký khai sinh ") + 10_000]
    # legacy TCVN3 and Unicode in one column: each value read right
    assert kept(corpus, "mixed-legacy.xlsx")["procedure"].tolist() == ["Đăng ký khai sinh", "Chứng thực bản sao"]


def test_formulas_are_never_evaluated_and_text_stays_text(ingested_corpus, corpus):
    rows = kept(corpus, "formulas.xlsx").set_index("code")["procedure"].to_dict()
    # a formula cell is read as its cached value (none here: empty), never evaluated; "@..." is plain text
    assert rows == {"F-1": "", "F-2": "", "F-3": "@SUM(1+1)"}


def test_duplicated_and_empty_layouts_are_reported(ingested_corpus):
    _code, doc, _err = ingested_corpus
    by = {f["file"]: f for f in doc["files"]}
    dup = by["hostile/duplicate-headers.xlsx"]
    assert dup["rows_kept"] == 1 and "cột 'Mã hồ sơ' xuất hiện hai lần (cột B và M)" in dup["warnings"][0]
    head = by["hostile/header-only.xlsx"]
    assert (head["rows_read"], head["error"]) == (0, None) and "không có dòng hồ sơ nào" in head["warnings"][0]


def test_every_row_is_kept_or_rejected(ingested_corpus):
    _code, doc, _err = ingested_corpus
    for f in doc["files"]:
        assert f["rows_read"] == f["rows_kept"] + f["rows_rejected"], f["file"]


def test_an_unexpected_reader_error_skips_that_file_only(tmp_path, monkeypatch, capsys):
    import dataclasses

    from cchc_analysis import store

    from .ingest.builders import dossier_row, simple_export

    monkeypatch.setenv("CCHC_PSEUDONYM_KEY", "a-test-key-of-enough-length")
    simple_export(tmp_path / "raw" / "thanh-giang" / "a.xlsx", [dossier_row(1, "A-1")])
    simple_export(tmp_path / "raw" / "thanh-giang" / "b.xlsx", [dossier_row(1, "B-1")])
    real = store.READERS["dossier_list"]

    def flaky(f):
        if f.path.name == "a.xlsx":
            raise RuntimeError("lỗi giả lập trong bộ đọc")
        return real.read(f)

    monkeypatch.setitem(store.READERS, "dossier_list", dataclasses.replace(real, read=flaky))
    assert main(["ingest", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "a.xlsx: lỗi không mong đợi khi đọc tệp (RuntimeError: lỗi giả lập trong bộ đọc)" in err
    assert "Traceback" not in err
    assert read_dossiers(tmp_path / "processed")["code"].tolist() == ["B-1"]
