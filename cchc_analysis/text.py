"""Vietnamese text helpers: Unicode normalisation, accent-folded matching keys, slugs and legacy encodings."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "clean_text",
    "decode_tcvn3",
    "encode_tcvn3",
    "fold",
    "slugify",
]

_WS = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def clean_text(value: object) -> str:
    """Return ``value`` as NFC text with surrounding space trimmed and inner runs of space collapsed.

    Non-breaking spaces, tabs and line breaks all count as space.

    Examples
    --------
    >>> clean_text("  Xa\u0303   Thanh\u00a0Giang ")
    'Xã Thanh Giang'
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return _WS.sub(" ", text).strip()


def fold(value: object) -> str:
    """Return an accent-insensitive, case-insensitive matching key.

    Diacritics are removed (``đ`` becomes ``d``), everything that is not a letter or a digit becomes a
    single space.

    Examples
    --------
    >>> fold("UBND Xã  Thanh-Giang")
    'ubnd xa thanh giang'
    """
    text = unicodedata.normalize("NFD", clean_text(value).lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d").replace("Đ", "d")
    return _NON_ALNUM.sub(" ", text).strip()


def slugify(value: object) -> str:
    """Return an ASCII slug usable in file names: ``"Xã Thanh Giang"`` -> ``"xa-thanh-giang"``."""
    return fold(value).replace(" ", "-")


# --- TCVN3 (ABC, TCVN 5712:1993 VN3) ------------------------------------------------------------
# One byte per character. Lower-case letters with diacritics sit in 0xB5-0xFE; the upper-case letters
# of TCVN3 proper are only Ă Â Ê Ô Ơ Ư Đ (0xA1-0xA7): other capitals with tone marks are written with
# the lower-case codes and displayed upper case by the ".VnTimeH" font family. Text stored in a cell
# formatted with a .Vn font is read back as the cp1252/latin-1 characters of those bytes.
_TCVN3_PAIRS = (
    "b5:à b6:ả b7:ã b8:á b9:ạ a8:ă bb:ằ bc:ẳ bd:ẵ be:ắ c6:ặ a9:â c7:ầ c8:ẩ c9:ẫ ca:ấ cb:ậ ae:đ "
    "cc:è ce:ẻ cf:ẽ d0:é d1:ẹ aa:ê d2:ề d3:ể d4:ễ d5:ế d6:ệ d7:ì d8:ỉ dc:ĩ dd:í de:ị df:ò e1:ỏ e2:õ "
    "e3:ó e4:ọ ab:ô e5:ồ e6:ổ e7:ỗ e8:ố e9:ộ ac:ơ ea:ờ eb:ở ec:ỡ ed:ớ ee:ợ ef:ù f1:ủ f2:ũ f3:ú f4:ụ "
    "ad:ư f5:ừ f6:ử f7:ữ f8:ứ f9:ự fa:ỳ fb:ỷ fc:ỹ fd:ý fe:ỵ a1:Ă a2:Â a3:Ê a4:Ô a5:Ơ a6:Ư a7:Đ"
)
_TCVN3_TO_UNI: dict[str, str] = {}
for _pair in _TCVN3_PAIRS.split():
    _code, _char = _pair.split(":")
    _TCVN3_TO_UNI[chr(int(_code, 16))] = _char
_UNI_TO_TCVN3: dict[str, str] = {v: k for k, v in _TCVN3_TO_UNI.items()}
# Capitals with tone marks have no code of their own: they are written as the lower-case code.
for _low, _code in list(_UNI_TO_TCVN3.items()):
    _up = _low.upper()
    if _up != _low and _up not in _UNI_TO_TCVN3:
        _UNI_TO_TCVN3[_up] = _code
TCVN3_CHARS = frozenset(_TCVN3_TO_UNI)


def encode_tcvn3(text: str) -> str:
    """Encode Unicode Vietnamese into TCVN3 as it appears in a .VnTime cell (one latin-1 char per byte).

    Characters TCVN3 cannot represent raise ``ValueError``.
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ord(ch) < 0x80:
            out.append(ch)
        elif ch in _UNI_TO_TCVN3:
            out.append(_UNI_TO_TCVN3[ch])
        else:
            raise ValueError(f"character {ch!r} has no TCVN3 code")
    return "".join(out)


def decode_tcvn3(text: str) -> str:
    """Decode TCVN3 text (read as latin-1 characters) into NFC Unicode.

    A decoded lower-case letter inside an otherwise upper-case word is made upper case, since the
    .VnTimeH fonts show lower-case codes as capitals ("UBND X· THANH GIANG" -> "UBND XÃ THANH GIANG").
    """
    chars = [_TCVN3_TO_UNI.get(ch, ch) for ch in text]
    converted = [ch in _TCVN3_TO_UNI for ch in text]
    # Re-case decoded letters inside upper-case words.
    result = "".join(chars)
    if any(converted):
        words = re.split(r"(\s+)", result)
        pos = 0
        fixed = []
        for word in words:
            flags = converted[pos : pos + len(word)]
            pos += len(word)
            plain = [c for c, f in zip(word, flags, strict=True) if not f and c.isalpha()]
            if plain and all(c.isupper() for c in plain):
                word = "".join(c.upper() if f else c for c, f in zip(word, flags, strict=True))
            fixed.append(word)
        result = "".join(fixed)
    return unicodedata.normalize("NFC", result)
