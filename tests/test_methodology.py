"""The methodology file and display rounding (methodology.py)."""

from pathlib import Path

import pytest

from cchc_analysis.errors import ConfigError
from cchc_analysis.methodology import Methodology, format_vn, indicator_catalogue, load_methodology, round_display


def test_the_shipped_methodology_reads_with_its_version_and_digest():
    m = load_methodology()
    assert m.version == "2026.2" and len(m.digest) == 12
    assert m.get("ingest", "max_rejected_share") == 0.2 and m.get("par", "below_threshold_pct") == 75
    with pytest.raises(ConfigError, match=r"2026\.2: thiếu khóa par\.nothing"):
        m.get("par", "nothing")
    with pytest.raises(ConfigError, match=r"thiếu khóa version\.deeper"):
        m.get("version", "deeper")  # a value has no keys below it


def test_a_users_file_needs_a_version_and_valid_yaml(tmp_path):
    shipped = (Path(__file__).parents[1] / "cchc_analysis" / "data" / "methodology.yaml").read_text(encoding="utf-8")
    good = tmp_path / "m.yaml"
    good.write_text(shipped.replace('version: "2026.2"', "version: my-1").replace("mode: half_up", "mode: truncate"))
    m = load_methodology(good)
    assert (m.version, m.get("rounding", "mode")) == ("my-1", "truncate")
    assert m.get("ranking", "min_volume") == 30  # the rest as shipped
    assert m.digest != load_methodology().digest
    for text, words in (("rounding: {}\n", "version"), ("version: [\n", "YAML"), ("- a\n", "version")):
        bad = tmp_path / "bad.yaml"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=words):
            load_methodology(bad)
    with pytest.raises(ConfigError, match="Không đọc được"):
        load_methodology(tmp_path / "missing.yaml")


def test_a_users_file_must_hold_every_setting_no_default_is_guessed(tmp_path):
    partial = tmp_path / "m.yaml"
    partial.write_text("version: my-1\nrounding: {mode: truncate}\nranking: {min_volume: 10}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_methodology(partial)
    message = str(err.value)
    assert "ranking.funnel_limits" in message and "ranking.composite_weight_perturbation" in message
    assert "ingest" in message and "par" in message and "ranking.min_volume" not in message
    assert "rounding.mode" not in message  # given, so not listed
    assert "chép tệp mặc định" in message


def test_missing_keys_are_listed_by_their_dotted_path():
    from cchc_analysis.methodology import _missing_keys

    shipped = {"a": {"b": 1, "c": {"d": 2}}, "e": 3, "f": {"g": 4}}
    assert _missing_keys({"a": {"c": {}}, "f": 5}, shipped) == ["a.b", "a.c.d", "e", "f.g"]
    assert _missing_keys(shipped, shipped) == [] and _missing_keys({}, {"x": 1}) == ["x"]


def test_get_walks_nested_keys():
    m = Methodology({"a": {"b": {"c": 3}}, "d": 0}, "v", "x")
    assert (m.get("a", "b", "c"), m.get("a", "b"), m.get("d")) == (3, {"c": 3}, 0)
    with pytest.raises(ConfigError, match=r"thiếu khóa a\.z"):
        m.get("a", "z")


@pytest.mark.parametrize(
    ("value", "places", "mode", "shown"),
    [
        (6.25, 1, "half_up", "6.3"),
        (6.25, 1, "truncate", "6.2"),
        (75.8278, 2, "truncate", "75.82"),  # as some hand-written reports do
        (75.8278, 2, "half_up", "75.83"),
        (0.125, 2, "half_up", "0.13"),
        (2.5, 0, "half_up", "3"),
        (-2.5, 0, "half_up", "-3"),
    ],
)
def test_round_display(value, places, mode, shown):
    assert str(round_display(value, places, mode)) == shown


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (2527, 0, "2.527"),
        (5599554000, 0, "5.599.554.000"),
        (8.417, 3, "8,417"),
        (99.76, 1, "99,8"),
        (None, 1, "—"),
        (1234.5, 1, "1.234,5"),
        (0, 2, "0,00"),
    ],
)
def test_format_vn(value, places, shown):
    assert format_vn(value, places) == shown


def test_format_vn_truncates_when_the_methodology_says():
    assert format_vn(75.8278, 2, "truncate") == "75,82"


def test_the_indicator_catalogue_gives_each_figure_its_label_unit_and_decimals():
    cat = indicator_catalogue()
    assert cat["online_rate"]["decimals"] == 1 and cat["online_rate"]["unit"] == "%"
    assert cat["received_total"]["label"].startswith("Tổng số hồ sơ") and cat["received_total"]["decimals"] == 0


def test_a_users_methodology_file_that_cannot_be_read_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"Không đọc được tệp phương pháp .*nope\.yaml"):
        load_methodology(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"Tệp phương pháp .*bad\.yaml không phải YAML hợp lệ"):
        load_methodology(bad)
