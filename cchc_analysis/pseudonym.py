"""Pseudonymisation of personal data at ingest: keyed HMAC-SHA256 identifiers and masked display values.

A plain hash of a 12-digit CCCD number is reversible in seconds (about a million candidates per birth year
and province), so identifiers are keyed: HMAC-SHA256 with a secret key that never enters the repository. The
key comes from the environment variable ``CCHC_PSEUDONYM_KEY`` or from an untracked key file created on first
use; only its key id (a short digest of the key) is recorded with results.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ConfigError
from .text import fold

log = logging.getLogger(__name__)

ENV_KEY = "CCHC_PSEUDONYM_KEY"
ENV_KEY_FILE = "CCHC_PSEUDONYM_KEY_FILE"  # a key file kept outside the data folder (servers)
KEY_FILE_NAME = ".cchc_pseudonym_key"


class Pseudonymiser:
    """Turns identifiers into keyed digests; the same input and key always give the same digest."""

    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ConfigError("Khóa bí danh hóa (CCHC_PSEUDONYM_KEY) quá ngắn: cần ít nhất 16 ký tự.")
        self._key = key
        # HMAC's inner and outer hashes keyed once (RFC 2104); each digest then copies them: same digests as
        # hmac.new, at a third of the cost for a million applicants
        block = key if len(key) <= 64 else hashlib.sha256(key).digest()
        block = block.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        self.key_id = hashlib.sha256(b"cchc-key-id:" + key).hexdigest()[:12]

    @classmethod
    def from_environment(cls, data_dir: Path | str | None = None) -> Pseudonymiser:
        """The key from ``CCHC_PSEUDONYM_KEY``, else the file named by ``CCHC_PSEUDONYM_KEY_FILE``, else
        ``<data_dir>/.cchc_pseudonym_key`` (created on first use, readable by the owner only)."""
        env = os.environ.get(ENV_KEY)
        if env:
            return cls(env.encode("utf-8"))
        key_file = os.environ.get(ENV_KEY_FILE)
        if key_file:
            try:
                return cls(Path(key_file).read_text(encoding="ascii").strip().encode("utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"Không đọc được tệp khóa {key_file} ({ENV_KEY_FILE}): {exc}") from None
        path = Path(data_dir or ".") / KEY_FILE_NAME
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32), encoding="ascii")
            try:
                path.chmod(0o600)
            except OSError:  # pragma: no cover - Windows
                pass
            log.warning(
                "Đã tạo khóa bí danh hóa mới tại %s. Hãy sao lưu khóa này ở nơi an toàn: mất khóa thì không "
                "ghép được mã người nộp giữa các lần chạy. Không đưa khóa vào git.",
                path,
            )
        return cls(path.read_text(encoding="ascii").strip().encode("utf-8"))

    def digest(self, value: str) -> str:
        """HMAC-SHA256 of a normalised identifier, as 32 hex characters."""
        return self._digests([value])[0]

    def _digests(self, values) -> list[str]:
        """:meth:`digest` of many values (the loop kept tight: a large export has a million applicants)."""
        inner, outer, out = self._inner, self._outer, []
        for value in values:
            h = inner.copy()
            h.update(value.encode("utf-8"))
            o = outer.copy()
            o.update(h.digest())
            out.append(o.hexdigest()[:32])
        return out

    def applicant_keys(
        self, id_numbers: pd.Series | None, names: pd.Series | None, phones: pd.Series | None
    ) -> pd.Series:
        """One pseudonymous key per applicant: from the ID number where present, else from name and phone.

        The HMAC runs once per distinct identifier. Returns None where nothing identifies the applicant.
        """
        index = (
            next(s.index for s in (id_numbers, names, phones) if s is not None)
            if any(s is not None for s in (id_numbers, names, phones))
            else None
        )
        if index is None:
            return pd.Series(dtype=object)
        ident = pd.Series(None, index=index, dtype=object)
        if id_numbers is not None:
            digits = digits_of(id_numbers)
            ident = ("id:" + digits).where(digits.str.len() >= 9, None).astype(object)
        lacking = ident.isna()
        if names is not None and lacking.any():  # name and phone only where no ID number identifies
            names = names[lacking]
            text = names.where(names.map(type).eq(str), "") if names.dtype == object else names.fillna("")
            folded = {v: fold(v) if v.strip() else "" for v in pd.unique(text)}  # fold each distinct name once
            name_key = text.map(folded).astype(object)
            phone_key = digits_of(phones[lacking]) if phones is not None else pd.Series("", index=name_key.index)
            fallback = ("np:" + name_key + "|" + phone_key.fillna("")).where(name_key != "", None)
            ident[lacking] = fallback
        codes, uniques = pd.factorize(ident)
        hashed = np.array([*self._digests(uniques), None], dtype=object)
        return pd.Series(hashed[codes], index=index, dtype=object)  # code -1 (nothing identifies) takes None


def digits_of(values: pd.Series) -> pd.Series:
    """The digits of each identifier (ID number, phone), as text; "" where none."""
    if isinstance(values.dtype, pd.StringDtype):
        return values.fillna("").str.replace(r"\D", "", regex=True).astype(object)
    return values.map(_digits).astype(object)


def _digits(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\D", "", str(value))


def mask(value: object) -> str:
    """Mask a personal-data value for a message: "0961131987" -> "09******87", "Nguyễn Văn A" -> "N***"."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    if re.fullmatch(r"[\d\s.+-]+", text):
        digits = re.sub(r"\D", "", text)
        if len(digits) <= 4:
            return "*" * len(digits)
        return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]
    return text[0] + "***"
