"""Where a file's unit comes from: the user's word, a unit column, the title rows, the folders and the file name.

The evidence, strongest first: the mapping file's ``unit`` or ``--assume-unit`` (the user's word overrides every
inference); a unit column whose values name units (a district-level file splits into every unit it names); the
commune named in the title rows ("UBND XÃ THANH GIANG"); the deepest folder under raw/ that names a unit, and the
file name ("DS_HoSo_XaDoanTung_Q1_2023.xlsx"). A folder whose name is both a district's and its town's
("thanh-mien") names nobody unless it says which ("tt-thanh-mien"). When two sources name different units the file
is refused: the message names both and says how to settle it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFileError, UnitLookupError
from ..registry import AREA_WORDS, UNIT_TYPE_WORDS, Unit, UnitRegistry, bare_area, split_unit_prefix
from ..text import fold

SOURCE_LABELS = {
    "mapping": "tệp ánh xạ",
    "assumed": "--assume-unit",
    "column": "cột đơn vị",
    "title": "dòng tiêu đề",
    "folder": "thư mục",
    "file name": "tên tệp",
}
_COMMUNE = re.compile(
    rf"\b({'|'.join(UNIT_TYPE_WORDS)})\s+([a-z0-9 ]+?)(?=\s*(?:-|,|\bhuyen\b|\bthanh pho\b|\bthi xa\b|\btinh\b|$))"
)
# a district or province named in a title or folder: "huyện Thanh Miện", "TỈNH HẢI DƯƠNG", "TP. Hải Phòng"
_WORDS = "|".join(AREA_WORDS)
_AREA = re.compile(rf"\b({_WORDS})\s+([a-z0-9 ]+?)(?=\s*(?:-|,|\b(?:{_WORDS})\b|$))")
# runs of letters and runs of digits; words inside a letter run are split by case below (a character range cannot
# tell case: Vietnamese capitals such as Ơ, Ư, Ệ lie among the small letters of Unicode's Latin blocks)
_RUN = re.compile(r"\d+|[^\W\d_]+")
# a type word before a name in a folder or file name; of the abbreviations only "tt" (a lone "p" or "x" is noise)
_TYPE_TOKENS = {tuple(w.split()): t for w, t in UNIT_TYPE_WORDS.items()} | {("tt",): "thị trấn"}


@dataclass(frozen=True)
class Claim:
    """A unit named by one source of evidence."""

    unit: Unit
    source: str  # title, folder, file name
    text: str  # what named it


def unit_from_titles(title_text: list[str], registry: UnitRegistry, on) -> Unit | None:
    """The commune named in the title rows ("UBND XÃ THANH GIANG", "Đơn vị: UBND xã Lam Sơn - huyện Thanh Miện");
    where a district and a commune are both named, the commune. A name several units of the registry bear (the
    whole country's: nine Lam Sơn) is taken from the district or province the titles also name, never guessed."""
    areas = [_area_text(m) for line in title_text for m in _AREA.finditer(_COMMUNE.sub(" - ", fold(line)))]
    for line in title_text:
        key = fold(line)
        for m in _COMMUNE.finditer(key):
            kind, name = m.group(1), m.group(2).strip()
            words = name.split()
            # try the longest prefix of words that names a unit ("thanh giang" in "thanh giang huyen ...")
            for n in range(len(words), 0, -1):
                text = f"{kind} {' '.join(words[:n])}"
                # as written, with its marks, a name means itself ("XÃ CẨM GIANG" is not Xã Cẩm Giàng); then folded
                for written in dict.fromkeys(t for t in (_as_written(text, line), text) if t):
                    for area in (None, *areas):
                        try:
                            return registry.lookup(written, on=on, group=area)
                        except UnitLookupError:
                            continue
    return None


def _shared_title_name(title_text: list[str], registry: UnitRegistry, on) -> tuple[str, list[Unit]] | None:
    """A commune name the titles give that several units bear on ``on`` (as written, and those units), if any."""
    for line in title_text:
        for m in _COMMUNE.finditer(fold(line)):
            kind = _TYPE_TOKENS.get(tuple(m.group(1).split()))
            units = [
                u
                for u in registry.named(m.group(2).strip())
                if (on is None or u.valid_on(on)) and (kind is None or u.type == kind)
            ]
            if len(units) > 1:
                text = f"{m.group(1)} {m.group(2).strip()}"
                return _as_written(text, line) or text, units
    return None


def _as_written(folded: str, line: str) -> str | None:
    """The words of ``line`` whose folded form is ``folded`` ("xa cam giang" in "UBND XÃ CẨM GIANG" -> "xã cẩm
    giang"), or None."""
    written = [w.lower() for w in _RUN.findall(unicodedata.normalize("NFC", line))]
    keys, target = [fold(w) for w in written], folded.split()
    for i in range(len(keys) - len(target) + 1):
        if keys[i : i + len(target)] == target:
            return " ".join(written[i : i + len(target)])
    return None


def _tokens(text: str) -> list[str]:
    """Words of a name, lower case, diacritics kept: separators, digits and camel case split it ("XaĐoànTùng" ->
    ["xa", "đoàn", "tùng"], "DS_XÃ_LAM_SƠN_Q3" -> ["ds", "xã", "lam", "sơn", "q", "3"], "UBNDXaLamSon" -> ["ubnd",
    "xa", "lam", "son"])."""
    words = []
    for run in _RUN.findall(unicodedata.normalize("NFC", text)):
        start = 0
        for i in range(1, len(run)):
            before, here, after = run[i - 1], run[i], run[i + 1 : i + 2]
            # a capital after a small letter ("aL"), or a run of capitals' last one before a small letter ("D|Xa")
            if here.isupper() and (before.islower() or (before.isupper() and after.islower())):
                words.append(run[start:i])
                start = i
        words.append(run[start:])
    return [w.lower() for w in words]


def _group_names(registry: UnitRegistry) -> set[tuple[str, ...]]:
    """The peer groups' names without their type word ("huyen thanh mien" -> ("thanh", "mien"))."""
    return {tuple(bare_area(group).split()) for group in registry.groups()}


def _areas_named(parts, registry: UnitRegistry) -> set[str]:
    """Ids of the units of every district or province a title or folder names ("huyen-thanh-mien", "Tỉnh Hải
    Dương"), for settling a commune name several units share."""
    ids: set[str] = set()
    for part in parts:
        text = _COMMUNE.sub(" - ", " ".join(fold(t) for t in _tokens(part)) or fold(part))
        for m in _AREA.finditer(text):
            try:
                ids |= {u.unit_id for u in registry.units(group=_area_text(m))}
            except UnitLookupError:
                continue
    return ids


def _area_text(m: re.Match) -> str:
    return f"{m.group(1)} {m.group(2).strip()}"


def unit_in_name(text: str, registry: UnitRegistry, on=None, within: set[str] | None = None) -> Unit | None:
    """The one unit a folder or file name names, or None (no unit, several, or a district's name).

    The name is split into words (separators, camel case, digits: "XaDoanTung" is "xa doan tung"). A unit is
    named where its name's words stand together and either carry their diacritics ("Đoàn Tùng"), follow a type
    word ("xa", "phuong", "tt", "thi tran") or begin the name ("doan_tung-quy3"): "bao-cao-thang-8" does not
    name Cao Thắng. Words after a district's or province's type word ("Huyện Thanh Miện") name that district,
    and a district's name that is also its town's ("thanh-mien") names neither, unless typed ("tt-thanh-mien")."""
    tokens = _tokens(text)
    if not tokens:
        return None
    folded = [fold(t) for t in tokens]
    groups = _group_names(registry)
    found: dict[str, tuple[int, Unit]] = {}
    # every run of words looked up in the registry's name index (13,000 units: not each unit against the name)
    spans = [
        (i, n, unit)
        for i in range(len(tokens))
        for n in range(1, min(registry.longest_name, len(tokens) - i) + 1)
        for unit in registry.named(" ".join(folded[i : i + n]))
        if on is None or unit.valid_on(on)
    ]
    for i, n, unit in spans:
        exact = tuple(unicodedata.normalize("NFC", unit.name).lower().split())
        words = tuple(folded[i : i + n])
        before = tuple(folded[:i])
        typed = next((t for k, t in _TYPE_TOKENS.items() if before[len(before) - len(k) :] == k), None)
        if typed is not None and typed != unit.type:
            continue
        if any(" ".join(before).endswith(w) for w in AREA_WORDS) and typed is None:
            continue  # "huyện thanh miện": the district
        with_marks = tuple(tokens[i : i + n]) == exact and any(not t.isascii() for t in exact)
        if typed is None and not (with_marks or i == 0):
            continue
        if typed is None and words in groups:
            continue  # "thanh-mien": the district or its town; only "tt-thanh-mien" says which
        strength = n + (1 if typed else 0)
        if unit.unit_id not in found or found[unit.unit_id][0] < strength:
            found[unit.unit_id] = (strength, unit)
    if not found:
        return None
    best = max(s for s, _u in found.values())
    winners = [u for s, u in found.values() if s == best]
    if len(winners) > 1 and within:  # "raw/huyen-thanh-mien/hong-phong": the district's Hồng Phong
        winners = [u for u in winners if u.unit_id in within]
    return winners[0] if len(winners) == 1 else None


def path_claims(path: Path, raw_root: Path | None, registry: UnitRegistry, on) -> list[Claim]:
    """Units named by the file's name and its folders below raw/, deepest first."""
    try:
        parts = path.relative_to(raw_root).parts if raw_root is not None else (path.name,)
    except ValueError:
        parts = (path.name,)
    claims = []
    within = _areas_named(parts[:-1], registry)
    for depth, part in enumerate(reversed(parts)):
        unit = _slug_with_id(part, registry) if depth else None
        unit = unit or unit_in_name(Path(part).stem if depth == 0 else part, registry, on, within)
        if unit is not None:
            claims.append(Claim(unit, "file name" if depth == 0 else "folder", part))
    return claims


def _slug_with_id(part: str, registry: UnitRegistry) -> Unit | None:
    """The unit a folder is named after by its slug with the unit's id ("ai-quoc-2025-31-10660", the name followed
    by the id from `cchc units`): the registry gives such slugs where a name is shared in the area, and they name
    one unit whatever the name."""
    try:
        unit = registry.by_slug(part)
    except UnitLookupError:
        return None
    return unit if part.endswith(unit.unit_id) else None


def resolve_unit(
    path: Path,
    title: list[str],
    registry: UnitRegistry,
    on,
    raw_root,
    assume_unit: str | None,
    what: str,
    mapped_unit: str | None = None,
) -> tuple[Unit, str]:
    """The unit a whole file is about, and where it was found (see the module docstring)."""
    if mapped_unit:
        return registry.lookup(mapped_unit, on=on), "mapping"
    if assume_unit:
        return registry.lookup(assume_unit, on=on), "assumed"
    claims = []
    titled = unit_from_titles(title, registry, on)
    if titled is not None:
        claims.append(Claim(titled, "title", next((t for t in title if t), "")))
    claims += path_claims(Path(path), Path(raw_root) if raw_root is not None else None, registry, on)
    if not claims:
        inside = raw_root is not None and Path(path).is_relative_to(raw_root)
        folders = Path(path).relative_to(raw_root).parts[:-1] if inside else ()
        ambiguous = [p for p in folders if _is_district_and_town(p, registry)]
        hint = ""
        if ambiguous:
            words = tuple(fold(t) for t in _tokens(ambiguous[0]))
            named = registry.named(" ".join(words))
            town = next((u for u in named if on is None or u.valid_on(on)), named[0])
            hint = (
                f" Thư mục «{ambiguous[0]}» vừa là tên huyện/tỉnh vừa là tên {town.full_name}: không đoán. Hãy đặt tệp "
                f"trong thư mục mang rõ loại đơn vị (ví dụ tt-{ambiguous[0]}) hoặc trong thư mục của xã."
            )
        shared = _shared_title_name(title, registry, on)
        if shared:
            text, units = shared
            raise InputFileError(
                f"{path}: tiêu đề ghi «{text}», tên chung của {len(units)} đơn vị "
                f"({', '.join(f'{u.full_name} – {u.group}' for u in units[:6])}), thư mục và tên tệp không chỉ rõ "
                "đơn vị nào; không đoán. Hãy đặt tệp trong thư mục của đơn vị (raw/<tên-đơn-vị>/), dùng "
                "--assume-unit hoặc khai báo unit cho tệp trong tệp --mapping."
            )
        raise InputFileError(
            f"{path}: không xác định được đơn vị của {what} (dòng tiêu đề không ghi tên xã/phường/thị trấn, thư mục "
            f"và tên tệp không mang tên đơn vị).{hint} Hãy đặt tệp trong thư mục raw/<tên-đơn-vị>/, dùng "
            "--assume-unit hoặc khai báo unit cho tệp trong tệp --mapping."
        )
    first = claims[0]
    others = [c for c in claims[1:] if c.unit.unit_id != first.unit.unit_id]
    if titled is not None and others:
        other = others[0]
        raise InputFileError(
            f"{path}: {SOURCE_LABELS[first.source]} ghi {first.unit.full_name} nhưng {SOURCE_LABELS[other.source]} "
            f"«{other.text}» là {other.unit.full_name}; không đoán. Hãy chuyển tệp vào đúng thư mục, hoặc chỉ rõ "
            "đơn vị bằng --assume-unit hay khóa unit của tệp trong tệp --mapping."
        )
    # no title: the deepest folder or the file name wins; a shallower folder naming another commune is a conflict
    if others:
        other = others[0]
        raise InputFileError(
            f"{path}: {SOURCE_LABELS[first.source]} «{first.text}» là {first.unit.full_name} nhưng "
            f"{SOURCE_LABELS[other.source]} «{other.text}» là {other.unit.full_name}; không đoán. Hãy chỉ rõ đơn vị "
            "bằng --assume-unit hoặc khóa unit của tệp trong tệp --mapping."
        )
    return first.unit, first.source


def _is_district_and_town(part: str, registry: UnitRegistry) -> bool:
    words = tuple(fold(t) for t in _tokens(part))
    return words in _group_names(registry) and bool(registry.named(" ".join(words)))


def lookup_unit_text(text: str, registry: UnitRegistry, on) -> Unit | None:
    """A unit column's value as a unit ("UBND xã Thanh Giang", "xa Lam Son", "Thanh Giang"), or None."""
    try:
        return registry.lookup(text, on=on)
    except UnitLookupError:
        pass
    key, _implied = split_unit_prefix(text)
    if not key:
        return None
    found = unit_in_name(text, registry, on)
    return found if found is not None and fold(found.name) in key else None
