"""Serving limits: one client must not be able to stall the server for everyone.

Loaded by `make serve` with `--plugins-dir site/plugins`; docs/serving.md explains each
limit and the settings beside it.

- prepare_connection: caps SQLite's string/blob length (and SQL text and LIKE pattern
  length) on every connection, so printf('%.*c', 999000000, 'x'), randomblob(900000000)
  or a quadratic instr()/replace()/LIKE on huge strings fail at once with "string or
  blob too big" instead of running seconds past sql_time_limit_ms (SQLite checks the time
  limit only every 1,000 VM instructions, and one instruction can build a 1 GB string).
- printf()/format() are replaced by a checked copy: SQLite 3.40 (Debian 12's, which
  Python's sqlite3 uses here) builds '%.*c' with a huge precision one character at a time
  even after the length limit is hit (999,000,000 iterations: 7 s in one instruction,
  then NULL). The copy refuses a precision or width over the limit, then lets SQLite's own
  printf (on a private in-memory connection) do the formatting.
- A result may hold at most MAX_RESULT_BYTES of text and blobs per query (counted as
  rows are fetched, by a row factory): without it, 1,000 rows of 31 KB values (31 MB of
  JSON, encoded on the event loop) stalled every other request for seconds.
- asgi_wrapper: before Datasette parses anything, answers 405 to anything but GET and HEAD
  (the site is read-only; Datasette 0.65.5 answers 500 to a POST on a table's /-/insert,
  /-/upsert, /-/drop, a row's /-/update or a canned query); 400 to a query string with more
  than MAX_PARAMETERS parameters and 414 to one over MAX_QUERY_BYTES (Datasette 0.65.5
  spends time quadratic in the number of distinct parameters, on the event loop: 2,000 took
  ~6 s, 10,000 stalled every other request for minutes; 3,000 filters made a 500); 404 to a
  path over MAX_PATH_BYTES (no page, row key or id is near it; a 100,000-character row key
  or indicator id was a 500); and 400 when a request asks for more than MAX_FACETS facets.
- handle_exception: the Datasette 0.65.5 errors that are the client's fault but come out
  as 500 (`_sort=nosuchcol`, the CSV of a query that ran out of time, a filter value over
  the length limit or with more digits than Python converts or SQLite stores, a filter
  expression nested too deep) answer 400, and
  error pages no longer print a rich traceback with locals (about 0.17 s of event-loop
  time per error: a client looping on 404s stalled every other request).
"""
from __future__ import annotations

import re
import sqlite3
import textwrap
import threading
from urllib.parse import parse_qsl

import datasette.plugins  # noqa: F401  (first: imported from inside datasette.handle_exception, it registers
from datasette import hookimpl  # that module half-made, without its handler, and every error page fails)
from datasette import handle_exception as default_errors
from datasette.database import QueryInterrupted
from datasette.utils.asgi import Request
from datasette.views.base import DatasetteError

# The longest value in today's database is about 1.6 KB (a view's CREATE statement; the
# matrix view grows by ~230 bytes a province, ~15 KB at 63 provinces; data values are
# under 300 bytes); FTS5 reads its own 4 KB pages through the blob API, which this limit
# does not touch. 32 KB keeps twice the 63-province size, and keeps the quadratic
# functions cheap: instr()/replace() of a 16 KB needle in a 32 KB string take ~3.5 ms.
# tests/test_serving.py fails if any value in the database comes within half of it.
MAX_LENGTH = 32_000
LIMITS = {
    sqlite3.SQLITE_LIMIT_LENGTH: MAX_LENGTH,
    # Datasette's own queries and the canned queries are under 4 KB; a URL is under 16 KB.
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 100_000,
    # LIKE/GLOB cost is string length × pattern length (a 49,000-character pattern against
    # a 64 KB string: 4.7 s in one instruction; 100 against 32 KB: ~5 ms). Datasette's
    # ?col__contains= filter wraps the text in '%…%': up to 98 bytes of it (UTF-8: about
    # 40 Vietnamese letters; full-text search, ?_search=, has no such limit).
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 100,
    # Result width: the widest view has a column per province (67 at 63 provinces).
    sqlite3.SQLITE_LIMIT_COLUMN: 200,
}

# The largest ordinary result is ~1.5 MB (1,000 rows of `targets`, `_size=max`); a CSV
# stream fetches a page of max_returned_rows rows per query, so it is not limited in total.
MAX_RESULT_BYTES = 8_000_000

