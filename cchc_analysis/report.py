"""The full periodic report of a unit (the Word draft): the outline of the communes' reports (``report_outline.yaml``,
Decree 30/2020 layout) filled from the data where the data exist, from the manual-input workbook (its figures and
the texts the official wrote) elsewhere, and "[cần bổ sung: …]" where neither does.

It is built from the same content as the short brief (:func:`brief.unit_brief`): the same sections, tables and
charts, placed under the parts of the outline they belong to, so a figure reads the same in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pandas as pd

from .brief import Brief, Figure, Section, Table, _date, _pct, _vn, unit_brief
from .outline import CARRIED_MARK, PLACEHOLDER, report_parts
from .periods import Period, parse_period


@dataclass
class Authored:
    """A text an official wrote in the workbook (``source``: file, sheet and row); ``carried``: the previous
    period's text, carried over as a draft and not yet rewritten."""

    text: str
    source: str
    carried: bool = False


@dataclass
class Placeholder:
    """A part still to be written: what to write."""

    what: str

    @property
    def text(self) -> str:
        return PLACEHOLDER.format(what=self.what)


def report_texts(data_dir, period: Period, unit_id: str) -> dict[str, Authored]:
    """The texts written for ``unit_id`` in the manual-input workbook of exactly ``period``, by part key."""
    from .ingest.manual import TEXT_GROUP, TEXT_SHEET
    from .store import open_store, read_table

    _settings, processed, _registry = open_store(data_dir)
    manual = read_table(processed, "manual")
    if manual.empty or "text" not in manual.columns:
        return {}
    rows = manual[
        (manual["group"] == TEXT_GROUP)
        & (manual["unit_id"] == unit_id)
        & (manual["period_start"] == pd.Timestamp(period.start))
        & (manual["period_end"] == pd.Timestamp(period.end))
    ]
    out = {}
    for r in rows.itertuples():
        text = str(r.text)
        carried = text.startswith(CARRIED_MARK)
        out[r.key] = Authored(
            text.removeprefix(CARRIED_MARK) if carried else text,
            f"{r.source_file}, trang «{TEXT_SHEET}», dòng {int(r.source_row)}",
            carried,
        )
    return out


def full_report(
    data_dir, period: Period | str, unit: str, group: str | None = None, *, run_dir=None, brief: Brief | None = None
) -> Brief:
    """The full report of ``unit`` for ``period`` (see the module docstring), as a :class:`Brief` whose sections
    follow the outline (``Section.level`` gives each heading's rank); its Word form is ``publish.docx.brief_docx``.
    ``brief``: the unit's brief of the same period, when already built (its content is reused, not recomputed)."""
    p = parse_period(period) if isinstance(period, str) else period
    if brief is None:
        brief = unit_brief(data_dir, p, unit, group, run_dir=run_dir)
    rec = brief.record
    texts = report_texts(data_dir, p, rec["unit_id"])
    blocks = _data_blocks(brief, rec)
    sections = []
    for part in report_parts():
        section = Section(part.key, part.heading(p.end.year), level=part.level)
        for name in part.data:
            section.blocks += blocks.get(name, [])
        if part.text:
            written = texts.get(part.key)
            section.blocks.append(written if written is not None else Placeholder(part.text))
        sections.append(section)
    sections += brief.annexes
    _number_tables_and_figures(sections)
    return replace(
        brief,
        kind="unit_report",
        subject=f"Thực hiện công tác cải cách hành chính từ {p.start:%d/%m/%Y} đến {p.end:%d/%m/%Y}",
        sections=sections,
    )


def _manual(rec: dict, key: str) -> int | None:
    item = (rec.get("manual") or {}).get(key)
    return None if item is None else item["value"]


def _as_of(rec: dict, key: str) -> str:
    item = (rec.get("manual") or {}).get(key)
    return _date(item["as_of"]) if item else ""


