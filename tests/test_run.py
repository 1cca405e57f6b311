"""cchc run: parameter checks before any kernel, coverage gate, failure isolation, retry, manifest, lock."""

import json
import re
import shutil
import subprocess
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
    # one file per briefed unit (Lam Sơn skipped: none), cut from the run's files; a stale one does not outlive a run
    units = small / "reports" / "2023Q3" / "don-vi"
    assert sorted(p.name for p in units.iterdir()) == ["thanh-giang.json"]
    own = json.loads((units / "thanh-giang.json").read_text(encoding="utf-8"))
    whole = json.loads(figures)
    assert own["record"] == next(r for r in whole if r["unit_id"] == "30-11287")
    ranked = json.loads((small / "reports" / "2023Q3" / "xep-hang.json").read_text(encoding="utf-8"))
    assert own["rankings"] == {g: [r for r in rs if r["unit_id"] == "30-11287"] for g, rs in ranked.items()}
    assert own["rankings"]["Huyện Thanh Miện"] and own["compared"]["units"] == ["30-11287"]
    (units / "tu-cuong.json").write_text("{}", encoding="utf-8")
    assert main([*args, "--allow-incomplete"]) == 0
    assert sorted(p.name for p in units.iterdir()) == ["lam-son.json", "thanh-giang.json"]
    assert (small / "reports" / "2023Q3" / "chi-so.json").read_bytes() == figures  # a rerun gives the same figures
    brief = nbformat.read(small / "reports" / "2023Q3" / "notebooks" / "lam-son_2023Q3.ipynb", as_version=4)
    shown = "".join(o.get("data", {}).get("text/html", "") for c in brief.cells for o in c.get("outputs", []))
    assert "THIẾU DỮ LIỆU" in shown


def _failing_for_thanh_giang(small) -> Path:
    """A copy of the notebooks whose unit brief fails for Thanh Giang (30-11287) only."""
    nb_dir = small / "nb"
    shutil.copytree(NOTEBOOKS, nb_dir)
    broken = nbformat.read(nb_dir / "04_unit_brief.ipynb", as_version=4)
    broken.cells.insert(2, nbformat.v4.new_code_cell('assert unit != "30-11287", "dữ liệu hỏng"'))
    nbformat.write(broken, nb_dir / "04_unit_brief.ipynb")
    return nb_dir


def test_one_failing_brief_does_not_stop_the_others_and_can_be_retried(small):
    nb_dir = _failing_for_thanh_giang(small)
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
    assert main([*base, "--period", "2023Q3", "--formats", "html,rtf"]) == 2
    assert "Định dạng không hỗ trợ: rtf" in capsys.readouterr().err
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


