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


@pytest.mark.parametrize(
    ("markup", "clean"),
    [
        ("<object><object>a</object>b</object>c", "c"),  # nested dropped elements: all of them, not just the first
        ("<iframe>a</iframe>b<iframe>c</iframe>d", "bd"),
        ("&#65;&#x42;&#X43;", "ABC"),  # letters written as references come back as letters
        ("&#60;script&#62;", "&lt;script&gt;"),  # markup written as references stays text, never markup
        ("&#34;&#39;&#38;", "&quot;&#x27;&amp;"),
        ("a&#0;b&#7;c&#10;d", "abc\nd"),  # unprintable characters are dropped (a new line is kept)
        ("a&#xZZ;b", "a&#xZZ;b"),  # not a reference: text, shown as written
        ("<script>&#65;&amp;</script>x", "x"),  # references inside dropped content go with it
        ("&amp;&nbsp;&lt;", "&amp;&nbsp;&lt;"),
        ("<br/><hr/>", "<br/><hr/>"),
        ('<img src="data:image/png;base64,AA"/>', '<img src="data:image/png;base64,AA"/>'),
        ('<img src="http://x/a.png"/>x', "x"),
        ('<link href="x.css"/><meta charset="utf-8"/>x', "x"),
        ("<p>a</br></form>b</p>", "<p>ab</p>"),  # end tags of void and dropped elements: nothing
        ("<td nowrap title='a\"b'>x</td>", '<td nowrap title="a&quot;b">x</td>'),
        ('<p onclick="x()" class="c" style="color:red">a</p>', '<p class="c" style="color:red">a</p>'),
        ("<p>url(x) @import</p>", "<p>url(x) @import</p>"),  # text outside a style sheet is text
        ("<style>p{color:red}</style><p>url(x)</p>", "<style>p{color:red}</style><p>url(x)</p>"),
        ('<a href="docs/a:b.html">x</a>', '<a href="docs/a:b.html">x</a>'),  # a colon after the first slash
        ("<!-- <script>alert(1)</script> -->ok", "ok"),
    ],
)
def test_exact_cleaning(markup, clean):
    assert strip_active(markup) == clean


@pytest.mark.parametrize(
    "word", ["url(x)", "@import 'x'", "expression(x)", "behavior: x", "-moz-binding: x", "image-set(x)"]
)
def test_each_fetching_css_word(word):
    assert strip_active(f'<p style="a;{word}">t</p>') == "<p>t</p>"
    assert strip_active(f"<style>p{{{word}}}</style>") == "<style></style>"


@pytest.mark.parametrize("attr", ["srcset", "imagesrcset", "srcdoc"])
def test_candidate_lists_and_documents_are_never_kept(attr):
    assert strip_active(f'<img {attr}="data:image/png;base64,AA 1x">') == ""
    # not even a relative path, on a picture with a safe source or on any element
    picture = '<img src="data:image/png;base64,AA">'
    assert strip_active(f'<img src="data:image/png;base64,AA" {attr}="a.png 2x">') == picture
    assert strip_active(f'<p {attr}="a.png">x</p>') == "<p>x</p>"


@pytest.mark.parametrize(
    ("markup", "clean"),
    [
        ('<img src="data:image/svg+xml;base64,AA">x', "x"),  # SVG pictures can carry scripts
        ('<img src="DATA:IMAGE/SVG+XML;base64,AA">x', "x"),
        ('<a href="#muc:1">x</a>', '<a href="#muc:1">x</a>'),  # an in-page link, colon and all
        ('<p onclick="a()" onmouseover="b()" class="c" id="d">x</p>', '<p class="c" id="d">x</p>'),
        ('<a href="http://x" title="t">x</a>', '<a title="t">x</a>'),  # the attributes after a dropped one stay
        ("<form><select><option>a</option></select><textarea>b</textarea></form>", "ab"),
        ("<p><input value=x><button>ok</button></p>", "<p>ok</p>"),
    ],
)
def test_dropped_attributes_and_tags_leave_the_rest(markup, clean):
    assert strip_active(markup) == clean


def test_nothing_is_nothing():
    assert strip_active(None) == "" and strip_active("") == ""