def _share(rec: dict, part: str, total: str, places: int = 2) -> str:
    """ "30/36 (83,33%)" from two workbook figures; "" when either is missing."""
    done, of = _manual(rec, part), _manual(rec, total)
    if done is None or of is None:
        return ""
    rate = (rec["manual"].get(f"{part}_rate") or {}).get("value")
    return f"{_vn(done)}/{_vn(of)}" + (f" ({_pct(rate, places)})" if rate is not None else "")


def _data_blocks(brief: Brief, rec: dict) -> dict[str, list]:
    """The blocks the outline's ``data`` names: the brief's sections, and sentences of the workbook's figures."""
    by_key = {s.key: s for s in brief.sections}
    out: dict[str, list] = {name: list(by_key[key].blocks) for name, key in _FROM_BRIEF.items() if key in by_key}
    for name, sentence in _SENTENCES.items():
        text = sentence(rec)
        if text:
            out.setdefault(name, []).append(text)
    for name, (lead, items) in _SHARE_SENTENCES.items():
        parts = _shares(rec, items)
        if parts:
            out.setdefault(name, []).append(lead.format("; ".join(parts)))
    return out


# the brief's sections placed under the outline's parts
_FROM_BRIEF = {"onestop": "onestop", "online": "online", "budget": "budget", "par": "par", "ranking": "rank"}


def _counts(rec: dict, items: list[tuple[str, str]]) -> list[str]:
    """Each workbook figure the record has, written into its phrase ("{n} cán bộ")."""
    return [phrase.format(n=_vn(_manual(rec, key))) for key, phrase in items if _manual(rec, key) is not None]


def _shares(rec: dict, items: list[tuple[str, str, str]]) -> list[str]:
    """Each "part of total" pair of workbook figures the record has, written into its phrase ("… {share}")."""
    return [phrase.format(share=_share(rec, part, of)) for part, of, phrase in items if _share(rec, part, of)]


def _staff(rec: dict) -> str:
    items = [
        ("officials_total", "{n} cán bộ"),
        ("civil_servants_total", "{n} công chức"),
        ("part_time_total", "{n} người hoạt động không chuyên trách cấp xã"),
    ]
    parts = _counts(rec, items)
    if not parts:
        return ""
    day = next(_as_of(rec, key) for key, _phrase in items if _manual(rec, key) is not None)
    return f"Đến ngày {day}, đơn vị có {', '.join(parts)}."


def _communication(rec: dict) -> str:
    parts = _counts(
        rec,
        [
            ("reform_news", "đăng {n} tin, bài tuyên truyền về cải cách hành chính"),
            ("inspections", "tổ chức {n} cuộc kiểm tra công tác cải cách hành chính"),
        ],
    )
    return f"Trong kỳ, đơn vị đã {'; '.join(parts)}." if parts else ""


def _dialogue(rec: dict) -> str:
    n = _manual(rec, "dialogues")
    return (
        f"Trong kỳ, đơn vị đã tổ chức {_vn(n)} hội nghị đối thoại của người đứng đầu với người dân."
        if n is not None
        else ""
    )


def _plan(rec: dict) -> str:
    total, done = _manual(rec, "plan_tasks_total"), _manual(rec, "plan_tasks_done")
    if total is None:
        return ""
    text = f"Kế hoạch cải cách hành chính của đơn vị có {_vn(total)} nhiệm vụ"
    if done is not None:
        rate = (rec["manual"].get("plan_tasks_done_rate") or {}).get("value")
        text += f"; tính đến ngày {_as_of(rec, 'plan_tasks_done')} đã hoàn thành {_vn(done)} nhiệm vụ"
        text += f", đạt {_pct(rate, 2)}" if rate is not None else ""
    return text + "."


def _publication(rec: dict) -> str:
    share = _share(rec, "procedures_published_on_time", "procedures_published")
    return f"Công bố, công khai TTHC đúng hạn: {share} thủ tục." if share else ""


def _iso(rec: dict) -> str:
    share = _share(rec, "iso_procedures_done", "iso_procedures_total")
    return f"Xây dựng, áp dụng quy trình ISO: {share} thủ tục hành chính có quy trình." if share else ""


