"""Adding a rate indicator touches indicators.yaml only (docs/adding-an-indicator.md): the entry of
tests/fixtures/new_indicator.yaml, added to a copy of the shipped catalogue, is computed, explained when missing,
shown by the CLI and ranked, with no code changed. Expected values worked out by hand in the comments."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from cchc_analysis.errors import ConfigError
from cchc_analysis.indicators import compute_indicators
from cchc_analysis.periods import parse_period
from cchc_analysis.ranking import compute_rankings

from .test_compute_indicators import LS, TG, dossier

FIXTURE = Path(__file__).parent / "fixtures" / "new_indicator.yaml"
SHIPPED = Path(__file__).resolve().parents[1] / "cchc_analysis" / "data" / "indicators.yaml"
JULY = parse_period("2023-07")
DOSSIERS = [
    # Thanh Giang at the end of July: 3 pending (due 25/07 -> overdue, due 31/07 and 10/08 -> within), 1 resolved
    dossier(TG, "1", "2023-07-03 08:00", "2023-07-25", None, "in_progress", "online"),
    dossier(TG, "2", "2023-07-04 08:00", "2023-07-31", None, "in_progress", "direct"),
    dossier(TG, "3", "2023-07-05 08:00", "2023-08-10", None, "in_progress", "direct"),
    dossier(TG, "4", "2023-07-06 08:00", "2023-07-10", "2023-07-07 09:00", "resolved", "online"),
    # Lam Sơn: nothing pending at the end of July (its rate is missing, "no_pending")
    dossier(LS, "5", "2023-07-20 08:00", "2023-07-25", "2023-07-21 08:00", "resolved", "online"),
]


@pytest.fixture
def catalogue_with_new_indicator(tmp_path, monkeypatch):
    shipped = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    new = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    shipped["indicators"].update(new["indicators"])
    shipped["missing_reasons"].update(new["missing_reasons"])
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump(shipped, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("CCHC_INDICATORS_FILE", str(path))
    return path


@pytest.fixture
def store(tmp_path):
    processed = tmp_path / "data" / "processed"
    processed.mkdir(parents=True)
    pd.DataFrame(DOSSIERS).assign(field="Hộ tịch").to_parquet(processed / "dossiers.parquet")
    return tmp_path / "data"


def test_a_new_rate_is_computed_and_explained_from_its_entry_alone(catalogue_with_new_indicator, store):
    by = {r["unit_id"]: r for r in compute_indicators(store, JULY)}
    assert by[TG]["pending_overdue_pct"] == pytest.approx(100 / 3)  # 1 overdue of 3 pending
    assert by[LS]["pending_overdue_pct"] is None
    assert by[LS]["missing"]["pending_overdue_pct"] == "không có hồ sơ đang giải quyết đến cuối kỳ"


def test_a_new_rate_is_ranked_lower_is_better(catalogue_with_new_indicator, store):
    records = compute_rankings(store, JULY, indicators=["pending_overdue_pct"], draws=0)
    by = {r["unit_id"]: r for r in records}
    assert by[TG]["value"] == pytest.approx(100 / 3) and by[TG]["rank_of"] == 1
    assert by[LS]["value"] is None and by[LS]["rank"] is None


def test_the_cli_table_labels_the_new_rate(catalogue_with_new_indicator, store, capsys):
    from cchc_analysis.cli import main

    assert main(["--data-dir", str(store), "indicators", "--period", "2023-07", "--unit", "Thanh Giang"]) == 0
    out = capsys.readouterr().out
    assert "Tỷ lệ hồ sơ đang giải quyết quá hạn" in out and "33,3" in out  # 100/3 to one decimal, Vietnamese comma


def test_the_unit_brief_ranks_on_the_new_rate(catalogue_with_new_indicator, store):
    from cchc_analysis.brief import render_brief_html, unit_brief

    html = render_brief_html(unit_brief(store, JULY, "Thanh Giang"))
    assert "Hồ sơ đang giải quyết quá hạn (thấp là tốt)" in html


def test_without_the_entry_the_rate_does_not_exist(store):
    (rec,) = compute_indicators(store, JULY, units=["Thanh Giang"])
    assert "pending_overdue_pct" not in rec
    with pytest.raises(ConfigError, match="pending_overdue_pct"):
        compute_rankings(store, JULY, indicators=["pending_overdue_pct"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"numerator": ["pending_late"]}, "dùng pending_late, không phải số đếm"),
        ({"missing": "no_such_reason"}, "lý do thiếu 'no_such_reason'"),
        ({"direction": "none"}, "cần direction: higher hoặc lower"),
        ({"denominator": []}, "không được trống"),
        ({"short_label": ""}, "cần short_label"),
    ],
)
def test_a_wrong_entry_is_refused_with_what_to_fix(catalogue_with_new_indicator, store, change, message):
    data = yaml.safe_load(catalogue_with_new_indicator.read_text(encoding="utf-8"))
    data["indicators"]["pending_overdue_pct"].update(change)
    catalogue_with_new_indicator.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    from cchc_analysis.methodology import _indicator_file

    _indicator_file.cache_clear()  # the same path, new contents
    with pytest.raises(ConfigError, match=message):
        compute_indicators(store, JULY)


def test_an_unreadable_catalogue_is_refused_by_name(tmp_path, monkeypatch, store):
    monkeypatch.setenv("CCHC_INDICATORS_FILE", str(tmp_path / "none.yaml"))
    with pytest.raises(ConfigError, match=r"Không đọc được danh mục chỉ số .*none\.yaml \(CCHC_INDICATORS_FILE\)"):
        compute_indicators(store, JULY)
    (tmp_path / "bad.yaml").write_text("indicators: {a: [\n", encoding="utf-8")
    monkeypatch.setenv("CCHC_INDICATORS_FILE", str(tmp_path / "bad.yaml"))
    with pytest.raises(ConfigError, match="YAML không hợp lệ"):
        compute_indicators(store, JULY)
