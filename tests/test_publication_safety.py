"""Publication safety (issue 17): the HTML sanitiser leaves no way out of the page in any attribute, and the CSV
output of `cchc indicators` / `cchc rank` never carries a formula, like the Excel output."""

import csv
import io

import pytest

from cchc_analysis.publish.sanitize import URL_ATTRS, strip_active
from cchc_analysis.text import csv_safe

OUTSIDE = [
    "//evil.example/x",  # protocol-relative
    "/\\evil.example/x",  # a backslash reads as a slash
    "\\\\evil.example\\x",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " java\tscript:alert(1)",  # browsers drop tabs and newlines inside URLs
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/svg+xml,<svg onload=alert(1)>",  # an SVG picture can run script
    "vbscript:msgbox(1)",
    "http://evil.example/x.png",
    "https://evil.example/x.png",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", OUTSIDE, ids=range(len(OUTSIDE)))
@pytest.mark.parametrize("attr", sorted(URL_ATTRS))
def test_no_url_out_of_the_page_survives_in_any_attribute(attr, url):
    for markup in (f'<a {attr}="{url}">x</a>', f'<img {attr}="{url}">', f'<svg><image {attr}="{url}"/></svg>'):
        out = strip_active(markup)
        assert "evil" not in out and "script:" not in out.lower() and "data:text" not in out and "file:" not in out


def test_in_page_links_relative_paths_and_embedded_pictures_stay():
    assert strip_active('<a href="#bang-1">Bảng 1</a>') == '<a href="#bang-1">Bảng 1</a>'
    assert strip_active('<a href="thanh-giang_2023Q3.pdf">PDF</a>') == '<a href="thanh-giang_2023Q3.pdf">PDF</a>'
    picture = '<img src="data:image/png;base64,iVBORw0KGgo=">'
    assert strip_active(picture) == picture


def test_event_handlers_scripts_and_animation_are_dropped():
    out = strip_active(
        '<p OnClick="x()" onmouseover=y()>a</p><svg><animate attributeName="href" to="javascript:alert(1)"/>'
        '<set attributeName="href" to="javascript:alert(1)"/></svg><script>alert(1)</script>'
    )
    assert out == "<p>a</p><svg></svg>"


@pytest.mark.parametrize(
    "css",
    ["background:url(//evil/x)", "background:u\\rl(//evil/x)", "width:expression(alert(1))", "behavior:url(x.htc)"],
)
def test_styles_that_fetch_or_run_are_dropped(css):
    assert "evil" not in strip_active(f'<p style="{css}">a</p>') and "(" not in strip_active(f'<p style="{css}">a</p>')
    assert strip_active(f"<style>p{{{css}}}</style>") == "<style></style>"
    assert strip_active('<style>@import "//evil/x.css";</style>') == "<style></style>"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Xã Thanh Giang", "Xã Thanh Giang"),
        (-5, -5),  # numbers stay numbers
        (None, None),
    ],
)
def test_csv_values_never_start_a_formula(value, written):
    assert csv_safe(value) == written


def test_the_csv_of_cchc_indicators_guards_formulas(tmp_path, capsys, monkeypatch):
    from cchc_analysis.cli import _csv

    text = _csv([{"unit_name": "=cmd|' /C calc'!A0", "online_rate": 62.5}], ["unit_name", "online_rate"])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["unit_name", "online_rate"], ["'=cmd|' /C calc'!A0", "62.5"]]
