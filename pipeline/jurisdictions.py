"""The 63/34 model: which jurisdictions are the 63 provinces before the 2025 reorganisation and which the 34
after it, from each jurisdiction's level and validity dates (the build stores them as in_63 and in_34)."""
from __future__ import annotations

from schema.vocab import REORGANISED_ON


def _iso(value) -> str | None:
    return None if value is None else str(value)


def membership(j) -> dict:
    """in_63 and in_34 of a jurisdiction record: a province that existed before 1 July 2025 (valid_from null
    or earlier) is one of the 63; one that exists on that date (valid_to null or later) one of the 34."""
    if j["level"] != "province":
        return {"in_63": 0, "in_34": 0}
    start, end = _iso(j.get("valid_from")), _iso(j.get("valid_to"))
    return {"in_63": int(start is None or start < REORGANISED_ON),
            "in_34": int(end is None or end >= REORGANISED_ON)}


JURISDICTION_COLUMNS = ("gso_code", "region_vi", "region_en", "capital_vi", "capital_lat", "capital_lon",
                        "lat", "lon", "valid_from", "valid_to")
