"""Write or refresh the jurisdiction facts of data/jurisdictions/*.yml from a maintained source.

    python -m tools.jurisdictions [--data DATA_DIR] [--check]

The source is the `vietnamadminunits` package (pinned in requirements.lock): its data/dataset.db lists the
63 provinces before 1 July 2025 (table admin_units_legacy) and the 34 from that date (admin_units) with
names, GSO codes and a representative point (provinceLat, provinceLon); its data/converter_2025.json
(DICT_PROVINCE) maps each of the 34 to the provinces it was formed from. The six socio-economic regions
(Nghị quyết 81/2023/QH15) are listed below. data/sources/reference/jurisdictions.md says all this.

For each of the 63 provinces it writes the `jurisdiction:` and `reorganisation:` blocks of <id>.yml (the
rest of the file is left as it is, comments included); for each of the 23 units formed by merging it
writes <slug>-2025.yml (its `jurisdiction:` block); the 11 provinces left unchanged are their own
successors. It keeps what the package does not know and a person wrote: capital_vi, capital_lat,
capital_lon, administrative_centre_vi and a reorganisation note. It also widens the `covers` lists of
ref-jurisdictions and ref-reorganisation-2025 in sources.yml to every jurisdiction citing them.
--check writes nothing and exits 1 when any file would change.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pipeline.text import slug  # noqa: E402
from schema.vocab import MERGED_UNTIL, REORGANISED_ON  # noqa: E402

PACKAGE = "vietnamadminunits"
LEGAL_BASIS = "Nghị quyết 202/2025/QH15 của Quốc hội"
DECIDED = "2025-06-12"
JURISDICTIONS_SOURCE = "ref-jurisdictions"
REORGANISATION_SOURCE = "ref-reorganisation-2025"
SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/jurisdiction.schema.json"

# The six socio-economic regions of Nghị quyết 81/2023/QH15 (national master plan 2021–2030), by the
# pre-2025 province ids (data/sources/reference/jurisdictions.md cites the pages that list them).
REGIONS = {
    ("Trung du và miền núi phía Bắc", "Northern Midlands and Mountains"):
        "ha-giang cao-bang lang-son bac-giang phu-tho thai-nguyen bac-kan tuyen-quang lao-cai yen-bai lai-chau "
        "son-la dien-bien hoa-binh",
    ("Đồng bằng sông Hồng", "Red River Delta"):
        "ha-noi hai-phong hai-duong hung-yen vinh-phuc bac-ninh thai-binh nam-dinh ha-nam ninh-binh quang-ninh",
    ("Bắc Trung Bộ và duyên hải miền Trung", "North Central and Central Coast"):
        "thanh-hoa nghe-an ha-tinh quang-binh quang-tri hue da-nang quang-nam quang-ngai binh-dinh phu-yen "
        "khanh-hoa ninh-thuan binh-thuan",
    ("Tây Nguyên", "Central Highlands"): "kon-tum gia-lai dak-lak dak-nong lam-dong",
    ("Đông Nam Bộ", "Southeast"): "ho-chi-minh dong-nai ba-ria-vung-tau binh-duong binh-phuoc tay-ninh",
    ("Đồng bằng sông Cửu Long", "Mekong River Delta"):
        "can-tho long-an tien-giang ben-tre tra-vinh vinh-long an-giang dong-thap kien-giang hau-giang "
        "soc-trang bac-lieu ca-mau",
}
REGION_OF = {pid: region for region, ids in REGIONS.items() for pid in ids.split()}


@dataclass
class Unit:
    key: str  # the package's provinceKey
    name: str  # e.g. 'Tỉnh Quảng Trị'
    short: str  # e.g. 'Quảng Trị'
    code: str
    lat: float
    lon: float
    id: str = ""
    predecessors: list = field(default_factory=list)  # for the 34: the legacy Units it was formed from

    @property
    def name_en(self) -> str:
        return f"{self.short} {'City' if self.name.startswith('Thành phố') else 'Province'}"


@dataclass
class Reorganisation:
    legacy: dict  # id -> Unit: the 63
    new: dict  # id -> Unit: the 34 (the 11 unchanged under their own ids)
    successor: dict  # legacy id -> new Unit


def package_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)  # locates it without importing it (and its heavy imports)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"the {PACKAGE} package is not installed: pip install -r requirements.lock")
    return Path(spec.submodule_search_locations[0])


def load(package: Path | None = None) -> Reorganisation:
    package = package or package_dir()
    conn = sqlite3.connect(f"file:{package / 'data' / 'dataset.db'}?mode=ro", uri=True)
    try:
        columns = "province, provinceShort, provinceCode, provinceLat, provinceLon, provinceKey"
        legacy_rows = conn.execute(f"SELECT DISTINCT {columns} FROM admin_units_legacy").fetchall()
        new_rows = conn.execute(f"SELECT DISTINCT {columns} FROM admin_units").fetchall()
    finally:
        conn.close()
    converter = json.loads((package / "data" / "converter_2025.json").read_text(encoding="utf-8"))["DICT_PROVINCE"]

    def unit(row) -> Unit:
        name, short, code, lat, lon, key = row
        return Unit(key, name, short, code, round(lat, 4), round(lon, 4))

    by_key = {row[5]: unit(row) for row in legacy_rows}
    for u in by_key.values():
        u.id = slug(u.short)
    new_by_key = {row[5]: unit(row) for row in new_rows}
    if len(by_key) != 63 or len(new_by_key) != 34 or set(converter) != set(new_by_key):
        sys.exit(f"{PACKAGE}: expected 63 and 34 provinces, found {len(by_key)} and {len(new_by_key)}")
    successor = {}
    for key, olds in converter.items():
        u = new_by_key[key]
        u.predecessors = sorted((by_key[o] for o in olds), key=lambda p: p.code)
        u.id = u.predecessors[0].id if len(olds) == 1 else f"{slug(u.short)}-2025"
        for p in u.predecessors:
            successor[p.id] = u
    if set(successor) != {u.id for u in by_key.values()}:
        sys.exit(f"{PACKAGE}: DICT_PROVINCE does not map every one of the 63 provinces once")
    return Reorganisation({u.id: u for u in by_key.values()}, {u.id: u for u in new_by_key.values()}, successor)


# --- YAML text ---------------------------------------------------------------------------------------------

def scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    plain = (text and not re.search(r": |\s#|^[\s\-?:,\[\]{}#&*!|>'\"%@`]|\s$", text)
             and yaml.safe_load(text) == text)
    return text if plain else json.dumps(text, ensure_ascii=False)


def block(name: str, fields: dict) -> list[str]:
    return [f"{name}:"] + [f"  {k}: " + (f'"{v}"' if k.endswith("gso_code") and v else scalar(v))
                           for k, v in fields.items()]


def block_span(lines: list[str], name: str) -> tuple[int, int] | None:
    """[start, end) of the top-level `name:` mapping: its key line and its indented lines (the blank lines and
    column-0 comments after it belong to what follows)."""
    for start, line in enumerate(lines):
        if line.rstrip() == f"{name}:":
            end = start + 1
            while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
                end += 1
            while end > start + 1 and not lines[end - 1].strip():
                end -= 1
            return start, end
    return None


def replace_blocks(text: str, blocks: dict[str, list[str]]) -> str:
    """The text with each named top-level block replaced (or, when missing, added after the previous one)."""
    lines = text.split("\n")
    after = None
    for name, new in blocks.items():
        span = block_span(lines, name)
        if span is None:
            at = (block_span(lines, after)[1] if after else len(lines))
            lines[at:at] = ["", *new]
        else:
            lines[span[0]:span[1]] = new
        after = name
    return "\n".join(lines)


def existing(text: str, name: str) -> dict:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return {}
    value = data.get(name) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def kept(old: dict, key: str, default=None):
    """A fact a person wrote (the package does not know it): kept when the file gives it."""
    value = old.get(key)
    return default if value is None else (value.isoformat() if hasattr(value, "isoformat") else value)


# --- the blocks --------------------------------------------------------------------------------------------

def change_of(p: Unit, new: Unit) -> str:
    if len(new.predecessors) == 1:
        return "unchanged"
    return "absorbed_other" if new.short == p.short else "merged"


def legacy_blocks(p: Unit, r: Reorganisation, old_j: dict, old_r: dict) -> dict[str, list[str]]:
    new = r.successor[p.id]
    change = change_of(p, new)
    region_vi, region_en = REGION_OF[p.id]
    others = [o for o in new.predecessors if o.id != p.id]
    if change == "unchanged":
        note = f"{p.short} was not merged with another province. District-level units were abolished on 01/07/2025."
    elif change == "absorbed_other":
        note = (f"{', '.join(o.short for o in others)} merged into {new.name}, which keeps {p.short}'s name; "
                f"code {new.code} ({PACKAGE}). District-level units were abolished on 01/07/2025.")
    else:
        note = (f"{p.short} merged with {', '.join(o.short for o in others)} into {new.name} (code {new.code}, "
                f"{PACKAGE}). District-level units were abolished on 01/07/2025.")
    jurisdiction = {
        "id": p.id, "level": "province", "name_vi": p.name, "name_en": p.name_en, "gso_code": p.code,
        "region_vi": region_vi, "region_en": region_en,
        "capital_vi": kept(old_j, "capital_vi"), "capital_lat": kept(old_j, "capital_lat"),
        "capital_lon": kept(old_j, "capital_lon"),
        "lat": p.lat, "lon": p.lon, "valid_from": None, "valid_to": None if change == "unchanged" else MERGED_UNTIL,
        "reference_source": JURISDICTIONS_SOURCE,
    }
    reorganisation = {
        "change": change, "successor": new.id, "successor_name_vi": new.name, "successor_gso_code": new.code,
        "other_party_vi": "; ".join(f"{o.name} (mã {o.code})" for o in others) or None,
        "administrative_centre_vi": kept(old_r, "administrative_centre_vi"),
        "legal_basis": LEGAL_BASIS, "decided_date": DECIDED, "effective_date": REORGANISED_ON,
        "note": kept(old_r, "note", note), "source": REORGANISATION_SOURCE,
    }
    return {"jurisdiction": block("jurisdiction", jurisdiction),
            "reorganisation": block("reorganisation", reorganisation)}


def new_unit_region(u: Unit) -> tuple:
    regions = {REGION_OF[p.id] for p in u.predecessors}
    return regions.pop() if len(regions) == 1 else (None, None)


def new_unit_blocks(u: Unit, old_j: dict) -> dict[str, list[str]]:
    region_vi, region_en = new_unit_region(u)
    return {"jurisdiction": block("jurisdiction", {
        "id": u.id, "level": "province", "name_vi": u.name, "name_en": u.name_en, "gso_code": u.code,
        "region_vi": region_vi, "region_en": region_en,
        "capital_vi": kept(old_j, "capital_vi"), "capital_lat": kept(old_j, "capital_lat"),
        "capital_lon": kept(old_j, "capital_lon"),
        "lat": u.lat, "lon": u.lon, "valid_from": REORGANISED_ON, "valid_to": None,
        "reference_source": JURISDICTIONS_SOURCE,
    })}


def new_unit_header(u: Unit) -> str:
    names = [f"{p.short} ({p.id})" for p in u.predecessors]
    names = ", ".join(names[:-1]) + " and " + names[-1]
    return (f"{SCHEMA_LINE}\n"
            f"# {u.name} as formed on 1 July 2025 (Nghị quyết 202/2025/QH15),\n# from {names}.\n"
            f"# Facts about the provinces before the merger stay on them; facts about this unit (e.g. its DTI 2024\n"
            f"# rank, ranked among the 34) go here. The jurisdiction block is written by tools/jurisdictions.py\n"
            f"# from the {PACKAGE} package; the crosswalk (jurisdiction_crosswalk) comes from the predecessors'\n"
            f"# reorganisation blocks.\n")


def widen_covers(text: str, source_id: str, ids: list[str]) -> str:
    """sources.yml with the `covers` list of source_id holding ids too (its order kept, new ids appended)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.strip() == f"- id: {source_id}":
            for j in range(i + 1, len(lines)):
                if lines[j].startswith("- "):
                    break
                m = re.fullmatch(r"(\s+covers: )\[(.*)\]\s*", lines[j])
                if m:
                    have = [x.strip() for x in m.group(2).split(",") if x.strip()]
                    lines[j] = m.group(1) + "[" + ", ".join(have + [x for x in ids if x not in have]) + "]"
                    return "\n".join(lines)
    raise SystemExit(f"sources.yml: no one-line `covers: [...]` for {source_id}")


