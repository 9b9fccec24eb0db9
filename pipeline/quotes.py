"""The evidence rule for quotes cut with ' … ' (or ' ... ').

A quote may skip text, but what is left must still be evidence:
- the longest fragment has at least ANCHOR_WORDS words and ANCHOR_CHARS characters, so the
  quote is anchored to one place in the text (three Vietnamese syllables such as 'kinh tế số'
  recur everywhere, a twelve-character phrase of three words or more rarely does by chance);
- no fragment is shorter than MIN_FRAGMENT_CHARS characters (a lone letter or sign proves nothing);
- each number of the row (value, value_max, denominator) sits in one fragment together with
  words of its own context ('100% xã', 'xếp thứ 45/63'): a fragment that is only the number
  ('Quảng Ninh … 3') is refused, whether or not the quote is cut.
Shorter fragments beside a long one stay allowed: the real data quotes elided lists such as
'Phổ cập dịch vụ mạng di động … 5G' and 'Phổ cập … điện thoại di động thông minh'.
"""
from __future__ import annotations

import re

ELLIPSIS = re.compile(r"\s+(?:\.\.\.|…)\s+")  # " … " or " ... " between fragments (as shared/tools/verify_quotes.py)
ANCHOR_WORDS, ANCHOR_CHARS, MIN_FRAGMENT_CHARS = 3, 12, 2
_LETTER = re.compile(r"[^\W\d_]")


def quote_problems(quote: str, numbers: dict, number_in_text) -> list[tuple[str, str]]:
    """[(field, message)] for a quote that breaks the rule; numbers: {field: value} of the row."""
    fragments = [f.strip() for f in ELLIPSIS.split(quote)]
    found = []
    if len(fragments) > 1:
        longest = max(fragments, key=len)
        if len(longest.split()) < ANCHOR_WORDS or len(longest) < ANCHOR_CHARS:
            found.append(("quote", f"a quote cut with ' … ' needs one fragment of at least {ANCHOR_WORDS} words and "
                                   f"{ANCHOR_CHARS} characters; the longest is {longest!r}"))
        for fragment in fragments:
            if len(fragment) < MIN_FRAGMENT_CHARS:
                found.append(("quote", f"the fragment {fragment!r} is too short to be evidence"))
    for name, value in numbers.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not number_in_text(value, quote):
            continue  # no number, or not in the quote at all (the evidence check says so)
        holding = [f for f in fragments if number_in_text(value, f)]
        if not any(_LETTER.search(f) for f in holding):
            shown = holding[0] if holding else quote
            found.append((name, f"{value:g} is in the quote without words of its context ({shown!r}); "
                                "quote the words around the number"))
    return found

