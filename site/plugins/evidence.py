"""The evidence one click away, and text served as what it is.

- source_page(source_id, q=None, lines=None): a source text as numbered lines for site/templates/pages/source/{id}.html,
  each line with an anchor (#L12) and, in a text numbered in sections (Lai Châu's 09-NQ/TU: 'II.2.2.1.a',
  'III.1.1-2'), an anchor per section locator; the quote `q` (its fragments, cut with ' … ') or the lines
  'N' / 'N-M' marked with <mark>. Every piece of the text is escaped: the text never becomes HTML.
- quote_href(row): the link of a row's quote or locator to its passage (evidence_href): /source/ID?q=QUOTE#quote
  for a quote, /source/ID?lines=47-49#quote for a reference file's 'lines 47–49', /source/ID#II.2.2.1.a for a
  section. The table pages' and row pages' locator cells link the same way (locator_links).
- source_href(source_id): /source/ID when we hold the source's text.

asgi_wrapper: every text response (text/plain, text/markdown, text/csv, …) without a charset is declared UTF-8
(the source texts and release files under /downloads/ were served bare, and shown as 'Nghá»‹ quyáº¿t'); CSV
exports of the database (/vn_dx_plans/targets.csv) start with a UTF-8 byte-order mark, like the release's CSV
files, so spreadsheet programs read them as UTF-8.

The texts are read from data/sources/ beside site/ (configurable: plugins: vn-dx-plans-site: sources_dir).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote as urlquote

from datasette import hookimpl
from markupsafe import Markup, escape

PLUGIN = "vn-dx-plans-site"
DATABASE = "vn_dx_plans"
DEFAULT_SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"
ELLIPSIS = re.compile(r"\s+(?:\.\.\.|…)\s+")  # as pipeline/quotes.py: ' … ' between a quote's fragments
LINES = re.compile(r"lines? (\d+)(?: \(\d+\))?(?:\s*[–-]\s*(\d+))?")  # 'line 12', 'line 26 (2)', 'lines 47–49'
BOM = "\ufeff".encode()

# Section numbering of a resolution: 'II- QUAN ĐIỂM', '2.2.1. Mục tiêu', '1 .1. Tăng cường', 'a) Phát triển',
# and the dashes of a section's list ('– Cấp ủy …', numbered -1, -2 … as the data's locators 'III.1.1-1').
ROMAN = re.compile(r"([IVX]+)\s*[-.–]\s")
NUMBERED = re.compile(r"(\d+(?:\s*\.\s*\d+)*)\s*\.\s")
LETTER = re.compile(r"([a-zđ])\)\s")
DASH = re.compile(r"[–-]\s")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@functools.lru_cache(maxsize=64)
def _read(path: str, mtime: float) -> str:
    return nfc(Path(path).read_text(encoding="utf-8"))


def read_text(path: Path) -> str | None:
    try:
        return _read(str(path), path.stat().st_mtime)
    except (OSError, UnicodeDecodeError):
        return None


def section_anchors(lines: list[str]) -> dict[int, list[str]]:
    """{line number: [section locators starting there]} of a text numbered in sections (none in other texts)."""
    found: dict[int, list[str]] = {}
    roman = numbered = lettered = None
    dashes = 0
    for number, line in enumerate(lines, 1):
        line = line.strip()
        m = ROMAN.match(line)
        if m:
            roman, numbered, lettered, dashes = m.group(1), None, None, 0
            found.setdefault(number, []).append(roman)
            continue
        if roman is None:
            continue
        m = NUMBERED.match(line)
        if m:
            numbered = roman + "." + re.sub(r"\s+", "", m.group(1))
            lettered, dashes = None, 0
            found.setdefault(number, []).append(numbered)
            continue
        m = LETTER.match(line)
        if m and numbered:
            lettered, dashes = numbered + "." + m.group(1), 0
            found.setdefault(number, []).append(lettered)
            continue
        if DASH.match(line) and (lettered or numbered):
            dashes += 1
            found.setdefault(number, []).append(f"{lettered or numbered}-{dashes}")
    return found


def quote_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Where the quote's fragments are in the text, in order (white space matched loosely); [] if not found."""
    spans, at = [], 0
    for fragment in ELLIPSIS.split(nfc(quote).strip()):
        words = fragment.split()
        if not words:
            continue
        m = re.compile(r"\s+".join(re.escape(w) for w in words)).search(text, at)
        if m is None:
            return []
        spans.append((m.start(), m.end()))
        at = m.end()
    return spans


def line_range(locator: str | None) -> tuple[int, int] | None:
    m = LINES.fullmatch((locator or "").strip())
    if not m:
        return None
    first = int(m.group(1))
    return first, int(m.group(2) or first)


def render_lines(text: str, spans: list[tuple[int, int]], marked: tuple[int, int] | None) -> list[dict]:
    """[{number, html, anchors, marked}] with the spans wrapped in <mark>, every piece escaped."""
    lines = text.split("\n")
    anchors = section_anchors(lines)
    out, offset, first = [], 0, True
    for number, line in enumerate(lines, 1):
        start, end = offset, offset + len(line)
        offset = end + 1
        pieces, at = [], start
        hit = False
        for s, e in spans:
            s, e = max(s, start), min(e, end)
            if s >= e:
                continue
            pieces.append(escape(text[at:s]))
            pieces.append(Markup('<mark id="quote">' if first else "<mark>") + escape(text[s:e]) + Markup("</mark>"))
            at, hit, first = e, True, False
        pieces.append(escape(text[at:end]))
        in_lines = bool(marked and marked[0] <= number <= marked[1])
        html = Markup("").join(pieces)
        if in_lines and not hit:
            html = Markup('<mark id="quote">' if first else "<mark>") + html + Markup("</mark>")
            first = False
        out.append({"number": number, "html": html, "anchors": anchors.get(number, []), "marked": hit or in_lines})
    return out