MAX_FACETS = 10
# The longest query strings the site makes are a few hundred bytes (a faceted, filtered table page); a
# hand-written ?sql= query of 16 KB is far beyond any canned query (< 4 KB). A value longer than MAX_LENGTH
# (a 500 before, "string or blob too big") cannot get through.
MAX_QUERY_BYTES = 16_384
MAX_PARAMETERS = 100  # ~15 ms of Datasette's parameter handling; a filtered page uses fewer than 20
MAX_PATH_BYTES = 4_096  # ids and row keys are under 200 characters (tilde-encoded: under 2 KB)
FACET_PARAMETERS = {"_facet", "_facet_array", "_facet_date"}
FACET_NAMES = {name.encode() for name in FACET_PARAMETERS}
ALLOWED_METHODS = {"GET", "HEAD"}

# Datasette's error handler prints every exception with rich (locals included) when rich
# is importable (it is, through typer): ~0.17 s of the event loop per 404 or 400.
# Without it, Datasette still prints the traceback of real 500s (traceback.print_exc).
default_errors.rich = None


# A printf conversion: flags, width, precision, length modifier, type (SQLite's grammar).
CONVERSION = re.compile(r"%[-+ #!0,]*(\*|\d*)(?:\.(\*|\d*))?l{0,2}(.)", re.DOTALL)
# Returned instead of a result that would be too long: SQLite refuses it with the same
# "string or blob too big" as any other over-long value.
TOO_BIG = "x" * (MAX_LENGTH + 1)
_helpers = threading.local()


def _helper() -> sqlite3.Connection:
    """This thread's in-memory connection that still has SQLite's built-in printf."""
    conn = getattr(_helpers, "conn", None)
    if conn is None:
        conn = _helpers.conn = sqlite3.connect(":memory:")
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
    return conn


def _as_sqlite_int(value) -> int:
    """What SQLite's printf takes from a '*' argument: the value as an integer, cut to 32 bits."""
    number = _helper().execute("select cast(? as integer)", [value]).fetchone()[0] or 0
    number &= 0xFFFFFFFF
    return number - (1 << 32) if number >= 1 << 31 else number


def printf_too_big(fmt, args) -> bool:
    """Would SQLite's printf(fmt, *args) ask for a width or a '%c' precision over the limit?"""
    if not isinstance(fmt, str) or "%" not in fmt:
        return False
    args = list(args)
    for width, precision, kind in CONVERSION.findall(fmt):
        if kind == "%":
            continue
        sizes = []
        for size in (width, precision):
            if size == "*":
                sizes.append(abs(_as_sqlite_int(args.pop(0))) if args else 0)
            else:
                sizes.append(int(size) if size else 0)
        if sizes[0] > MAX_LENGTH or (kind == "c" and sizes[1] > MAX_LENGTH):
            return True
        if args:
            args.pop(0)
    return False


def checked_printf(*args):
    if not args:
        return None
    if printf_too_big(args[0], args[1:]):
        return TOO_BIG
    placeholders = ", ".join("?" * len(args))
    try:
        return _helper().execute(f"select printf({placeholders})", args).fetchone()[0]
    except sqlite3.DataError:  # too long for the limit
        return TOO_BIG


def budgeted_rows(row_factory=sqlite3.Row, budget=MAX_RESULT_BYTES):
    """A row factory that refuses a query's rows once their text and blobs pass budget bytes.

    Datasette uses a new cursor for every query, so the count starts again with each cursor."""
    state = {"cursor": None, "bytes": 0}

    def make_row(cursor, values):
        if cursor is not state["cursor"]:
            state["cursor"], state["bytes"] = cursor, 0
        state["bytes"] += sum(len(v) for v in values if isinstance(v, (str, bytes)))
        if state["bytes"] > budget:
            raise sqlite3.DataError(f"result too large: more than {budget // 1_000_000} MB of text in one query")
        return row_factory(cursor, values)
    return make_row


@hookimpl
def prepare_connection(conn):
    for limit, value in LIMITS.items():
        conn.setlimit(limit, value)
    for name in ("printf", "format"):
        conn.create_function(name, -1, checked_printf, deterministic=True)
    conn.row_factory = budgeted_rows(conn.row_factory or sqlite3.Row)


