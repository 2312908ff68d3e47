"""Text matching as contract section 3 fixes it: NFC, case-insensitive, whitespace folded, and the
old/new tone-mark placement ("hoà" = "hòa", "thuỷ" = "thủy") treated alike where the syllable ends.

Characters that show nothing (zero-width space and joiners, word joiner, BOM, soft hyphen, direction
marks) come with text pasted from the web or Word: a matching key ignores them, so that a name, label or
word looks and matches alike. In a code, spaces other than the ASCII one (no-break space, ...) are hidden
too. ingestion.cells drops them from a cell's value and reports the cell (INVISIBLE_CHARACTER).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width space / non-joiner / joiner,
# left-to-right and right-to-left marks, bidi embeddings and isolates, word joiner and invisible
# operators, byte order mark (zero-width no-break space). None of them, nor the spaces below, is
# printable (str.isprintable): that test, in C, spares the regex nearly every cell.
_INVISIBLE_CLASS = "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
# spaces other than " " that a code cell may hold unseen (str.split() takes them for spaces in text)
_OTHER_SPACES = "\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CLASS}]")
_INVISIBLE_IN_CODE = re.compile(f"[{_INVISIBLE_CLASS}{_OTHER_SPACES}]")
_VISIBLE = re.compile(f"[^\\s{_INVISIBLE_CLASS}]")

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
    text = _INVISIBLE.sub("", str(value))
    text = unicodedata.normalize("NFD", text).casefold()
    text = " ".join(text.split())
    text = _WORD.sub(lambda m: _canonical_syllable(m.group(0)), text)
    return unicodedata.normalize("NFC", text)


def clean_text(value: object) -> str:
    """A cell's text as people wrote it, NFC with whitespace folded (for display and storage)."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def shows_something(text: str) -> bool:
    """Whether `text` holds a character other than whitespace and characters that show nothing."""
    if text.isprintable():
        return bool(text.strip())
    return _VISIBLE.search(text) is not None


def hidden_characters(text: str, *, code: bool = False) -> list[str]:
    """The characters of `text` that show nothing (see the module's docstring), each once, in order;
    `code`: spaces other than " " count too."""
    if text.isprintable():
        return []
    found = (_INVISIBLE_IN_CODE if code else _INVISIBLE).findall(text)
    return list(dict.fromkeys(found))


def drop_hidden(text: str, *, code: bool = False) -> str:
    """`text` without the characters hidden_characters finds."""
    return (_INVISIBLE_IN_CODE if code else _INVISIBLE).sub("", text)


def code_points(chars: list[str]) -> str:
    """[ZERO WIDTH SPACE, NO-BREAK SPACE] -> "U+200B, U+00A0": how an auditor sees what shows nothing."""
    return ", ".join(f"U+{ord(ch):04X}" for ch in chars)