def plan(data: Path, r: Reorganisation) -> dict[Path, str]:
    """Every file's new text (only those that change, or are new)."""
    folder = data / "jurisdictions"
    out = {}
    for p in r.legacy.values():
        path = folder / f"{p.id}.yml"
        if not path.exists():
            continue  # a province nobody has started: its file is written by whoever researches it
        text = path.read_text(encoding="utf-8")
        out[path] = replace_blocks(text, legacy_blocks(p, r, existing(text, "jurisdiction"),
                                                       existing(text, "reorganisation")))
    for u in r.new.values():
        if len(u.predecessors) == 1:
            continue  # unchanged: the province is its own successor
        path = folder / f"{u.id}.yml"
        if path.exists():
            text = path.read_text(encoding="utf-8")
            out[path] = replace_blocks(text, new_unit_blocks(u, existing(text, "jurisdiction")))
        else:
            out[path] = new_unit_header(u) + "\n" + "\n".join(new_unit_blocks(u, {})["jurisdiction"]) + "\n"
    citing = {src: [] for src in (JURISDICTIONS_SOURCE, REORGANISATION_SOURCE)}
    for path in sorted(set(folder.glob("*.yml")) | set(out), key=lambda p: p.stem):
        text = out.get(path) or path.read_text(encoding="utf-8")
        if existing(text, "jurisdiction").get("reference_source") == JURISDICTIONS_SOURCE:
            citing[JURISDICTIONS_SOURCE].append(path.stem)
        if existing(text, "reorganisation").get("source") == REORGANISATION_SOURCE:
            citing[REORGANISATION_SOURCE].append(path.stem)
    sources = data / "sources.yml"
    text = sources.read_text(encoding="utf-8")
    for source_id, ids in citing.items():
        text = widen_covers(text, source_id, ids)
    out[sources] = text
    return {path: text for path, text in out.items()
            if not path.exists() or path.read_text(encoding="utf-8") != text}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if any file would change")
    args = parser.parse_args(argv)
    changes = plan(args.data, load())
    for path, text in sorted(changes.items()):
        print(f"{'would write' if args.check else 'writing'} {path}")
        if not args.check:
            path.write_text(text, encoding="utf-8")
    return 1 if args.check and changes else 0


if __name__ == "__main__":
    sys.exit(main())
