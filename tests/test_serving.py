"""The server as `make serve` configures it survives hostile queries (issue 8, Serving).

Datasette is built from the flags `make serve-flags` prints (the same settings, plugins
dir and immutable database as `make serve`), and driven through its own test client.
"""
import asyncio
import sqlite3
import subprocess
import sys
import time

import pytest
import yaml
from datasette import cli

from conftest import ROOT

sys.path.insert(0, str(ROOT / "site" / "plugins"))
sys.path.insert(0, str(ROOT / "bench"))
import limits  # noqa: E402
from loadtest import serve_flags  # noqa: E402

QUERIES = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"]["vn_dx_plans"]["queries"]


@pytest.fixture(scope="module")
def server(db_path, fake_release):
    """Datasette exactly as `make serve` starts it, but on the test database and release."""
    ctx = cli.serve.make_context("serve", serve_flags(db_path, fake_release))
    datasette = cli.serve.callback(**ctx.params, return_instance=True)
    asyncio.run(datasette.invoke_startup())
    return datasette


@pytest.fixture(scope="module")
def fetch(server):
    def fetch(path, method="GET"):
        async def go():
            start = time.perf_counter()
            response = await server.client.request(method, path)
            return response, time.perf_counter() - start
        return asyncio.run(go())
    return fetch


def sql(query, fmt="json"):
    from urllib.parse import urlencode
    return f"/vn_dx_plans.{fmt}?" + urlencode({"sql": query})


def test_served_immutable_with_the_plugin(server):
    assert not server.databases["vn_dx_plans"].is_mutable
    assert "limits.py" in {p["name"] for p in server._plugins()}
    assert server.setting("suggest_facets") is False


@pytest.mark.parametrize("query", [
    "select length(printf('%.*c', 999000000, 'x'))",
    "select length(printf('%!.*c', 999000000, 'x'))",
    "select length(format('%.*c', '999000000', 'x'))",
    "select length(printf('%999000000d', 1))",
    "select length(randomblob(900000000))",
    "select length(zeroblob(900000000))",
    "with recursive s(x) as (select 'x' union all select x || x from s) select length(x) from s",
    "select group_concat(printf('%.*c', 10000, 'x')) from targets",
])
def test_oversized_values_fail_at_once(fetch, query):
    response, seconds = fetch(sql(query))
    assert response.status_code == 400, response.text[:300]
    assert "too big" in response.json()["error"]
    assert seconds < 1.5


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_runaway_query_stops_at_the_time_limit_with_400(fetch, fmt):
    response, seconds = fetch(sql("with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c", fmt))
    assert response.status_code == 400  # the CSV form was a 500 in Datasette 0.65.5
    assert "took too long" in response.text
    assert seconds < 1.5


@pytest.mark.parametrize("query", [
    "select instr(printf('%.*c', 31999 - (a.rowid % 2), 'a'), printf('%.*c', 16000, 'a') || 'b') from targets a, targets b",
    "select printf('%.*c', 31999 - (a.rowid % 2), 'a') like '%' || printf('%.*c', 98, 'a') || 'b' from targets a, targets b",
])
def test_quadratic_string_functions_stay_near_the_time_limit(fetch, query):
    response, seconds = fetch(sql(query))
    assert response.status_code == 400 and "took too long" in response.text
    assert seconds < 2.5  # one instruction at the limits costs ~4 ms; SQLite checks every 1,000


def test_long_like_pattern_is_refused(fetch):
    response, _ = fetch(sql("select 'a' like '%' || printf('%.*c', 100, 'a') || 'b'"))
    assert response.status_code == 400 and "pattern too complex" in response.json()["error"]


@pytest.mark.parametrize("query", [
    "select printf('%.*c', 31000, 'x') from targets a, targets b limit 1000",
    "select randomblob(31000) from targets a, targets b limit 1000",
])
def test_a_result_is_limited_in_bytes(fetch, query):
    response, seconds = fetch(sql(query))
    assert response.status_code == 400 and "result too large" in response.json()["error"]
    assert seconds < 1.0


def test_values_up_to_the_limit_still_work(fetch):
    response, _ = fetch(sql("select length(printf('%.*c', 31000, 'x')) as n") + "&_shape=array")
    assert response.status_code == 200 and response.json() == [{"n": 31000}]


@pytest.mark.parametrize("fmt, args", [
    ("%g", [1.5]), ("%g", [20.0]), ("%5.2f|%-6d|%+d", [3.14159, 42, 7]), ("%s and %s", ["a", None]),
    ("%q %Q %w", ["it's", None, 'x"y']), ("%.*c", [5, "é"]), ("%*d", [-6, 3]), ("%.3s", ["abcdef"]),
    ("%,d %x %o %e %%", [1234567, 255, 8, 12345.678]), ("%z %!.3g", ["z", 1.23456]), ("no conversion", []),
    ("%d", []), ("%.*c", [4294967296 + 3, "x"]),
])
def test_checked_printf_formats_like_sqlite(fmt, args):
    builtin = sqlite3.connect(":memory:")
    placeholders = ", ".join("?" * (1 + len(args)))
    expected = builtin.execute(f"select printf({placeholders})", [fmt, *args]).fetchone()[0]
    checked = sqlite3.connect(":memory:")
    limits.prepare_connection(checked)
    assert checked.execute(f"select printf({placeholders})", [fmt, *args]).fetchone()[0] == expected


