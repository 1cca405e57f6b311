import json
import os
import subprocess
import sys

import pytest

from cchc_analysis.cli import demo_file_kinds, main
from cchc_analysis.registry import UnitRegistry


def test_units_json_lists_historical_and_current_units(capsys):
    assert main(["units", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    names = {r["name"] for r in records}
    assert {"Xã Thanh Giang", "Thị trấn Thanh Miện", "Xã Nam Thanh Miện"} <= names
    tg = next(r for r in records if r["name"] == "Xã Thanh Giang")
    assert (tg["code"], tg["type"], tg["group"], tg["valid_to"]) == ("11287", "xã", "Huyện Thanh Miện", "2025-06-30")
    assert tg["successors"] == [{"unit_id": "2025-31-11284", "name": "Xã Nam Thanh Miện", "share": 1.0}]


def test_units_table_for_one_group(capsys):
    assert main(["units", "--group", "Thành phố Hải Phòng"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["Mã", "Tên", "đơn"]
    # in the tests' area (Huyện Thanh Miện and the units linked to it): the five successors, and Đường An and
    # Thượng Hồng, which took parts of Thanh Tùng, Đoàn Tùng and Bình Giang's communes
    assert len(lines) == 2 + 7


def test_groups_of_the_whole_country(capsys, monkeypatch):
    monkeypatch.delenv("CCHC_SCOPE")
    assert main(["units", "--groups", "--format", "json"]) == 0
    groups = {g["group"]: g for g in json.loads(capsys.readouterr().out)}
    provinces = [g for g in groups.values() if g["to"] is None]
    assert len(provinces) == 34 and sum(g["units"] for g in provinces) == 3321
    assert groups["Thành phố Hải Phòng"]["units"] == 114
    assert groups["Huyện Thanh Miện"] == {"group": "Huyện Thanh Miện", "province": "Tỉnh Hải Dương", "units": 17,
                                          "to": "2025-06-30"}  # fmt: skip


def test_a_name_of_several_provinces_is_found_in_the_group_typed(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("CCHC_SCOPE")
    args = ["units", "--format", "json", "--data-dir", str(tmp_path)]
    assert main([*args, "--group", "Tỉnh Lạng Sơn"]) == 0
    assert any(u["name"] == "Xã Tân Thành" for u in json.loads(capsys.readouterr().out))
    out = tmp_path / "t.xlsx"
    template = ["template", "--period", "2025Q3", "--unit", "Xã Tân Thành", "-o", str(out), "--data-dir", str(tmp_path)]
    assert main(template) == 2  # seven communes of the country bear the name
    assert "--group" in capsys.readouterr().err
    assert main([*template, "--group", "Tỉnh Lạng Sơn"]) == 0 and out.is_file()


@pytest.mark.parametrize("before", [True, False])
def test_data_dir_means_the_same_before_or_after_the_subcommand(tmp_path, capsys, before):
    (tmp_path / "units.csv").write_text("unit_id,name,type,group\n99-1,Thử Nghiệm,xã,Nhóm Thử\n", encoding="utf-8")
    args = ["units", "--format", "json"]
    args = ["--data-dir", str(tmp_path), *args] if before else [*args, "--data-dir", str(tmp_path)]
    assert main(args) == 0
    assert "Xã Thử Nghiệm" in capsys.readouterr().out


def test_data_dir_from_environment(tmp_path, capsys, monkeypatch):
    (tmp_path / "units.csv").write_text("unit_id,name,type,group\n99-1,Môi Trường,xã,Nhóm Thử\n", encoding="utf-8")
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path))
    assert main(["units", "--format", "json"]) == 0
    assert "Xã Môi Trường" in capsys.readouterr().out


def test_output_file(tmp_path, capsys):
    out = tmp_path / "sub" / "units.json"
    assert main(["units", "--format", "json", "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert len(json.loads(out.read_text(encoding="utf-8"))) == len(UnitRegistry.shipped(scope="Huyện Thanh Miện"))


def test_unknown_group_is_an_error_in_vietnamese_without_traceback(capsys):
    assert main(["units", "--group", "Huyện Không Có"]) == 2  # a group typed on the command line: a usage error
    err = capsys.readouterr().err
    assert "LỖI: Không có nhóm đơn vị 'Huyện Không Có'" in err
    assert "Traceback" not in err


def test_invalid_user_file_exits_1_with_its_name(tmp_path, capsys):
    (tmp_path / "units.csv").write_text("unit_id,name,type,group\n99-1,A,làng,G\n", encoding="utf-8")
    assert main(["--data-dir", str(tmp_path), "units"]) == 1
    assert "units.csv, dòng 2" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["units", "--format", "xml"], ["no-such-command"], []])
def test_usage_errors_exit_2(args, capsys):
    assert main(args) == 2


def test_help_is_bilingual(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "Liệt kê danh mục đơn vị hành chính" in out and "List the administrative-unit registry" in out


def test_demo_data_for_one_unit(tmp_path, capsys):
    assert main(["demo-data", "--data-dir", str(tmp_path), "--unit", "UBND xã Thanh Giang"]) == 0
    files = sorted(p.relative_to(tmp_path / "raw").as_posix() for p in (tmp_path / "raw").rglob("*") if p.is_file())
    assert "thanh-giang/danh-muc-tthc.xlsx" in files
    assert "huyen-thanh-mien/ChiSoCCHC_2022_cac_xa_thi_tran.xlsx" in files
    assert not any(f.startswith("lam-son/") for f in files)
    assert "THÔNG TIN: Dữ liệu mẫu" in capsys.readouterr().err


def test_demo_data_names_its_units_in_the_demo_district_whatever_the_area(tmp_path, monkeypatch):
    monkeypatch.delenv("CCHC_SCOPE")  # nine units of the country were called Lam Sơn
    assert main(["demo-data", "--data-dir", str(tmp_path), "--unit", "Lam Sơn"]) == 0
    assert (tmp_path / "raw" / "lam-son" / "danh-muc-tthc.xlsx").is_file()
    # the folder's area is written beside raw/, and is not counted as an export
    assert (tmp_path / "units.yaml").read_text(encoding="utf-8").endswith("scope: Huyện Thanh Miện\n")
    files = [tmp_path / "units.yaml", tmp_path / "raw" / "lam-son" / "danh-muc-tthc.xlsx"]
    assert demo_file_kinds(files, tmp_path / "raw") == {"Danh mục thủ tục hành chính": 1}


def _console(*code: str) -> subprocess.CompletedProcess:
    """A fresh interpreter running ``code`` lines, then the ``cchc`` executable's entry point; stdout is a pipe
    and block-buffered, as under cron."""
    script = "\n".join([*code, "from cchc_analysis.cli import console", "console()"])
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8", timeout=120, env=env
    )


def test_the_executable_flushes_all_output_and_keeps_the_exit_code(capsys):
    main(["units", "--group", "Thành phố Hải Phòng"])  # a short text: it stays in the buffer until flushed
    expected = capsys.readouterr().out
    done = _console("import sys", "sys.argv = ['cchc', 'units', '--group', 'Thành phố Hải Phòng']")
    assert (done.returncode, done.stdout) == (0, expected)
    failed = _console("import sys", "sys.argv = ['cchc', 'units', '--group', 'Huyện Không Có']")
    assert failed.returncode == 2
    assert "LỖI: Không có nhóm đơn vị 'Huyện Không Có'" in failed.stderr


@pytest.mark.parametrize(
    ("setup", "last_line"),
    [
        ("import atexit; atexit.register(lambda: print('exit handler ran', flush=True))", "exit handler ran"),
        (  # a thread still working is waited for
            "import threading, time; threading.Thread("
            "target=lambda: (time.sleep(1), print('thread finished', flush=True))).start()",
            "thread finished",
        ),
    ],
    ids=["exit handlers run", "a working thread is waited for"],
)
def test_the_executable_ends_only_after_exit_handlers_and_working_threads(setup, last_line):
    done = _console(setup, "import sys", "sys.argv = ['cchc', 'units', '--format', 'json']")
    assert done.returncode == 0
    assert done.stdout.splitlines()[-1] == last_line


def test_json_records_are_one_per_line_and_read_back_unchanged():
    from cchc_analysis.cli import _records_json

    records = [{"unit_name": "Xã Thanh Giang", "value": 92.5, "missing": {"a": "không có"}}, {"value": None}]
    text = _records_json(records)
    lines = text.splitlines()
    # "[", one line per record (Vietnamese kept as it is, not \u escapes), "]"
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 4
    assert lines[1] == '  {"unit_name": "Xã Thanh Giang", "value": 92.5, "missing": {"a": "không có"}},'
    assert json.loads(text) == records and json.loads(_records_json([])) == []
