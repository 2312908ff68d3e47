"""Properties over generated inputs (Hypothesis): the cell parser never raises and never returns a
value outside its column's type, and name matching (contract section 3) does not depend on Unicode
form, case, whitespace, tone-mark placement or characters that show nothing."""

from __future__ import annotations

import datetime as dt
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import catalog
from ingestion.cells import INVALID_VALUE, INVISIBLE_CHARACTER, ExcelError, Rule, convert, raw_text, rule
from ingestion.normalize import drop_hidden, hidden_characters, text_key

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------ the cell parser


def catalogue_rules() -> list[Rule]:
    """Every reading rule the parser uses, built as ingestion.workbook builds them: each column of each
    sheet layout, each cover field, and the cover code at every level's width."""
    wb = catalog.workbook()
    rules = [rule(name, spec) for layout in wb["sheets"].values() for name, spec in layout["columns"].items()]
    for name, spec in wb["cover"]["fields"].items():
        r = rule(name, spec)
        rules.append(r)
        if r.type == "code":
            rules += [r.with_width(width) for width in wb["code_width"].values()]
    return rules


RULES = catalogue_rules()
VALUE_TYPES = {
    "code": str,
    "text": str,
    "enum": str,
    "period": str,
    "yesno": bool,
    "count": int,
    "year": int,
    "version": int,
    "date": dt.date,
}
EXCEL_ERRORS = ["#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"]
HIDDEN = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e"  # show nothing anywhere
INVISIBLE = HIDDEN + "\u00a0\u202f"  # in a code, no-break spaces too


def _vocabulary_words() -> list[str]:
    wb = catalog.workbook()
    words = [w for vocab in wb["vocab"].values() for ws in vocab.values() for w in ws]
    words += [w for ws in wb["levels"].values() for w in ws]
    return [str(w) for w in words] + ["2021-H1", "6 tháng đầu năm 2021", "02/07/2021", "1.234", "22915001"]


def _sprinkled(text: str, data, hidden: str = INVISIBLE, least: int = 0) -> str:
    """`text` with characters of `hidden` inserted at drawn places."""
    chars = list(text)
    for _ in range(data.draw(st.integers(least, 4))):
        chars.insert(data.draw(st.integers(0, len(chars))), data.draw(st.sampled_from(hidden)))
    return "".join(chars)


numberish = st.text(alphabet="0123456789.,-+ eE/H\u00a0\u200b", max_size=30)
thousands = st.from_regex(r"\s*[0-9]{1,3}(\.[0-9]{3}){0,8}\s*", fullmatch=True)
cells = st.one_of(
    st.text(),  # any unicode, control characters too
    numberish,
    thousands,
    st.integers(2, 40).map(lambda n: "1" + ".000" * n),  # "1.000.000...": beyond 2**63
    st.integers(4000, 5000).map(lambda n: "9" * n),  # past Python's int() digit limit
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([2.0**63, 2.0**63 - 1024, 1e308, -0.0, 0.5, 1900.0, 2958465.0, 2958466.0]),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
    st.none(),
    st.just(""),
    st.sampled_from(EXCEL_ERRORS).map(ExcelError),  # an error cell
    st.sampled_from(EXCEL_ERRORS),  # text that only looks like one
    st.sampled_from(_vocabulary_words()),
)


@FAST
@given(r=st.sampled_from(RULES), cell=cells, data=st.data())
def test_any_cell_gives_a_typed_value_or_an_issue(r, cell, data):
    if isinstance(cell, str) and data.draw(st.booleans()):
        cell = _sprinkled(cell, data)
    raw = raw_text(cell)
    assert isinstance(raw, str)
    raw.encode("utf-8")
    value, issue = convert(r, cell, raw)
    if issue is not None:
        code, why = issue
        assert code in catalog.checks() and isinstance(why, str) and why
        if code == INVALID_VALUE:
            assert value is None
    if value is not None:
        assert isinstance(value, VALUE_TYPES[r.type]), (r.type, value)
        if r.type == "count":
            assert type(value) is int and 0 <= value < 2**63
        if r.type in ("enum", "yesno"):
            assert value in r.lookup.values() or str(value) in map(str, r.lookup.values())
    else:
        assert issue is not None or (raw == "" and not r.required), (r.name, cell)
    if isinstance(cell, ExcelError):
        assert issue is not None and issue[0] == INVALID_VALUE and cell.text in issue[1]


def test_the_rules_cover_every_type_the_catalogue_uses():
    assert {r.type for r in RULES} == set(VALUE_TYPES)


