"""Run settings: where data and reports live, resolved from CLI options, environment variables and defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_DATA_DIR = "CCHC_DATA_DIR"
ENV_REPORTS_DIR = "CCHC_REPORTS_DIR"
DEFAULT_DATA_DIR = Path("data")
DEFAULT_REPORTS_DIR = Path("reports")


@dataclass(frozen=True)
class Settings:
    """Resolved folders. ``raw_dir`` is read-only input; ``processed_dir`` and reports are outputs."""

    data_dir: Path
    reports_dir: Path

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def processed_dir(self) -> Path:
        return self.data_dir / "processed"

    @classmethod
    def resolve(
        cls,
        data_dir: str | os.PathLike | None = None,
        reports_dir: str | os.PathLike | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Settings:
        """Explicit argument first, then ``CCHC_DATA_DIR`` / ``CCHC_REPORTS_DIR``, then ``./data`` and ``./reports``.
        A relative data folder that does not exist here is the project's (``paths.resolve``: a notebook runs from
        notebooks/)."""
        from .paths import resolve

        env = os.environ if env is None else env
        data = resolve(data_dir) if data_dir else resolve(env.get(ENV_DATA_DIR) or DEFAULT_DATA_DIR)
        reports = Path(reports_dir) if reports_dir else Path(env.get(ENV_REPORTS_DIR) or DEFAULT_REPORTS_DIR)
        return cls(data_dir=data, reports_dir=reports)
