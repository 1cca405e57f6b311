"""The administrative-unit registry: communes with codes, peer groups, validity and 2025 successors.

The package ships the national registry (``data/units.csv`` and ``data/successions.csv``, built by ``make
registry`` from the GSO's lists, see docs/registry.md): the 3,321 units of the 34 provinces since 1 July 2025
(peer group: the province) and the 10,040 units before it (peer group: the district), with which old unit went into
which new one. A data folder narrows it to its area with ``scope`` in ``units.yaml`` (a province, a district or
several): the units there, and every unit linked to them by the 2025 arrangement. Users add or correct units with
``units.csv`` or ``units.yaml`` in their data folder, merged over the shipped rows by ``unit_id``.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import logging
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from .errors import ConfigError, UnitLookupError
from .text import clean_text, fold, slugify

log = logging.getLogger(__name__)

UNIT_TYPES = ("xã", "phường", "thị trấn", "đặc khu", "huyện")  # huyện: an island district with no commune (until 2025)
_TYPE_LABEL = {"xã": "Xã", "phường": "Phường", "thị trấn": "Thị trấn", "đặc khu": "Đặc khu", "huyện": "Huyện"}

# The words of each commune-level type, folded, and their abbreviations: one list for the registry's name lookup
# and the readers' titles, folders and file names ("Đặc khu" since 01/07/2025)
UNIT_TYPE_WORDS = {"xa": "xã", "phuong": "phường", "thi tran": "thị trấn", "dac khu": "đặc khu"}
UNIT_TYPE_ABBREVIATIONS = {"tt": "thị trấn", "p": "phường", "x": "xã"}
# Folded prefixes that may stand before a unit's name, with the unit type they imply (None: any).
_PREFIXES: tuple[tuple[str, str | None], ...] = (
    ("uy ban nhan dan", None),
    ("ubnd", None),
    *UNIT_TYPE_WORDS.items(),
    *UNIT_TYPE_ABBREVIATIONS.items(),
)

_LOADED: dict[tuple, UnitRegistry] = {}  # UnitRegistry.load's last registries, by folder, files and scope

UNIT_COLUMNS = ("unit_id", "code", "name", "type", "group", "province", "valid_from", "valid_to", "notes")
SUCCESSION_COLUMNS = ("predecessor_id", "successor_id", "share", "notes")


@dataclass(frozen=True)
class Unit:
    """One commune-level unit as it existed between ``valid_from`` and ``valid_to`` (inclusive)."""

    unit_id: str
    code: str
    name: str
    type: str
    group: str
    province: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    notes: str = ""
    slug: str = ""

    @property
    def full_name(self) -> str:
        """Name with its type, as written in documents: ``"Xã Thanh Giang"``."""
        return f"{_TYPE_LABEL.get(self.type, self.type)} {self.name}"

    def valid_on(self, day: dt.date) -> bool:
        """True when the unit existed on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready mapping (dates as ISO strings)."""
        return {
            "unit_id": self.unit_id,
            "code": self.code,
            "name": self.full_name,
            "short_name": self.name,
            "type": self.type,
            "group": self.group,
            "province": self.province,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "slug": self.slug,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class Succession:
    """``predecessor`` became (part of) ``successor``; ``share`` of it where known (else None)."""

    predecessor_id: str
    successor_id: str
    share: float | None
    notes: str = ""


def split_unit_prefix(text: str) -> tuple[str, str | None]:
    """Strip administrative prefixes from a unit name.

    Returns the folded bare name and the unit type implied by the prefix (or None).

    Examples
    --------
    >>> split_unit_prefix("UBND xã Thanh Giang")
    ('thanh giang', 'xã')
    >>> split_unit_prefix("TT. Thanh Miện")
    ('thanh mien', 'thị trấn')
    """
    key = fold(text)
    implied: str | None = None
    changed = True
    while changed and key:
        changed = False
        for prefix, utype in _PREFIXES:
            if key == prefix:
                break
            if key.startswith(prefix + " "):
                key = key[len(prefix) + 1 :]
                implied = utype or implied
                changed = True
                break
    return key, implied


def _parse_date(value: object, where: str) -> dt.date | None:
    text = clean_text(value)
    if not text:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{where}: ngày '{text}' không hợp lệ, cần dạng YYYY-MM-DD.") from None


def _parse_share(value: object, where: str) -> float | None:
    text = clean_text(value)
    if not text:
        return None
    try:
        share = float(text.replace(",", "."))
    except ValueError:
        raise ConfigError(f"{where}: tỷ lệ '{text}' không phải là số.") from None
    if not 0 < share <= 1:
        raise ConfigError(f"{where}: tỷ lệ {text} phải nằm trong khoảng (0; 1].")
    return share


class UnitRegistry:
    """Lookup of units by id, code or name (tolerant of case, NFC/NFD, diacritics and prefixes)."""

    def __init__(
        self,
        units: Iterable[Unit],
        successions: Iterable[Succession] = (),
        scope: tuple[str, ...] = (),
        *,
        areas_only: bool = False,
    ):
        self._units: dict[str, Unit] = {}
        for unit in units:
            self._units[unit.unit_id] = unit
        self._successions = list(successions)
        self.scope = scope
        self.user_ids: frozenset[str] | set[str] = frozenset()  # units from the data folder's own files
        # areas_only: a step of ``load`` that is scoped at once (only areas and successions are looked up in it): the
        # names, codes and slugs of a country's 16,000 units are not indexed for nothing
        self._index(areas_only)
        if not areas_only:
            self._assign_slugs()
        self._check_successions()

    def _index(self, areas_only: bool = False) -> None:
        """Folded keys computed once: 13,000 units are looked up by name, code and group many times per run."""
        self._by_name: dict[str, list[Unit]] = {}
        self._by_code: dict[str, list[Unit]] = {}
        self._by_area: dict[str, list[Unit]] = {}
        self._sort_key: dict[str, tuple[str, str, str]] = {}
        area_keys: dict[tuple[str, str], set[str]] = {}  # a few hundred districts and provinces: fold each once
        for unit in self._units.values():
            areas = area_keys.get((unit.group, unit.province))
            if areas is None:
                areas = {fold(unit.group), split_unit_prefix(unit.group)[0], bare_area(unit.group)}
                if unit.province:
                    areas |= {fold(unit.province), bare_area(unit.province)}
                area_keys[(unit.group, unit.province)] = areas
            for area in areas:
                self._by_area.setdefault(area, []).append(unit)
            if areas_only:
                continue
            name = fold(unit.name)
            self._by_name.setdefault(name, []).append(unit)
            if unit.code:
                self._by_code.setdefault(unit.code, []).append(unit)
            self._sort_key[unit.unit_id] = (unit.group, name, unit.unit_id)
        self._succ_of: dict[str, list[Succession]] = {}
        self._pred_of: dict[str, list[Succession]] = {}
        for s in self._successions:
            self._succ_of.setdefault(s.predecessor_id, []).append(s)
            self._pred_of.setdefault(s.successor_id, []).append(s)

    # -- construction ----------------------------------------------------------------------------
    @classmethod
    def shipped(cls, scope: str | Iterable[str] | None = None) -> UnitRegistry:
        """The national registry shipped with the package, narrowed to ``scope`` when given (see ``scoped``)."""
        if not scope:
            return _shipped_registry()
        return _shipped_registry().scoped(scope)

    @classmethod
    def load(cls, data_dir: Path | str | None = None) -> UnitRegistry:
        """The shipped registry with the user's ``units.csv`` / ``units.yaml`` from ``data_dir`` merged over it,
        narrowed to the data folder's ``scope`` (``units.yaml``; else ``CCHC_SCOPE``)."""
        from .paths import resolve

        registry = cls.shipped()
        if data_dir is None:
            return registry.scoped(env_scope()) if env_scope() else registry
        folder = resolve(data_dir)
        files = [folder / name for name in ("units.csv", "units.yaml", "units.yml") if (folder / name).is_file()]
        # a registry is never changed once built: the same files and scope give the same one (a notebook calls
        # load_dossiers and the figures many times; merging a province's own units file costs about 0.4 s)
        key = (str(folder), tuple((p.name, p.read_bytes()) for p in files), env_scope())
        if key in _LOADED:
            return _LOADED[key]
        scope = read_scope(folder) or env_scope()
        for path in files:
            registry = registry.merged(path, areas_only=bool(scope))
        # the area after the user's units: a province or district the user added is an area too, and the user's own
        # units are kept wherever they lie
        registry = registry.scoped(scope, also=registry.user_ids) if scope else registry
        if len(_LOADED) >= 8:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = registry
        return registry

    def scoped(self, scope: str | Iterable[str], also: Iterable[str] = ()) -> UnitRegistry:
        """The units of the areas named (a province, a district or peer group, matched like names), and every unit
        linked to them by a succession, directly or through another (a new commune's predecessors from a
        neighbouring district; an old commune's other successors). Slugs are then unique within the area."""
        names = (scope,) if isinstance(scope, str) else tuple(scope)
        keep: set[str] = set()
        for name in names:
            found = self._area(name)
            if not found:
                raise UnitLookupError(self._no_area(name), name)
            keep |= {u.unit_id for u in found}
        keep |= set(also)
        todo = list(keep)
        while todo:  # the connected component of the succession graph
            uid = todo.pop()
            for s in self._succ_of.get(uid, []) + self._pred_of.get(uid, []):
                for other in (s.predecessor_id, s.successor_id):
                    if other not in keep:
                        keep.add(other)
                        todo.append(other)
        units = [u for u in self._units.values() if u.unit_id in keep]
        successions = [s for s in self._successions if s.predecessor_id in keep]
        scoped = UnitRegistry([_unslugged(u) for u in units], successions, scope=self.scope + names)
        scoped.user_ids = self.user_ids & keep
        return scoped

    def merged(self, path: Path, *, areas_only: bool = False) -> UnitRegistry:
        """Return a new registry with the units (and successions) of a user file merged over this one
        (``areas_only``: to be scoped at once, see ``__init__``)."""
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".csv":
            units = _read_units_csv(text, str(path))
            succ = []
        else:
            units, succ = _read_units_yaml(text, str(path))
        if not units and not succ:
            return self  # a units.yaml that only names the area
        merged_units = dict(self._units)
        for unit in units:
            action = "sửa" if unit.unit_id in merged_units else "thêm"
            log.info("Danh mục đơn vị: %s %s (%s) từ %s", action, unit.full_name, unit.unit_id, path)
            merged_units[unit.unit_id] = unit
        replaced = {s.predecessor_id for s in succ}
        successions = [s for s in self._successions if s.predecessor_id not in replaced] + succ
        kept = list(merged_units.values()) if areas_only else [_unslugged(u) for u in merged_units.values()]
        merged = UnitRegistry(kept, successions, scope=self.scope, areas_only=areas_only)
        merged.user_ids = self.user_ids | {u.unit_id for u in units}
        return merged

    # -- queries ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._units)

    def __iter__(self):
        return iter(self._units.values())

    def get(self, unit_id: str) -> Unit:
        """The unit with this ``unit_id``."""
        try:
            return self._units[unit_id]
        except KeyError:
            raise UnitLookupError(f"Không có đơn vị mã '{unit_id}' trong danh mục đơn vị.") from None

    def units(self, group: str | None = None, on: dt.date | None = None) -> list[Unit]:
        """Units, optionally of one peer group (matched like names) and valid on a day."""
        if group:
            result = self._area(group)
            if not result:
                raise UnitLookupError(self._no_area(group), group)
        else:
            result = list(self._units.values())
        if on is not None:
            result = [u for u in result if u.valid_on(on)]
        return sorted(result, key=lambda u: self._sort_key[u.unit_id])

    def _area(self, name: str) -> list[Unit]:
        """Units whose peer group or province is ``name`` ("Huyện Thanh Miện", "thanh mien", "TP Hải Phòng")."""
        found = self._by_area.get(fold(name)) or self._by_area.get(bare_area(name)) or []
        return list(found)

    def area_name(self, name: str) -> str:
        """A peer group's or province's name as the registry spells it ("thanh mien" -> "Huyện Thanh Miện",
        "TP Hải Phòng" -> "Thành phố Hải Phòng"): the group the units share, else their province."""
        units = self.units(group=name)
        for field in ("group", "province"):
            spelled = {getattr(u, field) for u in units}
            match = [g for g in spelled if g and (fold(g) == fold(name) or bare_area(g) == bare_area(name))]
            if len(match) == 1:
                return match[0]
        return name

    def coverage(self, group: str, on: dt.date) -> tuple[int, int]:
        """(units of ``group`` valid on ``on`` here, in the country's registry): a registry scoped to a district
        holds only the part of its 2025 province linked to it. (0, 0) for a group the country does not know."""
        try:
            return len(self.units(group=group, on=on)), len(_shipped_registry().units(group=group, on=on))
        except UnitLookupError:  # a group of the user's own units
            return 0, 0

    def _no_area(self, name: str) -> str:
        import difflib

        groups = sorted({u.group for u in self._units.values()} | {u.province for u in self._units.values()} - {""})
        if len(groups) <= 40:
            return f"Không có nhóm đơn vị '{name}'. Các nhóm có trong danh mục: {', '.join(groups)}."
        close = difflib.get_close_matches(fold(name), [fold(g) for g in groups], n=3, cutoff=0.6)
        hint = [g for g in groups if fold(g) in close]
        return (
            f"Không có tỉnh/thành phố, huyện hay nhóm đơn vị '{name}' trong danh mục."
            + (f" Có phải: {', '.join(hint)}?" if hint else "")
            + " Lệnh cchc units --groups liệt kê các nhóm."
        )

    def fingerprint(self) -> str:
        """A digest of every unit and succession: what a store's cached readings depend on (a unit added or
        corrected, another scope) changes it."""
        import hashlib

        h = hashlib.sha256()
        for u in sorted(self._units.values(), key=lambda u: u.unit_id):
            h.update(f"{u.unit_id}|{u.code}|{u.name}|{u.type}|{u.group}|{u.valid_from}|{u.valid_to}\n".encode())
        for s in sorted(self._successions, key=lambda s: (s.predecessor_id, s.successor_id)):
            h.update(f"{s.predecessor_id}>{s.successor_id}:{s.share}\n".encode())
        return h.hexdigest()[:16]

    def named(self, key: str) -> tuple[Unit, ...]:
        """Units whose folded name is ``key`` ("thanh giang"), of every period."""
        return tuple(self._by_name.get(key, ()))

    @property
    def longest_name(self) -> int:
        """Words in the longest unit name (a name is looked for in at most that many words)."""
        return max((len(k.split()) for k in self._by_name), default=0)

    def groups(self) -> list[str]:
        """Distinct peer groups (districts before 1 July 2025, provinces since)."""
        return sorted({u.group for u in self._units.values()})

    def lookup(self, text: str, on: dt.date | None = None, group: str | None = None) -> Unit:
        """Find one unit by unit id, statistical code or name.

        Parameters
        ----------
        text
            ``"30-11287"``, ``"11287"``, ``"Thanh Giang"``, ``"UBND XÃ THANH GIANG"``, ``"x. thanh giang"``...
        on
            Keep only units valid on this day (needed where a code or name was reused in 2025).
        group
            Keep only units of this peer group.

        Raises
        ------
        UnitLookupError
            No unit matches, or several do (the message lists them).
        """
        raw = clean_text(text)
        if raw in self._units:
            return self._units[raw]
        candidates = list(self._by_code.get(raw, ()))
        implied = None
        if not candidates:
            key, implied = split_unit_prefix(raw)
            candidates = list(self._by_name.get(key, ()))
            if implied:
                typed = [u for u in candidates if u.type == implied]
                candidates = typed or candidates
            if len(candidates) > 1 and not raw.isascii():
                # typed with its marks, a name means itself: "Tân Thành" is not "Tân Thanh" (both are communes)
                exact = [u for u in candidates if _marked(u.name) == _marked_tail(raw, u.name)]
                candidates = exact or candidates
        if group:
            area = {u.unit_id for u in self._area(group)}
            candidates = [u for u in candidates if u.unit_id in area]
        if on is not None and len(candidates) > 1:
            dated = [u for u in candidates if u.valid_on(on)]
            candidates = dated or candidates
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise UnitLookupError(self._not_found(raw, group), text)
        shown = candidates[:12]
        listed = "; ".join(f"{u.full_name} ({u.unit_id}, {_area_label(u)}, {_validity(u)})" for u in shown)
        more = f" và {len(candidates) - len(shown)} đơn vị khác" if len(candidates) > len(shown) else ""
        raise UnitLookupError(
            f"Tên/mã '{raw}' ứng với nhiều đơn vị: {listed}{more}. Hãy ghi rõ loại đơn vị, mã hoặc thời điểm, chọn "
            "nhóm bằng --group, hoặc khai báo tỉnh/huyện của thư mục dữ liệu (khóa scope trong units.yaml).",
            text,
        )

    def _not_found(self, raw: str, group: str | None) -> str:
        """Why ``raw`` names no unit: the closest names ("did you mean"), the units of the group when one is given,
        and where to add a unit."""
        import difflib

        pool = self.units(group=group) if group else list(self._units.values())
        names = {fold(u.name): u.full_name for u in pool}
        key = split_unit_prefix(raw)[0]
        # among the country's 10,000 names a loose cutoff always finds something: ask for a closer match there
        cutoff = 0.6 if len(names) <= 200 else 0.8
        close = [names[n] for n in difflib.get_close_matches(key, list(names), n=3, cutoff=cutoff)]
        parts = [f"Không tìm thấy đơn vị '{raw}' trong danh mục đơn vị."]
        if close:
            parts.append(f"Có phải: {', '.join(close)}?")
        if group and pool and len(pool) <= 40:
            parts.append(f"Các đơn vị của {group}: {', '.join(sorted(u.full_name for u in pool))}.")
        parts.append("Kiểm tra tên/mã, hoặc bổ sung đơn vị vào tệp units.csv / units.yaml trong thư mục dữ liệu.")
        return " ".join(parts)

    def by_slug(self, slug: str) -> Unit:
        """The unit whose slug is ``slug``."""
        unit = self._by_slug.get(slug)
        if unit is not None:
            return unit
        raise UnitLookupError(f"Không có đơn vị nào có tên rút gọn '{slug}'.")

    def successors(self, unit_id: str) -> list[tuple[Unit, float | None]]:
        """Units that ``unit_id`` became part of, with the share of it each took (None: unknown)."""
        return [(self.get(s.successor_id), s.share) for s in self._succ_of.get(unit_id, ())]

    def predecessors(self, unit_id: str) -> list[tuple[Unit, float | None]]:
        """Units that (partly) became ``unit_id``, with the share of each that went to it."""
        return [(self.get(s.predecessor_id), s.share) for s in self._pred_of.get(unit_id, ())]

    def handovers(self, present, on: dt.date, holders) -> list[tuple[str, str]]:
        """Where a dossier may sit in both an old and a new commune's exports (handed over on the reform), which
        copy counts with the boundaries of ``on``: (unit whose copy is left out, unit whose copy is kept) for each
        succession whose old commune is ``present`` (holds dossiers) and whose new commune is among ``holders``
        (those holding a dossier received before their first day: a copy keeps its receipt date, without one there
        is nothing to compare; ``store.handover_holders``). Once the new commune exists, its copy counts (the later
        state); before, the old commune's (its report of its own time)."""
        present = set(present)
        pairs = []
        for s in self._successions:
            if s.predecessor_id in present and s.successor_id in holders:
                began = self._units[s.successor_id].valid_from
                before = began is not None and on < began
                pairs.append((s.successor_id, s.predecessor_id) if before else (s.predecessor_id, s.successor_id))
        return pairs

    def first_days(self, present) -> dict[str, dt.date]:
        """The first day of each new commune among ``present`` that replaced another one of them (where a dossier
        both hold would have been received before it)."""
        present = set(present)
        return {
            s.successor_id: self._units[s.successor_id].valid_from
            for s in self._successions
            if s.predecessor_id in present and s.successor_id in present and self._units[s.successor_id].valid_from
        }

    def to_records(self, group: str | None = None) -> list[dict[str, object]]:
        """JSON-ready list of units with their successors."""
        records = []
        for unit in self.units(group=group):
            rec = unit.as_dict()
            rec["successors"] = [
                {"unit_id": s.unit_id, "name": s.full_name, "share": share}
                for s, share in self.successors(unit.unit_id)
            ]
            records.append(rec)
        return records

    # -- internals -------------------------------------------------------------------------------
    def _assign_slugs(self) -> None:
        by_slug: dict[str, list[Unit]] = {}
        for unit in self._units.values():
            by_slug.setdefault(slugify(unit.name), []).append(unit)
        for base, units in by_slug.items():
            for unit in units:
                slug = base
                if len(units) > 1:
                    same_type = [u for u in units if u.type == unit.type]
                    slug = f"{slugify(unit.type)}-{base}" if len(same_type) == 1 else f"{base}-{unit.unit_id}"
                object.__setattr__(unit, "slug", slug)
        self._by_slug = {u.slug: u for u in self._units.values()}

    def _check_successions(self) -> None:
        for s in self._successions:
            for uid in (s.predecessor_id, s.successor_id):
                if uid not in self._units:
                    raise ConfigError(
                        f"Quan hệ kế thừa {s.predecessor_id} → {s.successor_id}: không có đơn vị mã '{uid}'."
                    )
        totals: dict[str, float] = {}
        for s in self._successions:
            if s.share is not None:
                totals[s.predecessor_id] = totals.get(s.predecessor_id, 0.0) + s.share
        for uid, total in totals.items():
            if total > 1.0 + 1e-9:
                raise ConfigError(f"Đơn vị {uid}: tổng tỷ lệ chuyển sang các đơn vị kế thừa là {total:g}, vượt quá 1.")


