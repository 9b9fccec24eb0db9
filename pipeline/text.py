"""Text folding and number matching: the forms quotes are compared in (NFC, one space), the ASCII
folding of ids and search, how a number is written in Vietnamese text, and where a quote stands in a text.
"""
from __future__ import annotations

import re
import unicodedata

from pipeline.quotes import ELLIPSIS  # ' … ' or ' ... ' between fragments


_SPACE = re.compile(r"\s+")
_ONE_SPACE = re.compile(r"\s")


def nfc_norm(text: str) -> str:
    """NFC, with every run of white space one space, trimmed (the form quotes are compared in)."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "  " in text or (_ONE_SPACE.search(text.replace(" ", "")) is not None):
        return " ".join(text.split())  # str.split() splits on the white space \s matches, in C
    return text.strip()


def fold(text: str) -> str:
    """Vietnamese without diacritics, for search: 'Đô thị' -> 'Do thi'."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-")


def written_number(value: float) -> str:
    """A number as Vietnamese texts write it: 1079 -> '1.079', 6.5 -> '6,5'."""
    whole = int(value)
    if value == whole:
        return f"{whole:,}".replace(",", ".")
    integer, fraction = repr(float(value)).split(".")
    return f"{int(integer):,}".replace(",", ".") + "," + fraction


def number_in_text(value: float, text: str, english: bool = False) -> bool:
    """Whether the number is written in the text: Vietnamese style, or also English style (13.17, 1,000) where
    `english` (the reference files are written in English)."""
    forms = {written_number(value)}
    if english:
        forms.add(str(int(value)) if value == int(value) else repr(float(value)))
    return any(_written_in(form, text) for form in forms)


def _written_in(form: str, text: str) -> bool:
    """The written number stands on its own in the text: not inside a longer one ('20' is not in '2025',
    '1.200' or '6,20'); leading zeros are allowed ('01' is 1). As the regex (?<![\\d.,])0*FORM(?![\\d]|[.,]\\d),
    without compiling one per number."""
    start = text.find(form)
    while start >= 0:
        before = start
        while before > 0 and text[before - 1] == "0":
            before -= 1
        end = start + len(form)
        after = text[end:end + 2]
        if not (before > 0 and (text[before - 1].isdigit() or text[before - 1] in ".,")) and \
                not (after[:1].isdigit() or (after[:1] in ".," and after[1:2].isdigit())):
            return True
        start = text.find(form, start + 1)
    return False


def quote_in_text(quote: str, text: str) -> bool:
    return quote_end(quote, text) >= 0


def quote_end(quote: str, text: str, hint: int = 0) -> int:
    """Where the quote ends in the text (its fragments in order), or -1. `hint` only makes it faster: the search
    starts there (quotes are mostly transcribed in the order of their text) and, if that fails, starts again from
    the beginning, so whether a quote is found never depends on what was checked before it."""
    end = _quote_end(quote, text, hint)
    return _quote_end(quote, text, 0) if end < 0 and hint else end


def _quote_end(quote: str, text: str, hint: int) -> int:
    at = -1
    for part in ELLIPSIS.split(nfc_norm(quote)):
        part = part.strip()
        if not part:
            continue
        if at < 0:
            at = text.find(part, hint)
            if at < 0 and hint:
                at = text.find(part, 0, hint + len(part))
        else:
            at = text.find(part, at)
        if at < 0:
            return -1
        at += len(part)
    return max(at, 0)