class Sources:
    """The sources table's file names (read once) and the texts behind them."""

    def __init__(self, datasette, directory: Path):
        self.datasette, self.directory, self.files = datasette, directory, None

    async def file_of(self, source_id) -> Path | None:
        if self.files is None:
            served = DATABASE if DATABASE in self.datasette.databases else None  # else the first (as site_db)
            db = self.datasette.get_database(served)
            rows = (await db.execute("select id, file_name from sources where file_name is not null")).rows
            self.files = {r[0]: r[1] for r in rows}
        name = self.files.get(source_id)
        if not name:
            return None
        path = (self.directory / name).resolve()
        return path if path.is_relative_to(self.directory.resolve()) and path.is_file() else None

    async def text(self, source_id) -> str | None:
        path = await self.file_of(source_id)
        return read_text(path) if path else None


def _sources(datasette) -> Sources:
    cached = getattr(datasette, "_vn_dx_sources", None)
    if cached is None:
        config = datasette.plugin_config(PLUGIN) or {}
        cached = Sources(datasette, Path(config.get("sources_dir") or DEFAULT_SOURCES))
        datasette._vn_dx_sources = cached
    return cached


def evidence_href(source_id, quote=None, locator=None, base="/") -> str | None:
    """The link of a quote or locator to its passage: /source/ID?q=QUOTE&lines=N-M#quote (the page marks the quote,
    or failing that the lines, and gives the first mark the id 'quote'); /source/ID#II.2.2.1.a for a section
    locator without a quote. None without a source."""
    if not source_id:
        return None
    page = base.rstrip("/") + "/source/" + urlquote(str(source_id), safe="")
    args = []
    if quote:
        args.append("q=" + urlquote(str(quote), safe=""))
    span = line_range(locator)
    if span:
        args.append(f"lines={span[0]}-{span[1]}")
    if args:
        return page + "?" + "&".join(args) + "#quote"
    if locator:
        return page + "#" + urlquote(str(locator), safe=".-")
    return page


def locator_links(row: dict) -> dict:
    """{locator column: href} for a row's locator columns: 'locator' beside 'source_id' and 'quote', and the
    discrepancies view's '<side>_locator' beside '<side>_source_id' and '<side>_evidence'."""
    links = {}
    for column in row:
        if column == "locator" or column.endswith("_locator"):
            side = column[: -len("locator")]
            href = evidence_href(row.get(side + "source_id"), row.get(side + "quote") or row.get(side + "evidence"),
                                 row.get(column))
            if href and row.get(column):
                links[column] = href
    return links


@hookimpl
def prepare_jinja2_environment(env):
    env.globals["locator_links"] = locator_links


@hookimpl
def extra_template_vars(datasette):
    sources = _sources(datasette)
    base = datasette.urls.path("/")

    def quote_href(row):
        return evidence_href(row.get("source_id"), row.get("quote"), row.get("locator"), base)

    async def source_href(source_id):
        return evidence_href(source_id, base=base) if source_id and await sources.file_of(source_id) else None

    async def source_page(source_id, q=None, lines=None):
        """{'lines': [...], 'found': whether the quote was found} or None when we hold no text."""
        text = await sources.text(source_id)
        if text is None:
            return None
        spans = quote_spans(text, q) if q else []
        marked = line_range("lines " + lines) if lines and re.fullmatch(r"\d+(-\d+)?", lines) else None
        rendered = render_lines(text, spans, None if spans else marked)
        return {"lines": rendered, "found": bool(spans) if q else None,
                "marked": any(line["marked"] for line in rendered)}

    return {"quote_href": quote_href, "source_href": source_href, "source_page": source_page}


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_charset(scope, receive, send):
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            state = {"bom": False}

            async def wrapped_send(message):
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers") or [])
                    for i, (name, value) in enumerate(headers):
                        if name.lower() != b"content-type":
                            continue
                        kind = value.decode("latin-1")
                        if kind.startswith("text/") and "charset" not in kind.lower():
                            kind += "; charset=utf-8"
                            headers[i] = (name, kind.encode("latin-1"))
                        # The database's CSV exports (not the release's files, which have their own BOM).
                        if (kind.startswith("text/csv") or scope["path"].endswith(".csv")) \
                                and not scope["path"].startswith("/downloads/"):
                            state["bom"] = True
                    if state["bom"]:
                        headers = [(n, v) for n, v in headers if n.lower() != b"content-length"]
                    message = {**message, "headers": headers}
                elif message["type"] == "http.response.body" and state["bom"]:
                    body = message.get("body", b"")
                    state["bom"] = False
                    if not body.startswith(BOM):
                        message = {**message, "body": BOM + body}
                await send(message)

            await app(scope, receive, wrapped_send)
        return with_charset
    return wrap