def _marked(text: str) -> str:
    """Lower case NFC with diacritics kept, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def _marked_tail(raw: str, name: str) -> str:
    """The last words of ``raw``, as many as ``name`` has ("UBND xã Tân Thành" -> "tân thành")."""
    words = _marked(raw).replace(".", " ").split()
    return " ".join(words[-len(name.split()) :])


# Folded words that open the name of a district or province ("Huyện", "Thị xã", "Thành phố", "TP.", "Tỉnh")
AREA_WORDS = ("thanh pho", "tp", "tinh", "huyen", "quan", "thi xa")


def bare_area(name: str) -> str:
    """An area's name without its type word, folded: "Thành phố Hải Phòng", "TP. Hải Phòng" -> "hai phong"."""
    key = fold(name)
    for word in AREA_WORDS:
        if key.startswith(word + " "):
            return key[len(word) + 1 :]
    return key


def _area_label(unit: Unit) -> str:
    """Where a unit lies, as a reader places it: "Huyện Thanh Miện, Tỉnh Hải Dương" or "Thành phố Hải Phòng"."""
    if unit.province and unit.province != unit.group:
        return f"{unit.group}, {unit.province}"
    return unit.group


def _unslugged(unit: Unit) -> Unit:
    """A copy without its slug: slugs are unique within one registry and are assigned again in the new one."""
    from dataclasses import replace

    return replace(unit, slug="")


