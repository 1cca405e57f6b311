"""Every notebook is a thin view: a tagged parameters cell of literals, no definitions, no stored outputs, and it
runs with papermill on the demo district."""

import json
from pathlib import Path

import papermill as pm
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_notebooks_exist():
    assert {p.stem for p in NOTEBOOKS} >= {"01_ingest_quality", "02_unit_indicators", "03_group_ranking", "explore"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_a_thin_view(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1
    for line in "".join(params[0]["source"]).splitlines():
        assert "=" in line and "#" in line, line  # a literal with a comment, documented by papermill --help-notebook
    for c in code:
        src = "".join(c["source"])
        assert not any(line.lstrip().startswith(("def ", "class ")) for line in src.splitlines())
        assert not c.get("outputs") and c.get("execution_count") is None


PLOTS = ("monthly_trend", "funnel_plot", "interval_dot_plot", "bump_chart", "component_heatmap")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_the_demo_as_jupyterlab_runs_it(path, ingested, demo_dir, tmp_path):
    # JupyterLab runs a notebook from its own folder (notebooks/) with the parameters as written ("data/demo"):
    # the project's data folder is found from there, and every chart shows inline
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    (project / "data").mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'analysis'\n", encoding="utf-8")
    (project / "data" / "demo").symlink_to(demo_dir, target_is_directory=True)
    out = project / "notebooks" / path.name
    pm.execute_notebook(str(path), str(out), kernel_name="python3", progress_bar=False, cwd=str(project / "notebooks"))
    executed = json.loads(out.read_text(encoding="utf-8"))
    errors = [o for c in executed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    for cell in executed["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "code" and any(f"{name}(" in src for name in PLOTS):
            assert any("image/png" in o.get("data", {}) for o in cell["outputs"]), src
