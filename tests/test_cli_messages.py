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


def test_a_misspelt_unit_or_group_is_a_usage_error_in_every_command(store, capsys):
    # a unit or group typed on the command line that matches nothing is a usage error (exit 2, as argparse's own),
    # whichever command it is given to, said before any work with a suggestion or the list of groups
    out, reports = store / "t.xlsx", store.parent / "reports"
    some_file = store / "processed" / "dossiers.parquet"
    (store / "raw").mkdir()
    unit_commands = (
        ["indicators", "--period", "2023-07", "--unit", "Thanh Giag"],
        ["template", "--period", "2023-07", "--unit", "Thanh Giag", "-o", str(out)],
        ["run", "--period", "2023Q3", "--unit", "Thanh Giag"],
        ["ingest", "--assume-unit", "Thanh Giag"],
        ["inspect", str(some_file), "--assume-unit", "Thanh Giag"],
        ["demo-data", "--unit", "Thanh Giag"],
    )
    for command in unit_commands:
        assert main(["--data-dir", str(store), "--reports-dir", str(reports), *command]) == 2, command[0]
        assert "Có phải: Xã Thanh Giang" in capsys.readouterr().err, command[0]
    group_commands = (
        ["units", "--group", "Huyện Không Có"],
        ["indicators", "--period", "2023Q3", "--group", "Huyện Không Có"],
        ["rank", "--period", "2023Q3", "--group", "Huyện Không Có"],
        ["run", "--period", "2023Q3", "--group", "Huyện Không Có"],
        ["template", "--period", "2023Q3", "--group", "Huyện Không Có", "-o", str(out)],
    )
    for command in group_commands:
        assert main(["--data-dir", str(store), "--reports-dir", str(reports), *command]) == 2, command[0]
        assert "Các nhóm có trong danh mục: Huyện Bình Giang, Huyện Thanh Miện" in capsys.readouterr().err, command[0]
    # a name shared by several units is as much the user's to make precise
    assert main(["--data-dir", str(store), "indicators", "--period", "2023-07", "--unit", "Thanh"]) == 2
    assert not out.exists() and not reports.exists() and not any((store / "raw").iterdir())


def test_a_malformed_period_is_a_usage_error_in_every_command(store, capsys):
    for command in (["indicators", "--unit", "Thanh Giang"], ["rank"], ["run"], ["template", "--unit", "Thanh Giang"]):
        assert main(["--data-dir", str(store), *command, "--period", "Quý V/2023"]) == 2, command[0]
        assert "Kỳ 'Quý V/2023' không hợp lệ" in capsys.readouterr().err


def test_a_unit_in_a_file_that_matches_nothing_is_a_data_error_not_a_usage_error(store):
    import argparse

    from cchc_analysis.cli import _typed_unit
    from cchc_analysis.errors import UnitLookupError

    args = argparse.Namespace(unit=["Thanh Giang"], group=None)
    assert _typed_unit(UnitLookupError("…", "Thanh Giang"), args)
    assert not _typed_unit(UnitLookupError("…", "Xã Ở Tệp"), args)  # read from a file: exit 1
    assert not _typed_unit(UnitLookupError("…"), args)


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