ENV_SCOPE = "CCHC_SCOPE"


def env_scope() -> tuple[str, ...]:
    """The areas named by ``CCHC_SCOPE`` (names separated by ";"), used where the data folder names none; the
    command line sets it for one command from ``--group``."""
    return tuple(part.strip() for part in os.environ.get(ENV_SCOPE, "").split(";") if part.strip())


def read_scope(data_dir: Path) -> tuple[str, ...]:
    """The areas a data folder covers: ``scope`` in its ``units.yaml`` (one name or a list); () when unset."""
    for name in ("units.yaml", "units.yml"):
        path = data_dir / name
        if not path.is_file():
            continue
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: không đọc được YAML ({exc}).") from None
        scope = doc.get("scope") if isinstance(doc, dict) else None
        if scope is None:
            return ()
        items = [scope] if isinstance(scope, str) else scope
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise ConfigError(f"{path}, khóa 'scope': cần tên một tỉnh/thành phố, huyện, hoặc danh sách các tên.")
        return tuple(i.strip() for i in items)
    return ()


def _read_built_units(text: str) -> list[Unit]:
    """The package's own units.csv, as ``make registry`` builds it (clean, checked: tests/test_registry_national.py
    reads it with ``_read_units_csv`` too and compares): read without cleaning each of its 130,000 cells again,
    which took a third of every command's registry."""
    rows = csv.reader(io.StringIO(text))
    col = {name: i for i, name in enumerate(next(rows))}
    day = dt.date.fromisoformat
    return [
        Unit(
            unit_id=r[col["unit_id"]],
            code=r[col["code"]],
            name=r[col["name"]],
            type=r[col["type"]],
            group=r[col["group"]],
            province=r[col["province"]],
            valid_from=day(r[col["valid_from"]]) if r[col["valid_from"]] else None,
            valid_to=day(r[col["valid_to"]]) if r[col["valid_to"]] else None,
            notes=r[col["notes"]],
        )
        for r in rows
    ]


