"""The province rollup: each province's communes' spread of the Decision 766 indicators, worked out by hand."""

import pytest

from cchc_analysis.registry import UnitRegistry
from cchc_analysis.rollup import province_rollup, rollup_indicators

# three communes of Hải Phòng and two of Hà Nội since July 2025 (ids from the national registry)
HP = ["2025-31-11284", "2025-31-11254", "2025-31-11257"]  # Nam Thanh Miện, Bắc Thanh Miện, Hải Hưng
HN = ["2025-01-00004", "2025-01-00008"]  # Ba Đình, Ngọc Hà


def record(unit_id, on_time, online):
    return {"unit_id": unit_id, "group": "", "on_time_rate_766": on_time, "online_rate": online}


@pytest.fixture(scope="module")
def rows():
    records = [
        record(HP[0], 80.0, 60.0),
        record(HP[1], 90.0, None),  # no online figure: counted among the units, not among the values
        record(HP[2], None, 40.0),
        record(HN[0], 70.0, 10.0),
        record(HN[1], 100.0, 30.0),
    ]
    return {(r["province"], r["indicator"]): r for r in province_rollup(records, UnitRegistry.shipped())}


def test_the_indicators_are_the_766_groups_in_order():
    from cchc_analysis.methodology import load_methodology

    assert rollup_indicators(load_methodology()) == [
        "on_time_rate_766", "procedures_online_share", "online_rate", "online_payment_rate", "digitised_rate",
        "satisfaction_rate",
    ]  # fmt: skip


def test_median_quartiles_and_extremes_by_hand(rows):
    hp = rows[("Thành phố Hải Phòng", "on_time_rate_766")]
    # values 80, 90 (Hải Hưng has none): median 85; quartiles by linear interpolation 80 + 0.25·10, 80 + 0.75·10
    assert (hp["units"], hp["units_with_value"]) == (3, 2)
    assert (hp["median"], hp["p25"], hp["p75"], hp["min"], hp["max"]) == (85.0, 82.5, 87.5, 80.0, 90.0)
    online = rows[("Thành phố Hải Phòng", "online_rate")]
    assert (online["units_with_value"], online["median"], online["min"], online["max"]) == (2, 50.0, 40.0, 60.0)
    hn = rows[("Thành phố Hà Nội", "online_rate")]
    # 10 and 30: median 20, quartiles 15 and 25
    assert (hn["median"], hn["p25"], hn["p75"]) == (20.0, 15.0, 25.0)


def test_an_indicator_no_commune_has_is_missing_not_zero(rows):
    digitised = rows[("Thành phố Hà Nội", "digitised_rate")]
    assert (digitised["units"], digitised["units_with_value"], digitised["median"]) == (2, 0, None)
    assert digitised["label"] != "digitised_rate"  # the catalogue's Vietnamese label


def test_rollup_command_on_a_store(tmp_path, capsys):
    import json

    import pandas as pd

    from cchc_analysis.cli import main

    def dossier(unit, channel):
        return {
            "unit_id": unit, "code": f"{unit}-1", "status": "resolved", "channel": channel,
            "received_at": pd.Timestamp("2025-08-04 08:00"), "due_at": pd.Timestamp("2025-08-08"),
            "processed_at": pd.Timestamp("2025-08-05 08:00"), "result_at": pd.NaT, "handed_at": pd.NaT,
            "fee": 0.0, "payment_method": None, "procedure": "A", "digitised": None,
        }  # fmt: skip

    (tmp_path / "processed").mkdir()
    rows = [dossier(HP[0], "online"), dossier(HP[1], "direct")]
    pd.DataFrame(rows).to_parquet(tmp_path / "processed" / "dossiers.parquet")
    assert main(["rollup", "--period", "2025Q3", "--data-dir", str(tmp_path), "--format", "json"]) == 0
    out = {r["indicator"]: r for r in json.loads(capsys.readouterr().out)}
    # each resolved early, one online and one direct: on time 100 and 100, online submission 100 and 0
    assert {r["province"] for r in out.values()} == {"Thành phố Hải Phòng"}
    assert (out["on_time_rate_766"]["median"], out["online_rate"]["median"]) == (100.0, 50.0)
    assert (out["online_rate"]["min"], out["online_rate"]["max"], out["online_rate"]["units"]) == (0.0, 100.0, 2)
    assert main(["rollup", "--period", "2025Q3", "--data-dir", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "Tổng hợp theo tỉnh" in text and "Thành phố Hải Phòng" in text and "Trung vị" in text


def test_country_brief_published_in_html_pdf_and_word(tmp_path, capsys, monkeypatch):
    import pandas as pd

    monkeypatch.delenv("CCHC_SCOPE")  # the whole country
    from cchc_analysis.cli import main

    rows = []
    for i, unit in enumerate([*HP, *HN]):
        for j in range(i + 1):  # 1..5 dossiers, online for even j
            rows.append(
                {
                    "unit_id": unit, "code": f"{unit}-{j}", "status": "resolved",
                    "channel": "online" if j % 2 == 0 else "direct",
                    "received_at": pd.Timestamp("2025-08-04 08:00"), "due_at": pd.Timestamp("2025-08-08"),
                    "processed_at": pd.Timestamp("2025-08-05 08:00"), "result_at": pd.NaT, "handed_at": pd.NaT,
                    "fee": 0.0, "payment_method": None, "procedure": "A", "digitised": None,
                }
            )  # fmt: skip
    (tmp_path / "processed").mkdir()
    pd.DataFrame(rows).to_parquet(tmp_path / "processed" / "dossiers.parquet")
    out = tmp_path / "brief"
    args = ["rollup", "--period", "2025Q3", "--data-dir", str(tmp_path), "--format", "json", "--publish", str(out)]
    assert main(args) == 0
    html = (out / "ca-nuoc_2025Q3.html").read_text(encoding="utf-8")
    # two provinces of the national registry: Hà Nội's two communes (4 and 5 dossiers), Hải Phòng's three
    assert (
        "2 tỉnh, thành phố; 5 đơn vị cấp xã trong dữ liệu kỳ" in html
        and "Thành phố Hà Nội" in html
        and "Bảng 1. Trung vị" in html
    )
    assert (out / "ca-nuoc_2025Q3.pdf").read_bytes()[:5] == b"%PDF-"
    assert (out / "ca-nuoc_2025Q3.docx").is_file()
