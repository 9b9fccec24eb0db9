"""Every fact from outside the source texts names its page(s) and its confidence (data/sources/README.md).

A row from a `reference` source carries no quote: its `citation` gives the page addresses and its
`locator: line N` points at the line of the reference file that states it. For the provinces' reference
files (reference/provinces-*.md, one fact per table line) that line must give the pages and a confidence,
and a fact resting on one page must say "Single source." in the row's note.
"""
import re

import pytest

from conftest import ROOT

ADDRESS = re.compile(r"\b[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)*\.[a-z]{2,}\b", re.IGNORECASE)  # dti.gov.vn, baohatinh.vn
CONFIDENCE = re.compile(r"\b(confirmed|single)\b", re.IGNORECASE)
LINE = re.compile(r"lines? (\d+)(?:[–-](\d+))?")

# Every row that cites a reference source: claims (targets' and observations' statements), documents,
# and documents' links.
REFERENCE_ROWS = """
SELECT 'claims' AS tbl, c.id, c.source_id, s.file_name, c.locator, c.citation, c.note
  FROM claims c JOIN sources s ON s.id = c.source_id WHERE s.kind = 'reference'
UNION ALL
SELECT 'documents', d.id, d.source_id, s.file_name, d.locator, d.citation, d.note
  FROM documents d JOIN sources s ON s.id = d.source_id WHERE s.kind = 'reference'
"""


def reference_rows(db):
    return [dict(r) for r in db.execute(REFERENCE_ROWS)]


def lines_of(file_name: str) -> list[str]:
    return (ROOT / "data" / "sources" / file_name).read_text(encoding="utf-8").splitlines()


def test_every_reference_fact_names_the_pages_where_it_was_seen(db):
    rows = reference_rows(db)
    assert len(rows) > 40
    without = [(r["tbl"], r["id"]) for r in rows if not r["citation"] or not ADDRESS.search(r["citation"])]
    assert without == []


def test_every_provincial_reference_line_gives_its_pages_and_confidence_and_single_rows_say_so(db):
    rows = [r for r in reference_rows(db) if r["file_name"].startswith("reference/provinces-")]
    files = {}
    problems = []
    for r in rows:
        text = files.setdefault(r["file_name"], lines_of(r["file_name"]))
        span = LINE.fullmatch(r["locator"] or "")
        assert span, (r["id"], r["locator"])
        first, last = int(span.group(1)), int(span.group(2) or span.group(1))
        stated = " ".join(text[first - 1:last])
        confidence = {m.lower() for m in CONFIDENCE.findall(stated)}
        if not ADDRESS.search(stated):
            problems.append((r["id"], "no page address on its line"))
        if not confidence:
            problems.append((r["id"], "no confidence on its line"))
        if confidence == {"single"} and "single source" not in (r["note"] or "").lower():
            problems.append((r["id"], "a single-source fact whose note does not say so"))
    assert problems == []


@pytest.mark.parametrize("file_name", sorted(p.name for p in (ROOT / "data" / "sources" / "reference").glob("provinces-*.md")))
def test_a_provincial_reference_file_says_how_its_facts_were_checked(file_name):
    text = (ROOT / "data" / "sources" / "reference" / file_name).read_text(encoding="utf-8")
    assert "confirmed" in text and "single" in text
