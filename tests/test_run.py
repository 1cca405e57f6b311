"""cchc run: parameter checks before any kernel, coverage gate, failure isolation, retry, manifest, lock."""

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from cchc_analysis.cli import main
from cchc_analysis.periods import parse_period
from cchc_analysis.run import last_complete_quarter, run_period

from .ingest.builders import dossier_row, simple_export

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("CCHC_PSEUDONYM_KEY", "a-test-key-of-enough-length")


@pytest.fixture
def small(tmp_path):
    """Two communes: Thanh Giang exported for the whole of Q3 2023, Lam Sơn only for July."""
    raw = tmp_path / "data" / "raw"
    simple_export(
        raw / "thanh-giang" / "q3.xlsx",
        [
            dossier_row(1, "T-1", received="03/07/2023 08:00", due="05/07/2023", done="04/07/2023 09:00"),
            dossier_row(
                2, "T-2", received="04/08/2023 08:00", due="07/08/2023", done="07/08/2023 09:00", channel="Trực tiếp"
            ),
        ],
    )
    simple_export(
        raw / "lam-son" / "t7.xlsx",
        [dossier_row(1, "L-1", received="03/07/2023 08:00")],
        title="UBND XÃ LAM SƠN",
        period="Từ ngày 01/07/2023 đến ngày 31/07/2023",
    )
    return tmp_path


def test_last_complete_quarter():
    import datetime as dt

    assert last_complete_quarter(dt.date(2026, 11, 27)) == "2026Q3"
    assert last_complete_quarter(dt.date(2026, 2, 1)) == "2025Q4"


def test_incomplete_units_are_skipped_unless_allowed(small, capsys):
    args = [
        "run",
        "--data-dir",
        str(small / "data"),
        "--reports-dir",
        str(small / "reports"),
        "--period",
        "2023Q3",
        "--jobs",
        "2",
    ]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "Xã Lam Sơn" in out and "bỏ qua" in out and "01/08/2023–30/09/2023" in out
    manifest = json.loads((small / "reports" / "2023Q3" / "manifest.json").read_text(encoding="utf-8"))
    status = {t["name"]: t["status"] for t in manifest["tasks"]}
    assert status == {"Xã Thanh Giang": "ok", "Xã Lam Sơn": "skipped", "Huyện Thanh Miện": "ok"}
    assert manifest["coverage_gaps"] == {"Xã Lam Sơn": ["01/08/2023–30/09/2023"]}
    assert manifest["methodology"]["version"] and len(manifest["pseudonym_key_id"]) == 12
    assert {o["file"] for o in manifest["outputs"]} >= {"notebooks/thanh-giang_2023Q3.ipynb", "chi-so_2023Q3.xlsx"}
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert "Chạy" in (small / "reports" / "2023Q3" / "run.log").read_text(encoding="utf-8")
    figures = (small / "reports" / "2023Q3" / "chi-so.json").read_bytes()
    assert main([*args, "--allow-incomplete"]) == 0
    assert (small / "reports" / "2023Q3" / "chi-so.json").read_bytes() == figures  # a rerun gives the same figures
    brief = nbformat.read(small / "reports" / "2023Q3" / "notebooks" / "lam-son_2023Q3.ipynb", as_version=4)
    shown = "".join(o.get("data", {}).get("text/markdown", "") for c in brief.cells for o in c.get("outputs", []))
    assert "THIẾU DỮ LIỆU" in shown


def test_one_failing_brief_does_not_stop_the_others_and_can_be_retried(small):
    nb_dir = small / "nb"
    shutil.copytree(NOTEBOOKS, nb_dir)
    broken = nbformat.read(nb_dir / "04_unit_brief.ipynb", as_version=4)
    broken.cells.insert(2, nbformat.v4.new_code_cell('assert unit != "30-11287", "dữ liệu hỏng"'))
    nbformat.write(broken, nb_dir / "04_unit_brief.ipynb")
    period = parse_period("2023Q3")
    manifest = run_period(small / "data", small / "reports", period, jobs=2, allow_incomplete=True, notebooks=nb_dir)
    status = {t["name"]: t["status"] for t in manifest["tasks"]}
    assert status == {"Xã Thanh Giang": "failed", "Xã Lam Sơn": "ok", "Huyện Thanh Miện": "ok"}
    failed = next(t for t in manifest["tasks"] if t["status"] == "failed")
    assert "dữ liệu hỏng" in failed["error"] and Path(failed["outputs"][0]).is_file()  # kept for debugging
    # fixed: only the failed brief is executed again
    shutil.copy(NOTEBOOKS / "04_unit_brief.ipynb", nb_dir / "04_unit_brief.ipynb")
    again = run_period(
        small / "data", small / "reports", period, jobs=1, allow_incomplete=True, notebooks=nb_dir, retry_failed=True
    )
    by_name = {t["name"]: t for t in again["tasks"]}
    assert {n: t["status"] for n, t in by_name.items()} == {n: "ok" for n in by_name}
    assert by_name["Xã Lam Sơn"]["seconds"] == 0 and by_name["Xã Thanh Giang"]["seconds"] > 0


def test_parameters_are_checked_before_anything_runs(small, capsys):
    base = ["run", "--data-dir", str(small / "data"), "--reports-dir", str(small / "reports")]
    assert main([*base, "--period", "2023Q7"]) == 2
    assert main([*base, "--period", "2023Q3", "--unit", "Xã Atlantis"]) == 2
    assert not (small / "reports").exists()  # nothing ran
    assert main([*base, "--period", "2021Q1"]) == 1
    assert "Không có dữ liệu nào của kỳ 2021Q1" in capsys.readouterr().err


def test_a_second_run_on_the_same_folder_is_refused(small, capsys):
    folder = small / "reports" / "2023Q3"
    folder.mkdir(parents=True)
    (folder / ".lock").write_text("123")
    assert (
        main(["run", "--data-dir", str(small / "data"), "--reports-dir", str(small / "reports"), "--period", "2023Q3"])
        == 1
    )
    assert "Một lần chạy khác đang dùng" in capsys.readouterr().err
