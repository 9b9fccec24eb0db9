"""Claims settlement: the claims of each figure ranked by authority, and the target's or observation's row
written from the best one (Figure).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pipeline.read import Problems
from schema import vocab

if TYPE_CHECKING:
    from pipeline.parse import Dataset


def settle_claims(ds: Dataset, problems: Problems):
    """Group the claims of each figure, rank them by authority and write the figure from the best one.

    Authority: the document's own text, then a reference summary of it, then a news restatement
    (vocab.AUTHORITY); among sources of one kind the latest published, then the source id. The
    others stay in `claims`, and the discrepancies view shows where they disagree."""
    sources = {s["id"]: s for s in ds.rows["sources"]}
    groups: dict = {}
    for index, claim in enumerate(ds.rows["claims"]):
        groups.setdefault((claim["figure_kind"], claim["figure_id"]), []).append(index)
    for (kind, ident), indexes in groups.items():
        by_source: dict = {}
        for index in indexes if len(indexes) > 1 else ():
            claim, where = ds.rows["claims"][index], ds.places[("claims", index)]
            first = by_source.setdefault(claim["source_id"], where)
            if first is not where:
                problems.add(where, "indicator", f"duplicate {kind} id {ident!r} (first at {first.file}:{first.line})")
        claims = [ds.rows["claims"][i] for i in indexes]
        if len(claims) > 1:
            claims.sort(key=lambda c: c["source_id"] or "")
            claims.sort(key=lambda c: str(sources.get(c["source_id"], {}).get("published") or ""), reverse=True)
            claims.sort(key=lambda c: _authority_order(sources.get(c["source_id"])))
        for rank, claim in enumerate(claims, 1):
            claim.update(id=f"{ident}@{claim['source_id']}", authority_rank=rank,
                         evidence="quote" if claim["quote"] else "citation",
                         target_id=ident if kind == "target" else None,
                         observation_id=ident if kind == "observation" else None)
        best = claims[0]
        own = {"id": ident, "authority": sources.get(best["source_id"], {}).get("kind"), "claim_count": len(claims)}
        if kind == "target":
            own.update(target_year=best["year"], frequency=best["frequency"])
        else:
            own["year"] = best["year"]
        ds.add(kind + "s", Figure(best, own), ds.places[("claims", indexes[0])])


class Figure(Mapping):
    """A target's or observation's row: the fields it takes from its best claim (FIGURE_FIELDS) and its own (id,
    year, authority, claim_count). It reads the claim's fields rather than copying them: at 63 provinces x 2,000
    targets that is 145k dicts fewer at the build's peak memory."""

    __slots__ = ("claim", "own")

    def __init__(self, claim: dict, own: dict):
        self.claim, self.own = claim, own

    def get(self, key, default=None):
        own = self.own
        if key in own:
            return own[key]
        return self.claim.get(key, default) if key in FIGURE_FIELDS else default

    def __getitem__(self, key):
        own = self.own
        if key in own:
            return own[key]
        if key in FIGURE_FIELDS:
            return self.claim[key]
        raise KeyError(key)

    def __contains__(self, key):
        return key in self.own or key in FIGURE_FIELDS

    def __iter__(self):
        yield from FIGURE_FIELDS
        yield from self.own

    def __len__(self):
        return len(FIGURE_FIELDS) + len(self.own)


FIGURE_FIELDS = frozenset(("jurisdiction_id", "document_id", "indicator_id", "comparator", "value", "value_max",
                           "denominator", "unit", "scope", "statement_vi", "statement_en", "quote", "locator",
                           "source_id", "note", "citation", "evidence"))


def _authority_order(source) -> int:
    return vocab.AUTHORITY.index(source["kind"]) if source and source["kind"] in vocab.AUTHORITY else len(vocab.AUTHORITY)