def load_in_chromium(page: Path, profile: Path) -> tuple[list[str], str]:
    """Open a page in Debian's headless Chromium (installed by .ci/run; never downloaded); return the console
    messages it logged and the DOM after load."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium không có trên máy: .ci/run cài gói Debian chromium"
    result = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return console, result.stdout


def test_chromium_check_sees_console_errors(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<html><body><script>console.error("hỏng")</script></body></html>', encoding="utf-8")
    console, dom = load_in_chromium(page, tmp_path / "profile")
    assert len(console) == 1 and "<body>" in dom


def test_run_publishes_every_format_and_an_index_that_loads_cleanly(small, tmp_path):
    from openpyxl import load_workbook

    from .ingest.builders import HEADER, write_xlsx

    data = small / "data"
    (data / "units.csv").write_text(
        'unit_id,code,name,type,group,province\n30-99999,99999,"<script>alert(1)</script> Mới",xã,'
        "Huyện Thanh Miện,Hải Dương\n",
        encoding="utf-8",
    )
    row = dossier_row(1, "X-1", received="03/07/2023 08:00", due="05/07/2023", done="04/07/2023 09:00")
    write_xlsx(
        data / "raw" / "moi" / "q3.xlsx",
        [
            ["UBND XÃ <script>alert(1)</script> MỚI"],
            ["Từ ngày 01/07/2023 đến ngày 30/09/2023"],
            [],
            [*HEADER, "Lĩnh vực"],
            [*row, '+HYPERLINK("http://example.org","bấm")'],
        ],
    )
    manifest = run_period(data, small / "reports", parse_period("2023Q3"), jobs=2, allow_incomplete=True)
    assert {t["status"] for t in manifest["tasks"]} == {"ok"}
    folder = small / "reports" / "2023Q3"
    # the kernels talked over Unix sockets: none logged a warning about TCP without encryption
    kernel_log = (folder / "notebooks" / "kernels.log").read_text(encoding="utf-8")
    assert "without encryption" not in kernel_log and "WARNING" not in kernel_log
    hostile = next(t for t in manifest["tasks"] if t["name"].startswith("Xã <script>"))
    for stem in ("thanh-giang_2023Q3", "huyen-thanh-mien_2023Q3", Path(hostile["publish_base"]).name):
        for ext in (".html", ".pdf", ".docx"):
            assert (folder / f"{stem}{ext}").stat().st_size > 1000, stem + ext
    page = (folder / f"{Path(hostile['publish_base']).name}.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # the Excel workbook: indicators, rankings and TT 01 sheets, and no formula from data
    wb = load_workbook(folder / "chi-so_2023Q3.xlsx")
    assert wb.sheetnames[:2] == ["Chỉ số", "Xếp hạng"] and any(s.startswith("TT01") for s in wb.sheetnames)
    cells = [c for ws in wb.worksheets for r in ws.iter_rows() for c in r if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == '+HYPERLINK("http://example.org","bấm")' and c.data_type == "s" for c in cells)
    # the index: every brief linked, no broken link, no console message in Chromium
    console, dom = load_in_chromium(folder / "index.html", tmp_path / "profile")
    assert console == []
    links = re.findall(r'(?:href|src)="([^"]+)"', dom)
    assert {f"thanh-giang_2023Q3.{e}" for e in ("html", "pdf", "docx")} <= set(links)
    assert "manifest.json" in links and "chi-so_2023Q3.xlsx" in links
    assert [link for link in links if not (folder / link).is_file()] == []
    assert "&lt;script&gt;" in dom


def _notebook(path, source):
    import nbformat

    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    )
    nb.cells = [
        nbformat.v4.new_code_cell("x = 0", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(source),
    ]
    nbformat.write(nb, path)


def test_a_worker_reuses_its_kernel_but_no_brief_sees_the_previous_ones_names(tmp_path):
    import nbformat

    from cchc_analysis import run

    # the last line's value goes to IPython's output history (Out), which must not outlive its brief either
    _notebook(tmp_path / "set.ipynb", "import os\nleft_behind = x\nprint(os.getpid())\n'left' + 'behind'")
    _notebook(
        tmp_path / "look.ipynb",
        "import os\nprint(os.getpid(), 'left_behind' in dir(), x, len(Out), globals().get('_') == 'leftbehind')",
    )
    _notebook(tmp_path / "fail.ipynb", "raise ValueError('hỏng')")

    def execute(name, x):
        task = {"notebook": name, "output": str(tmp_path / f"out-{name}"), "parameters": {"x": x}}
        result = run._execute(task, str(tmp_path), [])
        text = nbformat.read(task["output"], 4).cells[-1].outputs
        return result, (text[0]["text"].split() if result["status"] == "ok" else None)

    try:
        _, (pid,) = execute("set.ipynb", 1)
        _, (same_pid, leaked, x, outs, last) = execute("look.ipynb", 2)
        assert (same_pid, leaked, x, outs, last) == (pid, "False", "2", "0", "False")  # one kernel, a clean namespace
        kept = nbformat.read(tmp_path / "out-look.ipynb", 4)
        assert [c.source for c in kept.cells][:1] == ["x = 0"]  # the analyst's copy has no reset cell
        failed, _ = execute("fail.ipynb", 3)
        assert failed["status"] == "failed" and "hỏng" in failed["error"]
        _, (new_pid, leaked, *_rest) = execute("look.ipynb", 4)
        assert new_pid != pid and leaked == "False"  # a failed brief's kernel is not reused
    finally:
        run._stop_kernel()


def test_the_briefs_on_a_local_dask_cluster_with_one_failing(small, capsys):
    # the same failure isolation and manifest on a LocalCluster of 2 worker processes as with the local pool
    nb_dir = _failing_for_thanh_giang(small)
    period = parse_period("2023Q3")
    manifest = run_period(
        small / "data", small / "reports", period, jobs=2, allow_incomplete=True, notebooks=nb_dir,
        formats=["html"], cluster="local",
    )  # fmt: skip
    status = {t["name"]: t["status"] for t in manifest["tasks"]}
    assert status == {"Xã Thanh Giang": "failed", "Xã Lam Sơn": "ok", "Huyện Thanh Miện": "ok"}
    assert "dữ liệu hỏng" in next(t["error"] for t in manifest["tasks"] if t["status"] == "failed")
    assert manifest["parameters"]["cluster"] == "local"
    assert (small / "reports" / "2023Q3" / "lam-son_2023Q3.html").is_file()
    assert not (small / "reports" / "2023Q3" / "thanh-giang_2023Q3.html").exists()


def test_cluster_options_are_refused_before_anything_runs_without_dask(small, capsys, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name, *a))
    args = ["run", "--data-dir", str(small / "data"), "--reports-dir", str(small / "reports"), "--period", "2023Q3"]
    assert main([*args, "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    assert "pip install 'cchc-analysis[cluster]'" in capsys.readouterr().err
    assert not (small / "reports" / "2023Q3").exists()


def test_a_kernel_grown_past_the_limit_is_replaced(tmp_path, monkeypatch):
    from cchc_analysis import run

    _notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid())")
    monkeypatch.setattr(run, "KERNEL_RSS_LIMIT", 1)  # every kernel is over one byte

    def pid(x):
        task = {"notebook": "pid.ipynb", "output": str(tmp_path / f"out-{x}.ipynb"), "parameters": {"x": x}}
        assert run._execute(task, str(tmp_path), [])["status"] == "ok"
        return nbformat.read(task["output"], 4).cells[-1].outputs[0]["text"].strip()

    try:
        assert pid(1) != pid(2)
    finally:
        run._stop_kernel()


def test_a_notebooks_client_channels_are_closed_when_its_kernel_is_kept(tmp_path, monkeypatch):
    # an open client of a kept kernel goes on receiving every later brief's outputs: 3.5 GiB per worker on a province
    from papermill.clientwrap import PapermillNotebookClient

    from cchc_analysis import run

    clients = []
    real = PapermillNotebookClient.execute
    monkeypatch.setattr(PapermillNotebookClient, "execute", lambda self, **kw: clients.append(self) or real(self, **kw))
    _notebook(tmp_path / "n.ipynb", "print(x)")
    try:
        for x in (1, 2):
            task = {"notebook": "n.ipynb", "output": str(tmp_path / f"o{x}.ipynb"), "parameters": {"x": x}}
            assert run._execute(task, str(tmp_path), [])["status"] == "ok"
        assert len(clients) == 2 and run._KERNEL is not None  # the kernel kept, its clients closed
        assert not any(c.kc.channels_running for c in clients)
    finally:
        run._stop_kernel()


def test_the_group_briefs_go_to_the_workers_first_and_the_units_keep_their_order():
    from cchc_analysis.run import Task, _longest_first

    def task(kind, name):
        return Task(kind, name, name, "nb.ipynb", {}, f"{name}.ipynb")

    tasks = [task("unit", "b"), task("unit", "a"), task("group", "g1"), task("unit", "c"), task("group", "g2")]
    assert [t.name for t in _longest_first(tasks)] == ["g1", "g2", "b", "a", "c"]
    assert [t.name for t in tasks] == ["b", "a", "g1", "c", "g2"]  # the manifest keeps the tasks' own order


def test_a_unit_whose_dossier_figures_are_missing_for_a_reason_is_briefed_not_left_out():
    from cchc_analysis.rates import missing_reason
    from cchc_analysis.run import _has_data

    base = {"received_total": None, "budget_as_of": None, "par_year": None, "missing": {}}
    assert not _has_data(dict(base, missing={"received_total": missing_reason("no_dossiers")}))
    assert not _has_data(dict(base, received_total=0))  # exports of the period, and no dossier in it
    # a new commune whose predecessors' shares are unknown: its brief says so (before, it was dropped silently)
    assert _has_data(dict(base, missing={"received_total": "chưa biết tỷ lệ phần của Xã Đoàn Tùng chuyển về …"}))
    assert _has_data(dict(base, received_total=3)) and _has_data(dict(base, budget_as_of="2025-06-30"))
    assert _has_data(dict(base, par_year=2024))
    # no export of the unit spans the period at all: nothing to brief (the run says no data for the period)
    uncovered = {"received_total": "không có tệp xuất hồ sơ nào của đơn vị trong kỳ (…)"}
    assert not _has_data(dict(base, missing=uncovered, uncovered="01/07/2023–30/09/2023"))