def test_every_value_in_the_database_is_far_below_the_length_limit(db):
    """The limit must leave room: values and schema (a view grows with every province)."""
    longest = db.execute("select max(length(cast(sql as blob))) from sqlite_master").fetchone()[0]
    tables = [r[0] for r in db.execute("select name from sqlite_master where type = 'table' and name not like '%_fts_%'")]
    for table in tables:
        for column in [r[1] for r in db.execute(f"pragma table_info([{table}])")]:
            n = db.execute(f"select max(length(cast([{column}] as blob))) from [{table}]").fetchone()[0]
            longest = max(longest, n or 0)
    assert longest < limits.MAX_LENGTH / 2


def facets(n, parameter="_facet"):
    columns = ["jurisdiction_id", "indicator_id", "target_year", "comparator", "unit", "scope"]
    return "&".join(f"{parameter}={columns[i % len(columns)]}" for i in range(n))


@pytest.mark.parametrize("path", [
    f"/vn_dx_plans/targets?{facets(400)}",
    f"/vn_dx_plans/targets.json?{facets(400)}",
    f"/vn_dx_plans/targets.csv?{facets(400)}",
    f"/vn_dx_plans/targets?{facets(6)}&{facets(6, '_facet_array')}",
    f"/vn_dx_plans/targets?{facets(11, '_facet_date')}",
])
def test_too_many_facets_answer_400(fetch, path):
    response, seconds = fetch(path)
    assert response.status_code == 400
    assert f"at most {limits.MAX_FACETS} per request" in response.text
    assert seconds < 0.5


def test_facets_up_to_the_cap_are_served(fetch):
    response, _ = fetch(f"/vn_dx_plans/targets.json?{facets(limits.MAX_FACETS)}")
    assert response.status_code == 200
    assert {"jurisdiction_id", "target_year"} <= set(response.json()["facet_results"])


@pytest.mark.parametrize("path", ["/vn_dx_plans/targets?_sort=nosuchcol", "/vn_dx_plans/targets.json?_sort_desc=nosuchcol"])
def test_sort_by_unknown_column_is_400(fetch, path):
    response, _ = fetch(path)
    assert response.status_code == 400  # 500 in Datasette 0.65.5
    assert "Cannot sort table by nosuchcol" in response.text


@pytest.mark.parametrize("path", ["/vn_dx_plans/targets/-/insert", "/vn_dx_plans/targets/-/upsert",
                                  "/vn_dx_plans/targets/-/drop", "/vn_dx_plans/targets_2025_vs_2030", "/-/insert"])
def test_writes_are_405(fetch, path):
    response, _ = fetch(path, method="POST")
    assert response.status_code == 405  # some were 500 in Datasette 0.65.5
    assert response.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("path", [
    "/", "/vn_dx_plans", "/vn_dx_plans/targets", "/vn_dx_plans/targets?_facet=jurisdiction_id&_facet=indicator_id",
    "/vn_dx_plans/targets?_search=kinh+te+so", "/vn_dx_plans/targets.csv?_size=max", "/vn_dx_plans/target_coverage.json",
    "/vn_dx_plans/targets/lai-chau-09-nq-tu~2Fdigital-economy-share-of-grdp~2F2030",
    "/vn_dx_plans/targets?quote__contains=kinh+t%E1%BA%BF+s%E1%BB%91",
    "/vn_dx_plans/targets?_sort=target_year",
    *[f"/vn_dx_plans/{name}" for name in QUERIES], *[f"/vn_dx_plans/{name}.csv" for name in QUERIES],
])
def test_ordinary_pages_still_answer(fetch, path):
    response, _ = fetch(path)
    assert response.status_code == 200, response.text[:300]


def test_contains_filter_takes_a_phrase(fetch, db):
    """The LIKE pattern limit (bytes: 2-3 for most Vietnamese letters) leaves room for a phrase."""
    from urllib.parse import quote as urlquote
    quote = db.execute("select quote from targets where id = 'lai-chau-09-nq-tu/digital-economy-share-of-grdp/2030'").fetchone()[0]
    phrase = quote[:30]
    assert len(phrase.encode()) < 98
    response, _ = fetch("/vn_dx_plans/targets.json?_shape=objects&quote__contains=" + urlquote(phrase))
    assert response.status_code == 200 and response.json()["rows"]
    response, _ = fetch("/vn_dx_plans/targets.json?quote__contains=" + "a" * 99)
    assert response.status_code == 400 and "too complex" in response.text


def test_database_downloads(fetch, db_path):
    response, _ = fetch("/vn_dx_plans.db")
    assert response.status_code == 200
    assert response.content == db_path.read_bytes()


def test_load_test_runs_at_a_tiny_size(db_path):
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "loadtest.py"), "--clients", "2", "--duration", "2",
                             "--db", str(db_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for text in ("Without the hostile client", "With one hostile client", "p99", "ordinary", "hostile"):
        assert text in result.stdout
