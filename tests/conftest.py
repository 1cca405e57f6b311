"""Shared fixtures: the demo district is generated once per test session."""

from __future__ import annotations

import pytest

from cchc_analysis.demo import generate_demo_data


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    """A data folder holding the whole generated demo district under raw/."""
    data_dir = tmp_path_factory.mktemp("demo")
    generate_demo_data(data_dir)
    return data_dir
