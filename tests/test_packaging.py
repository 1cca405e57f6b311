"""environment.yml builds the same environment as pyproject.toml."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_names_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == wanted
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
    # runtime first, then the development section: the runtime block alone is what a user installs
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    runtime_text, dev_text = text.split("dependencies:\n", 1)[1].split("# --- development (the dev extra) ---")
    runtime = {_name(line.strip()[2:]) for line in runtime_text.splitlines() if line.strip().startswith("- ")}
    dev = {
        _name(line.strip()[2:]) for line in dev_text.splitlines() if line.strip().startswith("- ") and "pip" not in line
    }
    assert runtime - {"python"} == {_name(r) for r in project["dependencies"]}
    assert dev - {"-e"} == {_name(r) for r in project["optional-dependencies"]["dev"]}


def test_layout_exists():
    for folder in ("notebooks", "data/raw", "data/processed", "cchc_analysis", "reports", "tests"):
        assert (ROOT / folder).is_dir(), folder


def test_every_dependency_is_justified_in_docs():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    table = (ROOT / "docs" / "dependencies.md").read_text(encoding="utf-8").lower()
    rows = {
        cell.strip() for line in table.splitlines() if line.startswith("|") for cell in line.split("|")[1].split(",")
    }
    names = {re.sub(r"\s*\(.*\)", "", r).strip() for r in rows}
    missing = sorted(w for w in wanted if w not in names and w.replace("-", "_") not in names)
    assert not missing, f"add a row to docs/dependencies.md for {missing}"
