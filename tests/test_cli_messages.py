"""What the command line says to an official who typed something wrong, or asked for a period without data."""

from __future__ import annotations

import pandas as pd
import pytest

from cchc_analysis.cli import main

from .test_compute_indicators import TG, dossier


@pytest.fixture
def store(tmp_path):
    processed = tmp_path / "data" / "processed"
    processed.mkdir(parents=True)
    rows = [dossier(TG, "1", "2023-07-04 08:00", "2023-07-10", "2023-07-05 09:00", "resolved", "online")]
    pd.DataFrame(rows).assign(field="Hộ tịch").to_parquet(processed / "dossiers.parquet")
    return tmp_path / "data"


def test_a_period_without_data_is_said_so_not_shown_as_zeros(store, capsys):
    code = main(["--data-dir", str(store), "indicators", "--period", "Quý I/2031", "--unit", "Thanh Giang"])
    assert code == 1
    err = capsys.readouterr().err
    assert "Không có số liệu nào của kỳ 01/01/2031 – 31/03/2031" in err
    assert main(["--data-dir", str(store), "indicators", "--period", "Tháng 7/2023", "--unit", "Thanh Giang"]) == 0
    assert "Xã Thanh Giang" in capsys.readouterr().out


def test_a_misspelt_unit_gets_a_suggestion_and_the_same_exit_code_everywhere(store, capsys):
    codes = []
    out = store / "t.xlsx"
    for command in (
        ["indicators", "--period", "2023-07", "--unit", "Thanh Giag"],
        ["template", "--period", "2023-07", "--unit", "Thanh Giag", "-o", str(out)],
    ):
        codes.append(main(["--data-dir", str(store), *command]))
        assert "Có phải: Xã Thanh Giang" in capsys.readouterr().err
    assert len(set(codes)) == 1 and codes[0] != 0


def test_argparses_own_messages_are_in_vietnamese_too(capsys):
    assert main(["units", "Thanh Giang"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cách dùng / usage: cchc")
    assert "cchc: lỗi: không hiểu các tham số: Thanh Giang / error: unrecognized arguments: Thanh Giang" in err
    assert main(["indicators", "--format", "xx"]) == 2
    assert "tham số --format: giá trị 'xx' không hợp lệ (chọn: 'table'" in capsys.readouterr().err
    assert main(["indicators"]) == 2
    assert "thiếu tham số bắt buộc: --period" in capsys.readouterr().err


def test_a_run_asking_for_pdf_without_pango_stops_before_any_work(tmp_path, monkeypatch):
    import builtins

    from cchc_analysis.errors import CchcError
    from cchc_analysis.periods import parse_period
    from cchc_analysis.run import run_period

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    monkeypatch.delitem(__import__("sys").modules, "weasyprint", raising=False)
    with pytest.raises(CchcError, match=r"Không xuất được PDF: WeasyPrint không nạp được \(OSError: cannot load"):
        run_period(tmp_path / "data", tmp_path / "reports", parse_period("2023Q3"), formats=["html", "pdf"])
    assert not (tmp_path / "reports").exists()  # nothing started