def too_much(scope) -> tuple[int, str] | None:
    """(status, message) for a request refused before Datasette parses it, or None. Cheap for the refused: a client
    looping on 2,000 parameters must cost the others little."""
    query_string = scope.get("query_string", b"")
    if query_string.count(b"&") >= MAX_PARAMETERS or len(query_string) > MAX_QUERY_BYTES:
        names = [piece.partition(b"=")[0] for piece in query_string.split(b"&") if piece]  # parse_qs drops empty ones
        facets = sum(1 for name in names if name in FACET_NAMES)  # as written (a parse would cost what it saves)
        if facets > MAX_FACETS:
            return 400, f"Too many facets: {facets} requested, at most {MAX_FACETS} per request"
        if len(names) > MAX_PARAMETERS:
            return 400, f"Too many parameters: {len(names):,} in the query string, at most {MAX_PARAMETERS} per request"
        if len(query_string) > MAX_QUERY_BYTES:
            return 414, (f"URI too long: the query string is {len(query_string):,} bytes, "
                         f"at most {MAX_QUERY_BYTES:,} per request")
    facets = facet_count(query_string)  # at most MAX_PARAMETERS parameters here: cheap to parse
    if facets > MAX_FACETS:
        return 400, f"Too many facets: {facets} requested, at most {MAX_FACETS} per request"
    path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
    if len(path) > MAX_PATH_BYTES:
        return 404, f"Not found: no page of this site has an address over {MAX_PATH_BYTES:,} bytes"
    return None


def facet_count(query_string: bytes) -> int:
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return sum(1 for name, _ in pairs if name in FACET_PARAMETERS)


async def error_page(datasette, scope, receive, send, status, message, headers=None):
    """Datasette's own error page (JSON for .json paths), without going through a view."""
    await datasette.invoke_startup()  # templates may need the site's plugins; idempotent
    request = Request({**scope, "query_string": b""}, receive)  # a refused request's parameters are never parsed
    response = await default_errors.handle_exception(
        datasette, request, DatasetteError(message, status=status))()
    response.headers.update(headers or {})
    await response.asgi_send(send)


async def quick_error(scope, send, status, message):
    """A refusal in a few bytes, without Datasette's templates (a client looping on refused requests costs the
    others little): JSON for a .json path, else a short HTML page."""
    import html
    import json

    if scope.get("path", "").endswith(".json"):
        body = json.dumps({"ok": False, "error": message, "status": status}).encode()
        kind = b"application/json; charset=utf-8"
    else:
        body = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Error {status}</title></head>'
                f'<body><h1>Error {status}</h1><p>{html.escape(message)}</p><p><a href="/">vn-dx-plans</a></p>'
                f"</body></html>\n").encode()
        kind = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def guarded(scope, receive, send):
            if scope["type"] == "http":
                if scope["method"] not in ALLOWED_METHODS:
                    return await error_page(datasette, scope, receive, send, 405,
                                            f"{scope['method']} is not allowed: this site is read-only",
                                            {"Allow": ", ".join(sorted(ALLOWED_METHODS))})
                refused = too_much(scope)
                if refused:
                    return await quick_error(scope, send, *refused)
            await app(scope, receive, send)
        return guarded
    return wrap


TOO_LONG = textwrap.dedent("""
    <p>SQL query took too long. The time limit is controlled by the
    <a href="https://docs.datasette.io/en/stable/settings.html#sql-time-limit-ms">sql_time_limit_ms</a>
    configuration option.</p>""").strip()


def client_fault(exception) -> str | None:
    """The message of an error that a request's own values caused (a 500 in Datasette 0.65.5), or None."""
    text = str(exception)
    if isinstance(exception, sqlite3.DataError) and "too big" in text:
        return f"A value in the request is too long: at most {MAX_LENGTH:,} bytes (string or blob too big)"
    if isinstance(exception, sqlite3.OperationalError) and "Expression tree is too large" in text:
        return f"The request's filters nest too deep: {text}"
    if isinstance(exception, OverflowError) or (isinstance(exception, ValueError) and "integer string conversion" in text):
        return "A number in the request has too many digits"
    return None


@hookimpl
def handle_exception(datasette, request, exception):
    if isinstance(exception, DatasetteError) and exception.status == 500 \
            and str(exception.message).startswith("Cannot sort table by "):
        exception.status = 400  # Datasette's default handler then renders it as a 400
        return None
    if isinstance(exception, QueryInterrupted):
        # Raised uncaught by the CSV renderer (the HTML and JSON views turn it into a 400).
        return default_errors.handle_exception(
            datasette, request, DatasetteError(TOO_LONG, title="SQL Interrupted", status=400,
                                               message_is_html=True))
    message = client_fault(exception)
    if message:
        return default_errors.handle_exception(datasette, request, DatasetteError(message, status=400))
    return None

