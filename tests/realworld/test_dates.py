"""Class 3: date forms other than dd/mm/yyyy; day-first or month-first decided per column from the evidence."""

import datetime as dt

import pytest

from .dossiers import dossiers, expected, figures
from .harness import _key, assert_refused, ingest  # noqa: F401
from .layouts import STANDARD, rows, write_text, write_xlsx

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


def us(value, with_time):  # a US-locale machine: month first, no zero padding, 12-hour clock
    if isinstance(value, dt.datetime) and with_time:
        hour = value.hour % 12 or 12
        return f"{value.month}/{value.day}/{value.year} {hour}:{value:%M} {'PM' if value.hour >= 12 else 'AM'}"
    return f"{value.month}/{value.day}/{value.year}"


def sa_ch(value, with_time):  # Vietnamese Windows locale: SA (sáng) / CH (chiều)
    if isinstance(value, dt.datetime) and with_time:
        hour = value.hour % 12 or 12
        return f"{value:%d/%m/%Y} {hour:02d}:{value:%M:%S} {'CH' if value.hour >= 12 else 'SA'}"
    return f"{value:%d/%m/%Y}"


def compact(value, with_time):  # national portal synchronisation fields: yyyyMMddHHmmss
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(17, 0))
    return f"{value:%Y%m%d%H%M%S}"


def iso_t(value, with_time):
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%dT%H:%M:%S}+07:00"
    return f"{value:%Y-%m-%d}"


def weekday(value, with_time):
    day = value.date() if isinstance(value, dt.datetime) else value
    text = f"{WEEKDAYS[day.weekday()]}, {day:%d/%m/%Y}"
    return f"{text} {value:%H:%M}" if isinstance(value, dt.datetime) and with_time else text


def long_form(value, with_time):
    day = value.date() if isinstance(value, dt.datetime) else value
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def dot_dash(value, with_time):  # 15-03-2023 / 15.03.2023 08h30
    if isinstance(value, dt.datetime) and with_time:
        return f"{value:%d.%m.%Y %Hh%M}"
    return f"{value:%d-%m-%Y}"


FORMS = {
    "us": us,
    "sa_ch": sa_ch,
    "compact": compact,
    "iso_t": iso_t,
    "weekday": weekday,
    "long": long_form,
    "dot_dash": dot_dash,
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_date_forms_are_read(tmp_path, capsys, form):
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(STANDARD.with_(date=FORMS[form]), dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert figures(out.record()) == expected()


def test_month_first_is_said_in_the_report(tmp_path, capsys):
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", rows(STANDARD.with_(date=us), dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.file("ds.xlsx")["date_orders"]["Ngày tiếp nhận"] == "mdy"
    assert out.file("ds.xlsx")["date_orders"]["Ngày hẹn trả"] == "mdy"


def test_month_first_in_a_csv_too(tmp_path, capsys):
    write_text(tmp_path / "raw" / "thanh-giang" / "ds.csv", rows(STANDARD.with_(date=us), dossiers()))
    out = ingest(tmp_path, capsys)
    assert out.code == 0, out.err
    assert figures(out.record()) == expected()


def test_a_column_with_day_first_and_month_first_dates_is_refused(tmp_path, capsys):
    sheet = rows(STANDARD, dossiers())
    col = [h for _w, h in STANDARD.columns].index("Ngày tiếp nhận")
    header = next(i for i, r in enumerate(sheet) if "Ngày tiếp nhận" in r)
    # one machine wrote 15/07/2023 (day first), another 7/20/2023 (month first) into the same column
    for r in sheet[header + 1 :]:
        text = r[col] if len(r) > col and isinstance(r[col], str) else ""
        if text.startswith("20/07/2023") or text.startswith("14/08/2023"):
            d = dt.datetime.strptime(text, "%d/%m/%Y %H:%M")
            r[col] = us(d, True)
    write_xlsx(tmp_path / "raw" / "thanh-giang" / "ds.xlsx", sheet)
    entry = assert_refused(ingest(tmp_path, capsys), "ds.xlsx", "Ngày tiếp nhận")
    assert "ngày" in entry["error"] and "tháng" in entry["error"]
