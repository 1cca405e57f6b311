"""The outline of the full periodic report (``data/report_outline.yaml``): its parts in order, each with its
heading, level, the data blocks that fill it and the prompt of the text an official writes for it.

The manual-input workbook asks for a text per part that has a prompt; the report (:mod:`cchc_analysis.report`)
follows the outline, so both read it from here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from .errors import ConfigError

# where a part's text is still to be written: the official sees it in the draft and the workbook reader
PLACEHOLDER = "[cần bổ sung: {what}]"
# the start of a text carried over from the previous period's workbook (`cchc template --from-previous`): a draft
# to update, shown as such in the report until the official rewrites it
CARRIED_MARK = "[Nội dung kỳ trước – cần cập nhật] "


@dataclass(frozen=True)
class Part:
    key: str
    title: str  # "{year}" stands for the period's year
    level: int  # 0 "Phần", 1 "I.", 2 "1.", 3 "1.1." or "a)"
    data: tuple[str, ...] = ()
    text: str = ""  # the prompt of the official's text; "" when the part has none

    def heading(self, year: int) -> str:
        return self.title.replace("{year}", str(year))


@cache
def report_parts() -> tuple[Part, ...]:
    """The parts of the report, in order (see the module docstring)."""
    text = (resources.files("cchc_analysis") / "data" / "report_outline.yaml").read_text(encoding="utf-8")
    parts = tuple(
        Part(p["key"], p["title"], int(p["level"]), tuple(p.get("data") or ()), p.get("text") or "")
        for p in yaml.safe_load(text)["parts"]
    )
    keys = [p.key for p in parts]
    if len(keys) != len(set(keys)):
        raise ConfigError("report_outline.yaml: mỗi mục phải có một khóa (key) riêng.")
    return parts


def text_parts() -> list[Part]:
    """The parts an official writes a text for, in the report's order."""
    return [p for p in report_parts() if p.text]