def _petitions(rec: dict) -> str:
    n = _manual(rec, "pakn_received")
    if n is None:
        return ""
    share = _share(rec, "pakn_on_time", "pakn_received")
    return f"Tiếp nhận {_vn(n)} phản ánh, kiến nghị về TTHC" + (f"; xử lý đúng hạn {share}" if share else "") + "."


def _satisfaction(rec: dict) -> str:
    share = _share(rec, "survey_satisfied", "survey_respondents")
    return f"Khảo sát sự hài lòng của người dân: {share} người được hỏi hài lòng." if share else ""


def _documents(rec: dict) -> str:
    parts = _shares(
        rec,
        [
            ("docs_issued_signed", "docs_issued_total", "văn bản đi được ký số {share}"),
            ("docs_received_electronic", "docs_received_total", "văn bản đến nhận trên phần mềm {share}"),
            ("mailboxes_in_use", "mailboxes_issued", "hòm thư công vụ đang sử dụng {share}"),
        ],
    )
    signatures = _counts(
        rec,
        [("signatures_organisation", "{n} chữ ký số của tổ chức"), ("signatures_personal", "{n} chữ ký số cá nhân")],
    )
    if signatures:
        parts.append(" và ".join(signatures))
    parts += _counts(rec, [("e_certifications", "{n} hồ sơ chứng thực điện tử")])
    return f"Văn bản điện tử, chữ ký số: {'; '.join(parts)}." if parts else ""


# sentences that list "part of total" pairs of the workbook: the lead, and each pair with its phrase
_SHARE_SENTENCES = {
    "staff_standard": (
        "Trình độ chuẩn theo quy định: {}.",
        [
            ("officials_standard", "officials_total", "cán bộ đạt chuẩn {share}"),
            ("civil_servants_standard", "civil_servants_total", "công chức đạt chuẩn {share}"),
        ],
    ),
    "project06": (
        "Dịch vụ công liên thông (Đề án 06): {}.",
        [
            ("d06_birth_done", "d06_birth_received", "nhóm khai sinh hoàn thành {share} hồ sơ"),
            ("d06_death_done", "d06_death_received", "nhóm khai tử hoàn thành {share} hồ sơ"),
        ],
    ),
}

_SENTENCES = {
    "staff": _staff,
    "communication": _communication,
    "dialogue": _dialogue,
    "plan": _plan,
    "publication": _publication,
    "iso": _iso,
    "petitions": _petitions,
    "satisfaction": _satisfaction,
    "documents": _documents,
}


_NUMBERED = re.compile(r"^(Bảng|Hình) \d+\.")


def _number_tables_and_figures(sections: list[Section]) -> None:
    """Number the tables and the figures in the order they appear (the outline orders the brief's sections
    differently); the annex's own numbering (P1...) is kept."""
    counts = {"Bảng": 0, "Hình": 0}
    for section in sections:
        for i, block in enumerate(section.blocks):
            if isinstance(block, (Table, Figure)) and _NUMBERED.match(block.caption or ""):
                word = block.caption.split(" ", 1)[0]
                counts[word] += 1
                section.blocks[i] = replace(block, caption=_NUMBERED.sub(f"{word} {counts[word]}.", block.caption))


def outline_of(report: Brief) -> list[str]:
    """The headings of a report in order (its parts' titles, the annexes'), for checks and tables of contents."""
    return [s.title for s in report.sections if s.title]


def placeholders(report: Brief) -> list[str]:
    """The parts still to be written ("[cần bổ sung: …]") and the texts carried over not yet rewritten."""
    out = []
    for s in report.sections:
        for b in s.blocks:
            if isinstance(b, Placeholder):
                out.append(f"{s.title}: {b.text}")
            elif isinstance(b, Authored) and b.carried:
                out.append(f"{s.title}: {CARRIED_MARK.strip()}")
    return out


__all__ = ["Authored", "Placeholder", "full_report", "outline_of", "placeholders", "report_texts"]