@functools.lru_cache(maxsize=1)
def _shipped_rows() -> tuple[tuple[Unit, ...], tuple[Succession, ...]]:
    """The package's registry files, parsed once per process (13,361 units)."""
    pkg = resources.files("cchc_analysis") / "data"
    units = _read_built_units((pkg / "units.csv").read_text(encoding="utf-8"))
    succ = _read_successions_csv((pkg / "successions.csv").read_text(encoding="utf-8"), "successions.csv (gói)")
    return tuple(units), tuple(succ)


@functools.lru_cache(maxsize=1)
def _shipped_registry() -> UnitRegistry:
    """Built once per process: a registry is never changed after it is built (merged and scoped make new ones)."""
    return UnitRegistry(*_shipped_rows())


def _validity(unit: Unit) -> str:
    start = unit.valid_from.strftime("%d/%m/%Y") if unit.valid_from else "…"
    end = unit.valid_to.strftime("%d/%m/%Y") if unit.valid_to else "nay"
    return f"{start}–{end}"


def _make_unit(row: dict[str, object], where: str) -> Unit:
    def get(col: str) -> str:
        return clean_text(row.get(col, ""))

    for col in ("unit_id", "name", "type", "group"):
        if not get(col):
            raise ConfigError(f"{where}, cột '{col}': thiếu giá trị bắt buộc.")
    utype = get("type").lower()
    if utype not in UNIT_TYPES:
        raise ConfigError(
            f"{where}, cột 'type': giá trị '{get('type')}' không hợp lệ; cần một trong: {', '.join(UNIT_TYPES)}."
        )
    unit = Unit(
        unit_id=get("unit_id"),
        code=get("code"),
        name=get("name"),
        type=utype,
        group=get("group"),
        province=get("province"),
        valid_from=_parse_date(row.get("valid_from"), f"{where}, cột 'valid_from'"),
        valid_to=_parse_date(row.get("valid_to"), f"{where}, cột 'valid_to'"),
        notes=get("notes"),
    )
    if unit.valid_from and unit.valid_to and unit.valid_from > unit.valid_to:
        raise ConfigError(f"{where}: valid_from sau valid_to.")
    return unit


