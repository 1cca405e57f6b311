"""A relative data folder is the project's when the code runs from a subfolder (JupyterLab runs a notebook from
notebooks/)."""

from __future__ import annotations

from cchc_analysis.paths import project_root, resolve
from cchc_analysis.settings import Settings


def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (tmp_path / "data" / "demo" / "processed").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    return tmp_path


def test_a_notebook_folder_finds_the_projects_data(tmp_path, monkeypatch):
    root = project(tmp_path)
    monkeypatch.chdir(root / "notebooks")
    assert project_root() == root.resolve()
    assert resolve("data/demo") == root.resolve() / "data" / "demo"
    assert Settings.resolve("data/demo", env={}).processed_dir == root.resolve() / "data" / "demo" / "processed"
    monkeypatch.delenv("CCHC_DATA_DIR", raising=False)
    assert Settings.resolve().data_dir == root.resolve() / "data"  # the default folder too


def test_what_exists_here_or_is_absolute_is_kept_and_nothing_is_searched_past_the_project(tmp_path, monkeypatch):
    root = project(tmp_path)
    (root / "notebooks" / "data").mkdir()
    monkeypatch.chdir(root / "notebooks")
    assert str(resolve("data")) == "data"  # notebooks/data exists: kept as given
    assert resolve(root / "elsewhere") == root / "elsewhere"
    assert str(resolve("data/missing")) == "data/missing"  # nowhere: unchanged, for the caller's message
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    (outside / "sub").mkdir(parents=True)
    monkeypatch.chdir(outside / "sub")
    assert project_root() is None or project_root() != root.resolve()
    assert str(resolve("data/demo")) == "data/demo"


def test_the_environment_variable_names_the_folder(tmp_path, monkeypatch):
    root = project(tmp_path)
    monkeypatch.chdir(root / "notebooks")
    assert Settings.resolve(env={"CCHC_DATA_DIR": "data/demo"}).data_dir == root.resolve() / "data" / "demo"
    assert Settings.resolve(env={"CCHC_DATA_DIR": str(root / "x")}).data_dir == root / "x"


def test_a_missing_store_says_where_it_looked_and_what_to_do(tmp_path, monkeypatch):
    import pytest

    from cchc_analysis.errors import InputFileError
    from cchc_analysis.store import open_store

    root = project(tmp_path)
    monkeypatch.chdir(root / "notebooks")
    with pytest.raises(InputFileError, match=r"Không có thư mục dữ liệu .*nowhere \(đang chạy từ .*notebooks\)"):
        open_store("nowhere")
    with pytest.raises(InputFileError, match=r"Chưa có dữ liệu đã xử lý trong .*data/demo/processed\. Hãy chạy `cchc"):
        open_store("data/demo")
