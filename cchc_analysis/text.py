"""Vietnamese text helpers: Unicode normalisation, accent-folded matching keys, slugs and legacy encodings."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

__all__ = [
    "clean_text",
    "csv_safe",
    "decode_tcvn3",
    "decode_vni",
    "encode_tcvn3",
    "encode_vni",
    "fold",
    "legacy_encoding",
    "slugify",
    "starts_like_formula",
    "to_unicode",
    "to_unicode_many",
    "vn_decimal",
    "vn_int",
]

_WS = re.compile(r"\s+")
# invisible format characters (bidi marks and overrides, zero-width spaces and joiners, BOM, soft hyphen) and C0/C1
# controls: they carry nothing in Vietnamese text and can hide or reorder what a reader sees
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# anything clean_text would change: space at either end, a run of spaces, a space other than " ", invisible or
# control characters
_DIRTY = re.compile(
    "^\\s|\\s$|  |[^\\S ]|[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00-\x1f\x7f-\x9f]"
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def clean_text(value: object) -> str:
    """Return ``value`` as NFC text with surrounding space trimmed and inner runs of space collapsed.

    Non-breaking spaces, tabs, line breaks and control characters (NUL included) all count as space; invisible
    format characters (right-to-left marks and overrides, zero-width spaces, BOM) are removed.

    Examples
    --------
    >>> clean_text("  Xa\u0303   Thanh\u00a0Giang ")
    'Xã Thanh Giang'
    """
    if value is None:
        return ""
    text = str(value)
    if unicodedata.is_normalized("NFC", text) and not _DIRTY.search(text):
        return text  # already clean: the common case, checked in C
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", text))
    return _WS.sub(" ", text).strip()


# a spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection"): tab and carriage
# return too, which some spreadsheets drop before looking at the rest
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(value: object) -> bool:
    """Whether text would be taken for a formula by Excel or LibreOffice (in a cell or an opened CSV file)."""
    return isinstance(value, str) and value[:1] in FORMULA_STARTS


def csv_safe(value: object) -> object:
    """A value for a CSV file: text a spreadsheet would run as a formula gets a leading apostrophe (shown as
    text, the apostrophe hidden); numbers and other text unchanged."""
    return "'" + value if starts_like_formula(value) else value


def vn_int(value: int) -> str:
    """An integer the Vietnamese way, "." between thousands: 2527 -> "2.527"."""
    return f"{int(value):,}".replace(",", ".")


def vn_decimal(value: float, places: int) -> str:
    """A number with a decimal comma, trailing zeros dropped, rounded half up as written: 8.417 -> "8,417", 11.5 ->
    "11,5", 0.125 -> "0,13"."""
    import decimal

    exact = decimal.Decimal(repr(float(value))).quantize(decimal.Decimal(1).scaleb(-places), decimal.ROUND_HALF_UP)
    text = f"{exact:,.{places}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def fold(value: object) -> str:
    """Return an accent-insensitive, case-insensitive matching key.

    Diacritics are removed (``đ`` becomes ``d``), everything that is not a letter or a digit becomes a
    single space.

    Examples
    --------
    >>> fold("UBND Xã  Thanh-Giang")
    'ubnd xa thanh giang'
    """
    if isinstance(value, str):
        return _fold_text(value)
    return _fold_text(clean_text(value))


@functools.lru_cache(maxsize=1 << 16)
def _fold_text(value: str) -> str:
    # remembered: a registry of 13,000 units folds the same names again for each registry built from it
    text = unicodedata.normalize("NFD", clean_text(value).lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d")  # lower case already: no "Đ" left
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
# TCVN 5712:1993 VN1 gives the other capitals codes of their own, where VN3 (the .VnTime fonts) has none: in the
# control range, in 0x80-0x9F (read through Windows-1252 as "€", "‚"... or as C1 controls) and at the few codes
# VN3 leaves unused. Decoded where they occur; never produced, never used to tell TCVN3 from Unicode.
_VN1_CAPITALS_PAIRS = (
    "01:Ú 02:Ụ 04:Ừ 05:Ử 06:Ữ 11:Ứ 12:Ự 13:Ỳ 14:Ỷ 15:Ỹ 16:Ý 17:Ỵ 80:À 81:Ả 82:Ã 83:Á 84:Ạ 85:Ặ 86:Ậ 87:È 88:Ẻ "
    "89:Ẽ 8a:É 8b:Ẹ 8c:Ệ 8d:Ì 8e:Ỉ 8f:Ĩ 90:Í 91:Ị 92:Ò 93:Ỏ 94:Õ 95:Ó 96:Ọ 97:Ộ 98:Ờ 99:Ở 9a:Ỡ 9b:Ớ 9c:Ợ 9d:Ù "
    "9e:Ủ 9f:Ũ af:Ằ ba:Ẳ bf:Ẵ c0:Ắ c1:Ầ c2:Ẩ c3:Ẫ c4:Ấ c5:Ề cd:Ể d9:Ễ da:Ế db:Ồ e0:Ổ f0:Ỗ ff:Ố"
)
_VN1_CAPITALS: dict[str, str] = {}
for _pair in _VN1_CAPITALS_PAIRS.split():
    _code, _char = _pair.split(":")
    _VN1_CAPITALS[chr(int(_code, 16))] = _char
    if 0x80 <= int(_code, 16) <= 0x9F:  # as Windows-1252 shows the byte (0x81, 0x8D, 0x8F, 0x90, 0x9D stay C1)
        _shown = bytes([int(_code, 16)]).decode("cp1252", errors="ignore")
        if _shown:
            _VN1_CAPITALS[_shown] = _char
_TCVN3_DECODE = {**_VN1_CAPITALS, **_TCVN3_TO_UNI}


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
    converted = [ch in _TCVN3_TO_UNI for ch in text]  # the lower-case codes, shown upper case by .VnTimeH
    chars = [_TCVN3_DECODE.get(ch, ch) for ch in text]
    plain = [ch for ch, conv in zip(text, converted, strict=True) if not conv and ch.isalpha()]
    if plain and all(ch.isupper() for ch in plain):
        chars = [ch.upper() if conv else ch for ch, conv in zip(chars, converted, strict=True)]
    return unicodedata.normalize("NFC", "".join(chars))


# --- VNI (VNI-Windows) ----------------------------------------------------------------------------------
# A base letter followed by a mark character ("Vieät" = Việt); a few letters have single codes.
_VNI_SINGLE = {
    "ñ": "đ",
    "Ñ": "Đ",
    "ô": "ơ",
    "Ô": "Ơ",
    "ö": "ư",
    "Ö": "Ư",
    "æ": "ỉ",
    "Æ": "Ỉ",
    "ó": "ĩ",
    "Ó": "Ĩ",
    "ò": "ị",
    "Ò": "Ị",
    "î": "ỵ",
    "Î": "Ỵ",
}  # í and ì are the same code points as in Unicode
_VNI_TONES = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_HAT = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}  # â ê ô + tone
_VNI_BREVE = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}  # ă + tone
_VNI_PAIRS: dict[str, str] = {}
for _base in "aeiouyAEIOUY":
    for _mark, _comb in _VNI_TONES.items():
        _VNI_PAIRS[_base + _mark] = unicodedata.normalize("NFC", _base + _comb)
        _VNI_PAIRS[_base + _mark.upper()] = unicodedata.normalize("NFC", _base + _comb)
for _base in "aeoAEO":
    for _mark, _comb in _VNI_HAT.items():
        _VNI_PAIRS[_base + _mark] = unicodedata.normalize("NFC", _base + "\u0302" + _comb)
        _VNI_PAIRS[_base + _mark.upper()] = unicodedata.normalize("NFC", _base + "\u0302" + _comb)
for _base in "aA":
    for _mark, _comb in _VNI_BREVE.items():
        _VNI_PAIRS[_base + _mark] = unicodedata.normalize("NFC", _base + "\u0306" + _comb)
        _VNI_PAIRS[_base + _mark.upper()] = unicodedata.normalize("NFC", _base + "\u0306" + _comb)
# ơ and ư take tone marks too: "ôù" = ớ, "öø" = ừ
for _base, _uni in (("ô", "ơ"), ("Ô", "Ơ"), ("ö", "ư"), ("Ö", "Ư")):
    for _mark, _comb in _VNI_TONES.items():
        _VNI_PAIRS[_base + _mark] = unicodedata.normalize("NFC", _uni + _comb)
        _VNI_PAIRS[_base + _mark.upper()] = unicodedata.normalize("NFC", _uni + _comb)
_VNI_ALL = {**_VNI_SINGLE, **_VNI_PAIRS}  # pairs win over singles ("ôù" is ớ, not ơ + ù)
_VNI_PATTERN = re.compile("|".join(sorted((re.escape(k) for k in _VNI_ALL), key=len, reverse=True)))
_UNI_TO_VNI = {v: k for k, v in _VNI_PAIRS.items() if k[1].islower() == k[0].islower() and k[0] not in "iI"}


def decode_vni(text: str) -> str:
    """Decode VNI-Windows text (read as latin-1 characters) into NFC Unicode."""
    out = _VNI_PATTERN.sub(lambda m: _VNI_ALL[m.group(0)], text)
    return unicodedata.normalize("NFC", out)


def encode_vni(text: str) -> str:
    """Encode Unicode Vietnamese into VNI-Windows as read from a .VNI font cell (used to build test files)."""
    reverse_single = {v: k for k, v in _VNI_SINGLE.items()}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in reverse_single:
            out.append(reverse_single[ch])
        elif ch in _UNI_TO_VNI:
            pair = _UNI_TO_VNI[ch]
            if ch.isupper():
                pair = pair[0] + pair[1].upper()
            out.append(pair)
        elif ord(ch) < 0x80 or ch in "íìÍÌ":
            out.append(ch)
        else:
            raise ValueError(f"character {ch!r} has no VNI code")
    return "".join(out)


# --- telling legacy text from Unicode ------------------------------------------------------------------
# Unicode Vietnamese in NFC uses only these Latin-1 letters; any other character of 0x80-0xFF ("junk") in a text
# without characters beyond Latin-1 marks legacy text. TCVN3 codes replace a vowel (often after a consonant:
# "Ngµy"); VNI marks follow a vowel ("Ngaøy").
_LATIN1_VIETNAMESE = frozenset("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
_LATIN1_VIETNAMESE_LOWER = frozenset("àáâãèéêìíòóôõùúý")
_VOWELS = frozenset("aeiouyAEIOUYôÔöÖ")


def _case_ok(ch: str, prev: str) -> bool:
    """A letter agrees in case with the letter before it (a capital inside a lower-case word does not)."""
    return not prev.isalpha() or not ch.isalpha() or ch.islower() == prev.islower() or prev.isupper()


def _junk(text: str) -> int:
    """Characters that Unicode Vietnamese never holds: Latin-1 symbols, and capitals inside lower-case words."""
    count = 0
    for i, ch in enumerate(text):
        if 0x80 <= ord(ch) <= 0xFF:
            if ch not in _LATIN1_VIETNAMESE or not _case_ok(ch, text[i - 1] if i else " "):
                count += 1
    return count


_VNI_MARKS = frozenset("".join(_VNI_TONES) + "".join(_VNI_HAT) + "".join(_VNI_BREVE)) | frozenset(
    ("".join(_VNI_TONES) + "".join(_VNI_HAT) + "".join(_VNI_BREVE)).upper()
)
_VNI_USED = _VNI_MARKS | frozenset(_VNI_SINGLE)
_TCVN3_ONLY = frozenset(ch for ch in TCVN3_CHARS if ch not in _VNI_USED and ch not in _LATIN1_VIETNAMESE)


def legacy_encoding(text: str) -> str | None:
    """ "tcvn3", "vni" or None (Unicode, or plain ASCII) for one text, judged by its content.

    VNI shows as a mark after a vowel ("Vieät") or a single-code letter after a consonant ("Ngöôøi"); TCVN3 as a
    whole vowel code, often one that VNI never uses ("Ngµy", "ViÖt").
    """
    if not text or any(ord(ch) > 0xFF for ch in text) or _junk(text) == 0:
        return None
    high = [
        i
        for i, ch in enumerate(text)
        if ord(ch) >= 0x80
        and (
            ch not in _LATIN1_VIETNAMESE
            or not _case_ok(ch, text[i - 1] if i else " ")
            or (ch in _VNI_MARKS and i and text[i - 1] in _VOWELS and ch.islower() == text[i - 1].islower())
        )
    ]
    vni = 0
    tcvn_only = 0
    for i in high:
        ch, prev = text[i], text[i - 1] if i else " "
        if ch in _VNI_MARKS and prev in _VOWELS and ch.islower() == prev.islower():
            vni += 1
        elif ch in _VNI_SINGLE and prev not in _VOWELS and _case_ok(ch, prev) and (ch.islower() or not prev.islower()):
            vni += 1
        if ch in _TCVN3_ONLY:
            tcvn_only += 1
    ratio = vni / len(high)
    if ratio >= 0.9 or (ratio >= 0.6 and not tcvn_only):
        return "vni"
    return "tcvn3"


_DECODERS = {"tcvn3": decode_tcvn3, "vni": decode_vni}


def to_unicode(text: str) -> str:
    """Decode ``text`` from TCVN3 or VNI when its content says so; NFC-normalise it either way."""
    enc = legacy_encoding(text)
    if enc:
        return _DECODERS[enc](text)
    return unicodedata.normalize("NFC", text)


def to_unicode_many(texts: list[str]) -> list[str]:
    """Decode a column (or a header row) of texts, judging the legacy encoding by the whole group.

    A short legacy word may hold no sign of its own ("Sè hãa" is TCVN3 for "Số hóa"); when some texts of the
    group are legacy text of one encoding and none holds a character beyond Latin-1, every Latin-1 text of the
    group is decoded with it. Otherwise (a column mixing legacy and Unicode text) each text is judged alone.
    """
    if not texts:
        return []
    joined = "\x00".join(texts)
    chars = set(joined)
    # a legacy sign needs a Latin-1 character that Unicode Vietnamese lower-case letters do not explain; a column
    # without one (plain ASCII, or Unicode Vietnamese in lower case) is judged in one pass, not text by text
    suspicious = {ch for ch in chars if 0x80 <= ord(ch) <= 0xFF and ch not in _LATIN1_VIETNAMESE_LOWER}
    if not suspicious:
        if unicodedata.is_normalized("NFC", joined):
            return list(texts)
        return [unicodedata.normalize("NFC", t) for t in texts]
    pattern = re.compile("[" + re.escape("".join(sorted(suspicious))) + "]")
    found = [legacy_encoding(t) if pattern.search(t) else None for t in texts]
    kinds = {k for k in found if k}
    unicode_seen = any(ord(ch) > 0xFF for ch in chars)
    if len(kinds) == 1 and not unicode_seen:
        decode = _DECODERS[kinds.pop()]
        return [decode(t) if any(ord(ch) >= 0x80 for ch in t) else unicodedata.normalize("NFC", t) for t in texts]
    return [_DECODERS[k](t) if k else unicodedata.normalize("NFC", t) for t, k in zip(texts, found, strict=True)]


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with aligned columns."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"
