"""The methodology file (versioned choices recorded with every result) and the indicator catalogue."""

from __future__ import annotations

import decimal
import hashlib
import os
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from .errors import ConfigError


@dataclass(frozen=True)
class Methodology:
    """Parsed methodology settings; ``version`` and ``digest`` identify them in every result."""

    settings: dict
    version: str
    digest: str

    def get(self, *path):
        """The setting at ``path`` ("ranking", "min_volume"). The methodology file is the only home of every value:
        there are no defaults in code, and a file without a setting is refused when it is loaded."""
        node = self.settings
        for key in path:
            if not isinstance(node, dict) or key not in node:
                raise ConfigError(f"Phương pháp {self.version}: thiếu khóa {'.'.join(path)}.")
            node = node[key]
        return node


def _missing_keys(user, shipped: dict, prefix: str = "") -> list[str]:
    """The settings of the shipped file (by dotted path) that a user's file lacks; values may differ."""
    missing = []
    for key, value in shipped.items():
        if not isinstance(user, dict) or key not in user:
            missing.append(prefix + key)
        elif isinstance(value, dict):
            missing += _missing_keys(user[key], value, f"{prefix}{key}.")
    return missing


def _data_text(name: str, path: Path | str | None, what: str) -> str:
    """The shipped data file ``name``, or the user's file at ``path`` (``what`` names it in the error)."""
    if path is None:
        return (resources.files("cchc_analysis") / "data" / name).read_text(encoding="utf-8")
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Không đọc được {what}: {exc}") from None


def load_methodology(path: Path | str | None = None) -> Methodology:
    """The shipped methodology, or a user's file (which must state its own ``version``)."""
    text = _data_text("methodology.yaml", path, f"tệp phương pháp {path}")
    try:
        settings = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"Tệp phương pháp {path or 'mặc định'} không phải YAML hợp lệ: {exc}") from None
    if not isinstance(settings, dict) or not settings.get("version"):
        raise ConfigError(f"Tệp phương pháp {path}: thiếu khóa 'version'.")
    if path is not None:
        missing = _missing_keys(settings, load_methodology().settings)
        if missing:
            raise ConfigError(
                f"Tệp phương pháp {path} thiếu {len(missing)} khóa: {', '.join(missing)}. Hãy chép tệp mặc định "
                "(cchc_analysis/data/methodology.yaml) rồi sửa các giá trị cần đổi, giữ đủ mọi khóa."
            )
    return Methodology(settings, str(settings["version"]), hashlib.sha256(text.encode("utf-8")).hexdigest()[:12])


INDICATORS_FILE_ENV = "CCHC_INDICATORS_FILE"  # another catalogue (an indicator tried before it is shipped)


def indicator_catalogue() -> dict[str, dict]:
    """key -> {label, unit, direction, decimals, source, formula, and for a rate numerator, denominator, missing,
    ranked} from ``data/indicators.yaml`` (or the file ``CCHC_INDICATORS_FILE`` names)."""
    return _indicator_file(os.environ.get(INDICATORS_FILE_ENV) or None)["indicators"]


def key_figure_list() -> list[dict]:
    """The figures at the top of a unit's brief: {key, label, note, and optionally suffix, requires} in order
    (``key_figures`` of the catalogue); every key is an indicator of the catalogue."""
    figures = _indicator_file(os.environ.get(INDICATORS_FILE_ENV) or None).get("key_figures") or []
    known = indicator_catalogue()
    for entry in figures:
        if not isinstance(entry, dict) or entry.get("key") not in known or not entry.get("label"):
            raise ConfigError(
                f"Danh mục chỉ số, mục key_figures: {entry!r} cần key (một chỉ số của danh mục) và label."
            )
    return figures


def group_table_spec() -> tuple[dict, list[dict]]:
    """The group brief's ranking table (``group_table`` of the catalogue): the headline indicator's entry and the
    other columns' entries, each {key, column}; every key is an indicator of the catalogue."""
    spec = _indicator_file(os.environ.get(INDICATORS_FILE_ENV) or None).get("group_table") or {}
    main, columns = spec.get("main"), spec.get("columns") or []
    known = indicator_catalogue()
    for entry in [main, *columns]:
        if not isinstance(entry, dict) or entry.get("key") not in known or not entry.get("column"):
            raise ConfigError(
                f"Danh mục chỉ số, mục group_table: {entry!r} cần key (một chỉ số của danh mục) và column."
            )
    return main, columns


def missing_reasons() -> dict[str, str]:
    """Why a figure can be missing: reason key -> the sentence the outputs show (``missing_reasons`` of the
    catalogue)."""
    return _indicator_file(os.environ.get(INDICATORS_FILE_ENV) or None)["missing_reasons"]


@cache
def _indicator_file(path: str | None) -> dict:
    text = _data_text("indicators.yaml", path, f"danh mục chỉ số {path} ({INDICATORS_FILE_ENV})")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"Danh mục chỉ số {path}: YAML không hợp lệ ({exc}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("indicators"), dict):
        raise ConfigError(f"Danh mục chỉ số {path or 'mặc định'}: thiếu mục 'indicators'.")
    data.setdefault("missing_reasons", {})
    return data


def round_display(value: float, places: int, mode: str = "half_up") -> decimal.Decimal:
    """Round for display only (results keep full precision): half-up by default, or truncation."""
    rounding = decimal.ROUND_HALF_UP if mode == "half_up" else decimal.ROUND_DOWN
    return decimal.Decimal(repr(float(value))).quantize(decimal.Decimal(1).scaleb(-places), rounding=rounding)


def format_vn(value: float | int | None, places: int, mode: str = "half_up") -> str:
    """A figure as Vietnamese documents write it: "2.527", "99,8", "5.599.554.000", "8,417"."""
    if value is None:
        return "—"
    rounded = round_display(value, places, mode)
    text = f"{rounded:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
