"""Ingest a data folder through the command line and read back a unit's figures, as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cchc_analysis.cli import main
from cchc_analysis.indicators import compute_indicators
from cchc_analysis.periods import parse_period

from .dossiers import PERIOD


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("CCHC_PSEUDONYM_KEY", "a-test-key-of-enough-length")


class Outcome:
    """What `cchc ingest` said (exit code, stdout, stderr) and the ingest report it wrote."""

    def __init__(self, data_dir: Path, code: int, out: str, err: str) -> None:
        self.data_dir, self.code, self.out, self.err = data_dir, code, out, err
        path = data_dir / "processed" / "ingest_report.json"
        self.report = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    @property
    def files(self) -> list[dict]:
        return self.report.get("files", [])

    def file(self, name: str) -> dict:
        return next(f for f in self.files if f["file"].endswith(name))

    def record(self, unit: str = "Thanh Giang", period: str = PERIOD) -> dict:
        (rec,) = compute_indicators(self.data_dir, parse_period(period), units=[unit])
        return rec


def ingest(data_dir: Path, capsys, *args: str) -> Outcome:
    capsys.readouterr()
    code = main(["ingest", "--data-dir", str(data_dir), *args])
    captured = capsys.readouterr()
    return Outcome(data_dir, code, captured.out, captured.err)


def assert_refused(outcome: Outcome, name: str, *words: str) -> dict:
    """The file was refused: exit 1, its name and each of ``words`` in the message, no unexpected error."""
    assert outcome.code == 1, outcome.out + outcome.err
    assert "không mong đợi" not in outcome.err
    entry = outcome.file(name)
    assert entry["error"], entry
    for w in words:
        assert w in entry["error"], (w, entry["error"])
    return entry
