#!/usr/bin/env python3
"""Serving at scale: each page as `make serve` serves it, against the raw SQL it runs, in the same run.

    .venv/bin/python bench/serve_scale.py DB [--repeats 5] [--port 8765]

DB is a database build.py made (e.g. from `bench/generate.py` data at 63 provinces x 2,000 targets). The
server is started with the Makefile's SERVE_FLAGS (`make -s serve-flags`), the database swapped for DB and
Datasette's trace turned on; for every page the SQL Datasette ran (`?_trace=1`) is then run again straight
through sqlite3, and the report sets the page's median time beside that SQL's. Loopback only, bounded.
"""
from __future__ import annotations

import argparse
import http.client
import json
import shlex
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "/vn_dx_plans/targets",
    "/vn_dx_plans/targets.json",
    "/vn_dx_plans/targets?_facet=jurisdiction_id&_facet=indicator_id",
    "/vn_dx_plans/targets?_search=kinh+te+so",
    "/vn_dx_plans/target_comparison",
    "/vn_dx_plans/target_coverage",
    "/vn_dx_plans/discrepancies",
]


def serve_flags(db: Path) -> list[str]:
    flags = shlex.split(subprocess.run(["make", "-s", "serve-flags"], cwd=ROOT, capture_output=True, text=True,
                                       check=True).stdout)
    out, skip = [], False
    for flag in flags:  # the database: DB instead of dist/vn_dx_plans.db
        if skip:
            skip = False
            continue
        if flag == "-i":
            out += ["-i", str(db)]
            skip = True
        else:
            out.append(flag)
    return out + ["--setting", "trace_debug", "1"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[float, bytes, int]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    except http.client.IncompleteRead as error:  # a response cut short (e.g. a limit): counted, marked 0
        body, status = error.partial, 0
    return time.perf_counter() - start, body, status


def traced_sql(base: str, path: str) -> list[tuple[str, object]]:
    parts = urllib.parse.urlsplit(path)
    json_path = parts.path if parts.path.endswith(".json") else parts.path + ".json"
    query = parts.query + ("&" if parts.query else "") + "_trace=1"
    _, body, status = fetch(base + json_path + "?" + query)
    try:
        traces = json.loads(body).get("_trace", {}).get("traces", [])
    except ValueError:
        return []  # the traced response did not come whole: no raw figure
    return [(t["sql"], t.get("params")) for t in traces if t.get("sql") and not t["sql"].lstrip().lower().startswith("pragma")]


def raw_time(db: Path, statements) -> float:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        start = time.perf_counter()
        for sql, params in statements:
            try:
                conn.execute(sql, params or {}).fetchall()
            except sqlite3.Error:
                pass
        return time.perf_counter() - start
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    queries = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"]["vn_dx_plans"]["queries"]
    pages = PAGES + [f"/vn_dx_plans/{name}.json" for name in queries]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(Path(sys.executable).parent / "datasette"), "serve", *serve_flags(args.db),
                               "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                fetch(base + "/-/versions.json")
                break
            except OSError:
                time.sleep(0.2)
        print(f"{'page':70} {'status':>6} {'page ms':>8} {'raw ms':>8} {'ratio':>6}")
        for path in pages:
            fetch(base + path)  # warm
            timings, status = [], None
            for _ in range(args.repeats):
                seconds, _, status = fetch(base + path)
                timings.append(seconds)
            statements = traced_sql(base, path)
            raw = statistics.median(raw_time(args.db, statements) for _ in range(args.repeats))
            page = statistics.median(timings)
            if statements:
                print(f"{path[:70]:70} {status:>6} {page * 1000:8.0f} {raw * 1000:8.0f} {page / raw:6.2f}")
            else:
                print(f"{path[:70]:70} {status:>6} {page * 1000:8.0f} {'n/a':>8} {'n/a':>6}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
