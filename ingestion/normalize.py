"""Text matching as contract section 3 fixes it: NFC, case-insensitive, whitespace folded, and the
old/new tone-mark placement ("hoà" = "hòa", "thuỷ" = "thủy") treated alike where the syllable ends."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
_FINAL_PAIRS = ("oa", "oe", "uy")
_WORD = re.compile(r"(?:\w|[\u0300-\u036f])+")


def _canonical_syllable(nfd: str) -> str:
    """Move a tone mark to the last vowel of a syllable ending in bare oa/oe/uy (the old placement)."""
    tones = [ch for ch in nfd if ch in _TONES]
    if len(tones) != 1:
        return nfd
    base = "".join(ch for ch in nfd if ch not in _TONES)
    if base[-2:] not in _FINAL_PAIRS:
        return nfd
    return base + tones[0]


@lru_cache(maxsize=65536)
def text_key(value: object) -> str:
    """The matching key of a label, header, vocabulary word or name."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFD", str(value)).casefold()
    text = " ".join(text.split())
    text = _WORD.sub(lambda m: _canonical_syllable(m.group(0)), text)
    return unicodedata.normalize("NFC", text)


def clean_text(value: object) -> str:
    """A cell's text as people wrote it, NFC with whitespace folded (for display and storage)."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(value)).split())