@FAST
@given(digits=st.text(alphabet="0123456789", min_size=8, max_size=8), data=st.data())
def test_a_code_with_invisible_characters_reads_as_the_code_with_a_warning(digits, data):
    cell = _sprinkled(digits, data)
    village = next(r for r in RULES if r.name == "village_code")
    value, issue = convert(village, cell, raw_text(cell))
    assert value == digits
    assert (issue is None) == (cell == digits)
    if issue:
        assert issue[0] == INVISIBLE_CHARACTER and "U+" in issue[1]


def test_every_hidden_character_is_found_by_the_fast_test_too():
    """hidden_characters skips printable text without a regex: no character it drops may be printable."""
    for point in range(0x10000):
        ch = chr(point)
        if drop_hidden(ch, code=True) == "":
            assert not ch.isprintable() and hidden_characters(ch, code=True) == [ch], hex(point)


# ------------------------------------------------------------------------------ name matching


def _with_tones(letters: str) -> list[str]:
    """Each letter with no tone and with each of the five tone marks, composed."""
    tones = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    return [unicodedata.normalize("NFC", ch + t) for ch in letters for t in tones]


VIETNAMESE = "".join(_with_tones("aăâeêioôơuưy")) + "bcdđghklmnpqrstvx0123456789"
words = st.text(alphabet=VIETNAMESE + ",.-()/", min_size=1, max_size=12)
names = st.lists(words, min_size=1, max_size=6).map(" ".join)
SPACES = [" ", "  ", "\t", "\n", "\u00a0", "\u3000", " \t "]


@FAST
@given(text=st.text())
def test_key_ignores_the_unicode_form(text):
    nfc, nfd = unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)
    assert text_key(nfc) == text_key(nfd) == text_key(text)


@FAST
@given(name=names, mask=st.integers(0, 2**72))
def test_key_ignores_case(name, mask):
    mixed = "".join(ch.upper() if mask >> (i % 72) & 1 else ch for i, ch in enumerate(name))
    assert text_key(name.upper()) == text_key(name.lower()) == text_key(mixed) == text_key(name)


@FAST
@given(parts=st.lists(words, min_size=1, max_size=6), data=st.data())
def test_key_ignores_surrounding_and_repeated_whitespace(parts, data):
    space = st.sampled_from(SPACES)
    spaced = data.draw(space) + "".join(p + data.draw(space) for p in parts)
    assert text_key(spaced) == text_key(" ".join(parts))


ONSETS = ["", "h", "kh", "th", "l", "t", "x", "ng", "ch", "đ", "q", "s", "tr"]
FINAL_PAIRS = ["oa", "oe", "uy"]
TONES = ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]


@st.composite
def old_and_new_spelling(draw) -> tuple[str, str]:
    """One syllable ending in oa/oe/uy, its tone mark on the first vowel ("hòa", "khỏe", "thủy") and
    on the last ("hoà", "khoẻ", "thuỷ"), inside a few other words."""
    onset, (first, last), tone = (
        draw(st.sampled_from(ONSETS)),
        draw(st.sampled_from(FINAL_PAIRS)),
        draw(st.sampled_from(TONES)),
    )
    new = unicodedata.normalize("NFC", onset + first + tone + last)
    old = unicodedata.normalize("NFC", onset + first + last + tone)
    before, after = draw(st.lists(words, max_size=2)), draw(st.lists(words, max_size=2))
    if draw(st.booleans()):
        new, old = new.upper(), old.upper()
    return " ".join([*before, new, *after]), " ".join([*before, old, *after])


@FAST
@given(pair=old_and_new_spelling())
def test_key_treats_old_and_new_tone_placement_alike(pair):
    new, old = pair
    assert text_key(new) == text_key(old)


def test_tone_placement_known_words():
    for a, b in [("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"), ("Hoà Thắng", "HÒA THẮNG")]:
        assert text_key(a) == text_key(b)
    assert text_key("hoạch") == "hoạch" and text_key("hoàn") == "hoàn"  # one spelling only


@FAST
@given(text=st.text(), data=st.data())
def test_key_ignores_characters_that_show_nothing(text, data):
    assert text_key(_sprinkled(text, data, HIDDEN, least=1)) == text_key(text)


@FAST
@given(name=names, data=st.data())
def test_key_ignores_all_of_it_at_once(name, data):
    varied = unicodedata.normalize(data.draw(st.sampled_from(["NFC", "NFD"])), name.upper())
    varied = data.draw(st.sampled_from(SPACES)) + varied.replace(" ", data.draw(st.sampled_from(SPACES)))
    varied = _sprinkled(varied, data, HIDDEN)
    assert text_key(varied) == text_key(name)
