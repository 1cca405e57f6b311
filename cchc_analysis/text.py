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

    When every other letter of the text is upper case, decoded letters are made upper case too, since the
    .VnTimeH fonts show lower-case codes as capitals ("UBND X· THANH GIANG" -> "UBND XÃ THANH GIANG";
    but "M· hå s¬" -> "Mã hồ sơ").
    """
    converted = [ch in _TCVN3_TO_UNI for ch in text]
    chars = [_TCVN3_TO_UNI.get(ch, ch) for ch in text]
    plain = [ch for ch, conv in zip(text, converted, strict=True) if not conv and ch.isalpha()]
    if plain and all(ch.isupper() for ch in plain):
        chars = [ch.upper() if conv else ch for ch, conv in zip(chars, converted, strict=True)]
    return unicodedata.normalize("NFC", "".join(chars))


# Unicode Vietnamese in NFC uses these Latin-1 letters; every other TCVN3 code in 0xA1-0xFE is a marker of
# legacy text (in Unicode it would be a symbol such as "¸", "§" or "µ", which Vietnamese words never contain).
_LATIN1_VIETNAMESE = frozenset("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
_TCVN3_MARKERS = frozenset(ch for ch in TCVN3_CHARS if ch not in _LATIN1_VIETNAMESE)


def looks_tcvn3(text: str) -> bool:
    """True when ``text`` reads as TCVN3 legacy text rather than Unicode.

    Unicode Vietnamese almost always holds a character beyond Latin-1 (ă, đ, ơ, ư, or a letter with a tone
    mark such as ạ); TCVN3 text holds only Latin-1 characters, some of which are never part of a Unicode
    Vietnamese word. Text with neither sign is left alone.
    """
    if not text or any(ord(ch) > 0xFF for ch in text):
        return False
    return any(ch in _TCVN3_MARKERS for ch in text)


def to_unicode(text: str) -> str:
    """Decode ``text`` from TCVN3 when it looks like TCVN3; NFC-normalise it either way."""
    if looks_tcvn3(text):
        return decode_tcvn3(text)
    return unicodedata.normalize("NFC", text)


def to_unicode_many(texts: list[str]) -> list[str]:
    """Decode a column (or a header row) of texts, judging TCVN3 by the whole group.

    A short legacy word may hold no marker of its own ("Sè hãa"); when some texts of the group look like TCVN3
    and none holds a character beyond Latin-1, every text of the group is decoded. Otherwise each text is
    judged alone (a column that mixes legacy and Unicode text).
    """
    legacy = any(looks_tcvn3(t) for t in texts)
    unicode_seen = any(any(ord(ch) > 0xFF for ch in t) for t in texts)
    if legacy and not unicode_seen:
        return [unicodedata.normalize("NFC", decode_tcvn3(t)) for t in texts]
    return [to_unicode(t) for t in texts]
