"""Nothing on the site can mislead (issue 17): comparisons that read comparators, the caveat on national figures
that rest on a news report, ranks out of different totals kept apart, and every quote one click from its passage.
Content through Datasette's test client with `make serve`'s templates, plugins and mounts (tests/test_site.py's
client); layout in tests/test_browser.py."""
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from conftest import one
from test_site import METADATA, make_client, page, text

QUERIES = METADATA["databases"]["vn_dx_plans"]["queries"]


@pytest.fixture(scope="module")
def get(db_path, fake_release):
    return make_client(db_path, fake_release)


def comparison(db, jurisdiction, indicator, year, scope=None):
    return one(db, "SELECT * FROM target_comparison WHERE jurisdiction_id = ? AND indicator_id = ? AND target_year = ? "
                   "AND scope IS ?", jurisdiction, indicator, year, scope)


# ---------------------------------------------------------------- comparisons read the comparators

def test_above_the_national_value_is_more_ambitious(db):
    row = one(db, "SELECT * FROM target_comparison WHERE jurisdiction_id = 'quang-ngai' AND comparator = '>' "
                  "AND value = 90 AND national_comparator = '='")
    assert (row["national_value"], row["versus_national"]) == (90, "more ambitious than national")
    assert row["comparison"] == "more ambitious: above 90%, national 90%"


def test_about_the_national_value_is_about_the_same(db):
    row = one(db, "SELECT * FROM target_comparison WHERE jurisdiction_id = 'quang-ngai' AND comparator = '~'")
    assert (row["value"], row["national_comparator"], row["national_value"]) == (20, "=", 20)
    assert row["versus_national"] == "about the same as national"
    assert row["comparison"] == "about the same: about 20%, national 20%"


def test_a_floor_is_written_as_a_floor(db):
    row = comparison(db, "ha-tinh", "digital-economy-share-of-grdp", 2025)
    assert (row["comparator"], row["value"], row["national_comparator"], row["national_value"]) == (">=", 10, "=", 20)
    assert "at least 10%, national 20%" in row["comparison"]
    found = {r["jurisdiction"]: r for r in QUERY_ROWS(db, "digital_economy_targets") if r["target_year"] == 2025}
    assert found["Tỉnh Hà Tĩnh"]["difference"] is None  # not -10: the comparators differ
    assert "at least 10%, national 20%" in found["Tỉnh Hà Tĩnh"]["comparison"]
    assert found["Tỉnh Quảng Ninh"]["difference"] == 0  # same comparators: the difference stands


def QUERY_ROWS(db, name):
    sql = QUERIES[name]["sql"]
    return [dict(r) for r in db.execute(sql)]


def test_every_comparison_against_a_news_report_national_figure_carries_the_caveat(db):
    news = db.execute("SELECT * FROM target_comparison WHERE national_authority = 'news_report'").fetchall()
    assert {(r["jurisdiction_id"], r["target_year"]) for r in news} >= {("lai-chau", 2030), ("quang-ninh", 2030)}
    for r in news:
        assert "news report only (seed-003)" in r["national_caveat"]
        assert "52-NQ/TW" in r["national_caveat"] and r["national_caveat"] in r["comparison"]
    assert one(db, "SELECT count(*) FROM target_comparison WHERE national_authority <> 'news_report' "
                   "AND national_caveat IS NOT NULL")[0] == 0
    for name in ("digital_economy_targets", "versus_national"):
        rows = [r for r in QUERY_ROWS(db, name) if r["target_year"] == 2030 and r.get("national_value") == 30]
        assert rows and all("news report only" in r["national_caveat"] for r in rows), name
