"""Evidence: every source text read and its sha256 checked; every quote verbatim in its source, every number
written in its quote, every 'line N' locator pointing at it (check_evidence).
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import outputs
from pipeline.quotes import ELLIPSIS  # ' … ' or ' ... ' between fragments
from pipeline.read import Problems, display_path, read_bytes
from pipeline.text import nfc_norm, number_in_text, quote_end, written_number

if TYPE_CHECKING:
    from pipeline.parse import Dataset


LINE_LOCATOR = re.compile(r"line (\d+)(?: \(\d+\))?")
REFERENCE_LINES = re.compile(r"lines? (\d+)(?:[–-](\d+))?")  # 'line 37' or 'lines 47–49' of a reference file


class Texts(dict):
    """Source texts as read, each made into the form the checks use (`make`) the first time it is looked up:
    every text is read and its sha256 checked on every build, but one no row cites is not normalized."""

    def __init__(self, make):
        super().__init__()
        self.make, self.made = make, {}

    def __getitem__(self, key):
        if key not in self.made:
            self.made[key] = self.make(super().__getitem__(key))
        return self.made[key]


def check_evidence(ds: Dataset, sources_dir: Path, problems: Problems, checked: frozenset = frozenset()):
    """Every quote verbatim in its source (which must cover the row's jurisdiction); every number written in
    its quote; 'line N' locators point at the quote. A statement from a reference source has no quote: its
    'line N' locator must point at the line of the reference file that gives its numbers.

    Every text is read and its sha256 checked. `checked`: files whose rows an earlier build checked against
    the same texts, sources.yml and inherited sources (an incremental rebuild: load_changes)."""
    sources = {s["id"]: s for s in ds.rows["sources"]}
    covers: dict = {}
    for c in ds.rows["source_coverage"]:
        covers.setdefault(c["source_id"], set()).add(c["jurisdiction_id"])
    texts, lines, hints = Texts(nfc_norm), Texts(lambda text: text.split("\n")), {}
    ds.quotes_checked = 0
    ds.quotes_by_file.clear()
    digest = hashlib.sha256()
    for index, s in enumerate(ds.rows["sources"]):
        if not s["file_name"]:
            continue
        path = sources_dir / s["file_name"]
        where = ds.places[("sources", index)]
        if not outputs.inside(path, sources_dir):  # read_bytes says why anything else cannot be read
            problems.add(where, "file_name", f"{display_path(path)} is not a file in {display_path(sources_dir)}")
            continue
        raw, refused = read_bytes(path)  # a regular file only, never more than the size cap
        if raw is None:
            problems.add(where, "file_name", f"{display_path(path)}: {refused}")
            continue
        sha256 = hashlib.sha256(raw).hexdigest()
        digest.update(f"{s['id']}\0{sha256}\0".encode())
        if s["sha256"] and sha256 != s["sha256"]:
            problems.add(where, "sha256", f"does not match {display_path(path)} (the text changed?)")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.add(where, "file_name", f"{display_path(path)}: not UTF-8 text")
            continue
        texts[s["id"]] = text  # normalized and split into lines when a row first cites it (Texts)
        lines[s["id"]] = text
    ds.texts_digest = digest.hexdigest()

    for table in ("documents", "document_links", "priority_sectors", "claims", "tasks"):
        for index, row in enumerate(ds.rows[table]):
            where = ds.places[(table, index)]
            source_id, quote = row.get("source_id"), row.get("quote")
            source = sources.get(source_id)
            if source is None or where.file in checked:
                continue
            jurisdiction = row.get("jurisdiction_id")
            if jurisdiction and jurisdiction not in covers.get(source_id, ()):
                problems.add(where, "source", f"{source_id} does not cover {jurisdiction} (see its `covers`)")
            locator = row.get("locator")
            match = LINE_LOCATOR.fullmatch(locator or "")
            numbers = [(name, row[name]) for name in ("value", "value_max", "denominator") if row.get(name) is not None]
            if source["kind"] == "reference":
                span = REFERENCE_LINES.fullmatch(locator or "")
                if quote:
                    problems.add(where, "quote", f"{source_id} is a reference source: give its line as locator and the pages as citation, not a quote")
                if table == "claims" and not span:
                    problems.add(where, "locator", f"give the line of {source['file_name']} that states the figure, as 'line N' or 'lines N–M'")
                if table in ("claims", "document_links") and not row.get("citation"):
                    problems.add(where, "citation", "give the pages where the fact was checked, or say that the reference names none")
                if span and source_id in lines:
                    first, last = int(span.group(1)), int(span.group(2) or span.group(1))
                    line = "\n".join(lines[source_id][first - 1:last]) if 1 <= first <= last <= len(lines[source_id]) else ""
                    for name, value in numbers:
                        if not number_in_text(value, line, english=True):
                            problems.add(where, name, f"{value:g} is not on {locator} of {source['file_name']}")
                    if table == "documents" and row.get("number") and row["number"] not in line:
                        problems.add(where, "number", f"{row['number']!r} is not on {locator} of {source['file_name']}")
                continue
            if not quote:
                if table in ("claims", "document_links") and row.get("relation") != "may_be_same_as":
                    problems.add(where, "quote", "is required unless the source is a reference source")
                continue
            if source_id in texts:
                ds.quotes_checked += 1
                ds.quotes_by_file[where.file] += 1
                end = quote_end(quote, texts[source_id], hints.get(source_id, 0))
                if end < 0:
                    problems.add(where, "quote", f"not found verbatim in {source_id}: {quote[:80]!r}")
                else:
                    hints[source_id] = end
            if match and source_id in lines:
                number = int(match.group(1))
                first = ELLIPSIS.split(nfc_norm(quote))[0].strip()
                text_lines = lines[source_id]
                if not (1 <= number <= len(text_lines) and first in nfc_norm(text_lines[number - 1])):
                    problems.add(where, "locator", f"the quote does not start on {locator} of {source_id}")
            for name, value in numbers:
                if not number_in_text(value, quote):
                    problems.add(where, name, f"{value:g} is not in the quote as the text would write it ({written_number(value)!r})")
