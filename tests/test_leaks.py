"""No generated applicant name, phone, CCCD number or address in anything ``make demo`` writes: the processed store
(see test_store), and every output of the scheduled run: executed notebooks, HTML, PDF and Word text, Excel, JSON,
logs. Briefs hold no dossier-level row at all (no dossier code appears in them)."""

from __future__ import annotations

import json

import pypdf
import pytest
from docx import Document
from openpyxl import load_workbook

from cchc_analysis.demo.generate import demo_units, unit_dossiers

from .test_store import find_personal_data

pytestmark = pytest.mark.slow


def demo_secrets() -> tuple[dict[str, set[str]], set[str]]:
    secrets: dict[str, set[str]] = {"applicant": set(), "phone": set(), "id_number": set(), "address": set()}
    codes: set[str] = set()
    for index, unit in enumerate(demo_units()):
        for d in unit_dossiers(unit, index):
            for key in secrets:
                secrets[key].add(d[key])
            codes.add(d["code"])
    return secrets, codes


def text_of(path) -> str:
    if path.suffix == ".pdf":
        return "\n".join(p.extract_text() for p in pypdf.PdfReader(str(path)).pages)
    if path.suffix == ".docx":
        doc = Document(str(path))
        cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)
    if path.suffix == ".xlsx":
        wb = load_workbook(path, read_only=True)
        return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        parts = []
        for cell in nb["cells"]:
            parts.append("".join(cell["source"]))
            for o in cell.get("outputs", []):
                parts += [
                    v if isinstance(v, str) else "".join(v) for k, v in o.get("data", {}).items() if "image" not in k
                ]
                parts.append("".join(o.get("text", "")))
        return "\n".join(parts)
    return path.read_text(encoding="utf-8")


def test_no_personal_data_in_any_output_of_the_run(demo_run):
    folder, manifest = demo_run
    assert all(t["status"] == "ok" for t in manifest["tasks"])
    secrets, codes = demo_secrets()
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    kinds = {p.suffix for p in files}
    assert {".html", ".pdf", ".docx", ".xlsx", ".ipynb", ".json", ".log"} <= kinds
    texts = {p: text_of(p) for p in files}
    leaks = {p.name: find_personal_data(t, secrets) for p, t in texts.items()}
    assert {k: v for k, v in leaks.items() if v} == {}
    briefs = "\n".join(t for p, t in texts.items() if p.suffix in (".html", ".pdf", ".docx"))
    import re

    shown = set(re.findall(r"H\d+\.\d+\.\d+-\d{6}-\d{4}", briefs))
    assert not shown & codes  # no dossier-level row in any brief
    # ranks are whole numbers everywhere ("11/17", never "11.0/17"), in every brief and the run index
    published = {p.name: t for p, t in texts.items() if p.suffix in (".html", ".pdf", ".docx", ".xlsx")}
    assert {n: re.findall(r"\d+\.0/\d+", t) for n, t in published.items() if re.search(r"\d+\.0/\d+", t)} == {}


def test_the_leak_check_reads_every_kind_of_output(tmp_path):
    from cchc_analysis.brief import Brief, Section
    from cchc_analysis.periods import parse_period
    from cchc_analysis.publish.docx import brief_docx
    from cchc_analysis.publish.pdf import html_to_pdf

    planted = "Trịnh Văn Duy 0884822509 Số 37, thôn Gia Cốc, xã Cao Thắng"
    (tmp_path / "a.pdf").write_bytes(html_to_pdf(f"<p>{planted}</p>"))
    brief = Brief("unit", "x", "x", parse_period("2023Q3"), ("A", "B"), "C", "D", [Section("s", "S", [planted])])
    (tmp_path / "a.docx").write_bytes(brief_docx(brief))
    secrets = {
        "applicant": {"Trịnh Văn Duy"},
        "phone": {"0884822509"},
        "id_number": set(),
        "address": {"Số 37, thôn Gia Cốc, xã Cao Thắng"},
    }
    for name in ("a.pdf", "a.docx"):
        assert find_personal_data(text_of(tmp_path / name), secrets) == set().union(*secrets.values()), name