def _read_units_csv(text: str, source: str) -> list[Unit]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("unit_id", "name", "type", "group") if c not in (reader.fieldnames or [])]
    if missing:
        raise ConfigError(f"{source}: thiếu cột {', '.join(missing)} (cần các cột: {', '.join(UNIT_COLUMNS)}).")
    units = [_make_unit(row, f"{source}, dòng {i}") for i, row in enumerate(reader, start=2)]
    _check_unique(units, source)
    return units


def _read_successions_csv(text: str, source: str) -> list[Succession]:
    reader = csv.DictReader(io.StringIO(text))
    result = []
    for i, row in enumerate(reader, start=2):
        where = f"{source}, dòng {i}"
        result.append(
            Succession(
                predecessor_id=clean_text(row["predecessor_id"]),
                successor_id=clean_text(row["successor_id"]),
                share=_parse_share(row.get("share"), where),
                notes=clean_text(row.get("notes")),
            )
        )
    return result


def _read_units_yaml(text: str, source: str) -> tuple[list[Unit], list[Succession]]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: không đọc được YAML ({exc}).") from None
    items = doc.get("units", [] if "scope" in doc else None) if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise ConfigError(f"{source}: cần một danh sách đơn vị (khóa 'units').")
    units, successions = [], []
    for i, item in enumerate(items, start=1):
        where = f"{source}, đơn vị thứ {i}"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: cần một đối tượng có các khóa {', '.join(UNIT_COLUMNS)}.")
        unit = _make_unit(item, where)
        units.append(unit)
        for j, succ in enumerate(item.get("successors") or [], start=1):
            if isinstance(succ, str):
                succ = {"unit_id": succ}
            if not isinstance(succ, dict) or not succ.get("unit_id"):
                raise ConfigError(f"{where}, đơn vị kế thừa thứ {j}: cần khóa 'unit_id'.")
            successions.append(
                Succession(
                    predecessor_id=unit.unit_id,
                    successor_id=clean_text(succ["unit_id"]),
                    share=_parse_share(succ.get("share"), f"{where}, đơn vị kế thừa thứ {j}"),
                    notes=clean_text(succ.get("notes")),
                )
            )
    _check_unique(units, source)
    return units, successions


def _check_unique(units: list[Unit], source: str) -> None:
    seen: set[str] = set()
    for unit in units:
        if unit.unit_id in seen:
            raise ConfigError(f"{source}: mã đơn vị '{unit.unit_id}' xuất hiện nhiều lần.")
        seen.add(unit.unit_id)
