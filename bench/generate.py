#!/usr/bin/env python3
"""Write a synthetic but valid data folder: N provinces x M targets, for benchmarking build.py.

    python bench/generate.py OUT --provinces 63 --targets 2000 [--observations 300] [--tasks 500]

The vocabulary files (pillars.yml, sectors.yml, indicators.yml and any other file of
the real data/ that is not a jurisdiction file or sources.yml) are copied from the
real data folder, so the generated rows use the real indicator catalogue. Everything
else is generated, deterministically (seeded by the sizes):

- one source text per province, `OUT/sources/seeds/gen_NNN.txt`, listed in the
  generated sources.yml with its sha256 and `covers`, plus a national text and a
  reference text;
- per province a file with its documents, priority sectors, M targets, observations
  and a task tree, every row quoting its own line of the province's text (some
  quotes skip text with ' … '), numbers written as the text would write them
  (6,5 for 6.5; 1.079 for 1079), `line N` locators on the line the quote starts,
  ids unique by document/indicator/year/scope, percentages in 0-100, years in
  2000-2050, valid comparators; a few targets have no number; every 50th target is
  also restated by the reference source (a second claim of the same figure, with its
  `line N` of the reference file and a citation), and one observation per province
  comes from the reference source alone;
- a national file (viet-nam.yml) with a few targets the provinces' can be compared with.

Source texts live inside the data folder (`sources/`, `file_name` relative to it),
where build.py looks for them by default.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import shutil
from datetime import date
from pathlib import Path

import yaml

from floor import fold  # bench/ is on sys.path when this runs as a script or from run.py and the tests

ROOT = Path(__file__).resolve().parent.parent
REAL_DATA = ROOT / "data"
VERSION = 1  # bump when the output changes, so cached folders are regenerated

NATIONAL = "viet-nam"
NATIONAL_DOC = "viet-nam-gen-qd"
REFERENCE = "ref-gen"
SYLLABLES = ["Đông", "Sơn", "Hà", "Bình", "Thủy", "Lạc", "Nguyên", "Quảng", "Đức", "Phú", "Yên", "Thanh", "Hòa",
             "Trà", "Vĩnh", "Kiên", "Đắk", "Long", "Điện", "Mỹ"]
DOC_TYPES = ["kế hoạch", "nghị quyết", "đề án", "chương trình hành động", "quyết định", "chỉ thị"]
FILLER = ["tạo nền móng chuyển đổi số", "phát triển chính quyền số", "phát triển kinh tế số", "phát triển xã hội số",
          "bảo đảm an toàn, an ninh mạng", "đào tạo nguồn nhân lực số", "đô thị thông minh", "hạ tầng số"]


# ---------------------------------------------------------------- vocabulary

def vocabulary_files(real: Path) -> list[Path]:
    """The real data folder's files that every jurisdiction shares (all but sources.yml and jurisdiction files)."""
    files = []
    for path in sorted(real.glob("*.yml")):
        if path.name == "sources.yml":
            continue
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        if isinstance(doc, dict) and "jurisdiction" not in doc:
            files.append(path)
    return files


def load_vocabulary(real: Path) -> tuple[list, list]:
    indicators = yaml.load((real / "indicators.yml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["indicators"]
    sectors = yaml.load((real / "sectors.yml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["sectors"]
    return indicators, sectors


def fingerprint(real: Path = REAL_DATA, **params) -> str:
    """Changes when the generator, the vocabulary it copies or the sizes change: the cache key."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in vocabulary_files(real):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(json.dumps(params, sort_keys=True).encode())
    return digest.hexdigest()[:12]


# ---------------------------------------------------------------- YAML writing

def scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def emit(out: list, record: dict, column: int, item: bool):
    """A mapping as a block, its keys at `column`; a list item's first key after '- '."""
    for number, (key, value) in enumerate(record.items()):
        lead = " " * (column - 2) + "- " if item and number == 0 else " " * column
        if isinstance(value, list) and value and isinstance(value[0], dict):
            out.append(f"{lead}{key}:")
            for child in value:
                emit(out, child, column + 4, True)
        else:
            out.append(f"{lead}{key}: {scalar(value)}")


def write_yaml(path: Path, sections: dict, comment: str):
    out = [f"# {comment}"]
    for key, value in sections.items():
        out.append(f"{key}:")
        if isinstance(value, dict):
            emit(out, value, 2, False)
        else:
            for item in value:
                emit(out, item, 2, True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- numbers as the texts write them

def written(value) -> str:
    """6.5 -> '6,5'; 1079 -> '1.079' (the rule build.py checks)."""
    whole = int(value)
    if value == whole:
        return f"{whole:,}".replace(",", ".")
    integer, fraction = repr(float(value)).split(".")
    return f"{int(integer):,}".replace(",", ".") + "," + fraction


def figure_value(rng: random.Random, unit: str, kind: str):
    """(comparator, value, value_max, denominator, words in the text)."""
    if unit == "qualitative":
        return None, None, None, None, "ở mức khá"
    if unit == "rank":
        value = rng.randint(1, 63)
        comparator = "<=" if kind == "target" else "="
        return comparator, value, None, 63, f"xếp thứ {written(value)}/63 tỉnh, thành phố"
    if unit == "%":
        if rng.random() < 0.1:
            low = rng.randint(1, 80)
            high = low + rng.randint(1, 20)
            return "=", low, high, None, f"từ {written(low)}-{written(high)}%"
        value = rng.randint(1, 100) if rng.random() < 0.7 else round(rng.uniform(0.1, 99.9), 1)
    elif unit == "% per year":
        value = round(rng.uniform(1, 20), 1)
    else:
        value = rng.randint(1, 20000) if rng.random() < 0.8 else round(rng.uniform(1, 50), 1)
    if isinstance(value, float) and value == int(value):
        value = int(value)
    comparator, words = rng.choice([(">=", "tối thiểu"), (">", "trên"), ("=", "đạt"), ("~", "khoảng")])
    suffix = "%" if unit.startswith("%") else f" {unit}"
    return comparator, value, None, None, f"{words} {written(value)}{suffix}"


# ---------------------------------------------------------------- one province

class Text:
    """A source text built line by line; each record's quote starts on its own line."""

    def __init__(self, title: str):
        self.lines = [title, ""]

    def add(self, line: str) -> str:
        self.lines.append(line)
        return f"line {len(self.lines)}"

    def content(self) -> str:
        return "\n".join(self.lines) + "\n"


def quote_of(rng: random.Random, head: str, middle: str, tail: str) -> tuple[str, str]:
    """(the line, the quote): the quote is the whole sentence or skips the middle with ' … '."""
    line = f"{head} {middle} {tail}".strip()
    if middle and rng.random() < 0.2:
        return line, f"{head} … {tail}"
    return line, line


def figure_combos(indicators: list, years: list) -> list:
    return [(i, scope, year) for i in indicators for scope in [None, *(i.get("scopes") or [])] for year in years]


def province(index: int, n_targets: int, n_observations: int, n_tasks: int, indicators, sectors, rng,
             reference: Text) -> tuple:
    number = index + 1
    jid = f"tinh-{number:03d}"
    name = f"{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)} {number}"
    source = f"gen-{number:03d}"
    text = Text(f"Chuyển đổi số tỉnh {name}: kế hoạch, mục tiêu và nhiệm vụ")
    jurisdiction = {
        "id": jid, "level": "province", "name_vi": f"Tỉnh {name}", "name_en": f"{fold(name)} Province",
        "gso_code": f"{number:02d}", "region_vi": "Vùng thử nghiệm", "region_en": "Test region",
        "capital_vi": f"Thành phố {name}", "capital_lat": round(rng.uniform(8.5, 23.5), 2),
        "capital_lon": round(rng.uniform(102.5, 109.5), 2), "lat": round(rng.uniform(8.5, 23.5), 4),
        "lon": round(rng.uniform(102.5, 109.5), 4), "reference_source": REFERENCE,
    }
    reorganisation = {
        "change": "unchanged", "successor": jid, "successor_name_vi": f"Tỉnh {name}", "successor_gso_code": f"{number:02d}",
        "legal_basis": "Nghị quyết 202/2025/QH15 của Quốc hội", "decided_date": date(2025, 6, 12),
        "effective_date": date(2025, 7, 1), "source": REFERENCE,
    }

    # documents: one per 1,000 targets (ids are unique per document, indicator, year and scope)
    documents = []
    for d in range(max(1, math.ceil(n_targets / 1000))):
        doc_number = f"{rng.randint(1, 199):02d}/{rng.choice(['KH-UBND', 'NQ-TU', 'QĐ-UBND'])}"
        issued = date(2020 + d % 5, rng.randint(1, 12), rng.randint(1, 28))
        line, quote = quote_of(rng, f"Văn bản số {doc_number}", f"ngày {issued.day}/{issued.month}/{issued.year}",
                               f"của tỉnh {name} về chuyển đổi số, phần {d + 1}")
        locator = text.add(line)
        link_line = f"Văn bản này triển khai Quyết định số 01/QĐ-TTg về chuyển đổi số quốc gia (phần {d + 1})."
        link_locator = text.add(link_line)
        documents.append({
            "id": f"{jid}-vb-{d + 1}", "number": doc_number, "type": DOC_TYPES[d % len(DOC_TYPES)],
            "programme": "cds-2021-2025",
            "title_vi": f"Về chuyển đổi số tỉnh {name}, phần {d + 1}", "title_en": f"On digital transformation, part {d + 1}",
            "label": f"{fold(name)} {doc_number} ({issued.year})", "issuing_body_vi": f"Ủy ban nhân dân tỉnh {name}",
            "issuing_body_en": "Provincial People's Committee", "issue_date": issued, "period_start": 2021,
            "period_end": 2025, "vision_year": 2030, "signer": None,
            "completeness": "full_text" if index % 2 else "excerpts", "source": source, "locator": locator,
            "quote": quote, "note": None,
            "links": [{"relation": "implements", "document": NATIONAL_DOC, "source": source, "quote": link_line,
                       "locator": link_locator}],
        })

    priority_sectors = []
    for s in rng.sample(sectors, min(len(sectors), 5)):
        line = f"Ưu tiên chuyển đổi số trong lĩnh vực {s['name_vi']}."
        priority_sectors.append({"document": documents[0]["id"], "sector": s["id"], "name_as_written": s["name_vi"],
                                 "locator": text.add(line), "quote": line})

    targets = []
    combos = figure_combos(indicators, [None, *range(2021, 2051)])
    rng.shuffle(combos)
    per_document = math.ceil(n_targets / len(documents))
    for k in range(n_targets):
        indicator, scope, year = combos[k % len(combos)]
        document = documents[k // per_document]["id"]
        targets.append(figure(rng, text, "target", indicator, scope, year, document, k))
    # every 50th target is also restated by the reference source: two claims of one figure
    targets += [restated(t, jid, reference) for t in targets[49::50]]

    observations = []
    combos = figure_combos(indicators, [None, *range(2015, 2025)])
    rng.shuffle(combos)
    for k in range(n_observations):
        indicator, scope, year = combos[k]
        record = figure(rng, text, "observation", indicator, scope, year, documents[0]["id"], k)
        if k == 0:  # a figure only the reference source gives
            record = restated(record, jid, reference)
            del record["document"]
        observations.append(record)

    tasks = task_tree(rng, text, documents[0]["id"], n_tasks, sectors)
    sections = {"jurisdiction": jurisdiction, "reorganisation": reorganisation, "documents": documents,
                "priority_sectors": priority_sectors, "targets": targets, "observations": observations, "tasks": tasks}
    source_record = {
        "id": source, "kind": "official_text" if index % 2 else "news_report",
        "title": f"Chuyển đổi số tỉnh {name}", "title_en": f"Digital transformation in {fold(name)}",
        "publisher": None, "author": None, "published": None, "file_name": f"seeds/gen_{number:03d}.txt",
        "sha256": None, "covers": [jid], "note": "Generated for the benchmark.",
    }
    return jid, sections, source_record, text


def figure(rng, text: Text, kind: str, indicator: dict, scope, year, document: str, k: int) -> dict:
    comparator, value, value_max, denominator, words = figure_value(rng, indicator["unit"], kind)
    when = f"Đến năm {year}," if year else "Hằng năm,"
    if kind == "observation":
        when = f"Năm {year}," if year else "Đến nay,"
    what = indicator["name_vi"][0].lower() + indicator["name_vi"][1:] + (f" ({scope})" if scope else "")
    line, quote = quote_of(rng, f"{when} {what}", f"theo mục tiêu {k + 1} của tỉnh", f"{words}.")
    record = {"document": document, "indicator": indicator["id"], "scope": scope,
              ("target_year" if kind == "target" else "year"): year}
    if kind == "target":
        record["frequency"] = None if year else "annual"
    record.update({
        "comparator": comparator, "value": value, "value_max": value_max, "denominator": denominator,
        "statement_vi": f"{when} {what} {words}.",
        "statement_en": f"{'By ' + str(year) if year else 'Every year'}, {indicator['name_en']} {written(value) if value is not None else 'improves'}.",
        "quote": quote, "locator": text.add(line), "note": None,
    })
    return record


def restated(record: dict, jid: str, reference: Text) -> dict:
    """The same figure as the reference source states it: its line of the reference file, no quote."""
    numbers = " ".join(written(record[k]) for k in ("value", "value_max", "denominator") if record[k] is not None)
    year = record.get("target_year", record.get("year"))
    locator = reference.add(f"- {jid}, {record['indicator']}, {year or 'no year'}, {record['scope'] or 'all'}: {numbers}")
    claim = {k: v for k, v in record.items() if k not in ("quote", "locator", "note")}
    return {**claim, "source": REFERENCE, "locator": locator, "citation": "Generated reference facts (no pages)."}


def task_tree(rng, text: Text, document: str, count: int, sectors: list) -> list:
    """Groups III.g, sub-groups III.g.s and bullets III.g.s-b, `count` tasks in all."""
    tree, made, g = [], 0, 0
    while made < count:
        g += 1
        group = {"document": document,
                 **task(text, f"III.{g}", f"Nhiệm vụ, giải pháp {FILLER[g % len(FILLER)]} (nhóm {g})", None)}
        tree.append(group)
        made += 1
        s = 0
        while made < count and s < 6:
            s += 1
            sub = task(text, f"III.{g}.{s}", f"Nhóm nhiệm vụ {g}.{s}: {FILLER[(g + s) % len(FILLER)]}",
                       rng.choice(sectors)["id"] if s % 3 == 0 else None)
            group.setdefault("tasks", []).append(sub)
            made += 1
            b = 0
            while made < count and b < 8:
                b += 1
                sub.setdefault("tasks", []).append(task(
                    text, f"III.{g}.{s}-{b}", f"Các cấp, các ngành tăng cường {FILLER[(g + s + b) % len(FILLER)]}, "
                    f"bảo đảm hoàn thành nhiệm vụ {g}.{s}.{b} đúng tiến độ", None))
                made += 1
    return tree


def task(text: Text, locator: str, title: str, sector) -> dict:
    text.add(f"{locator}. {title}.")
    record = {"locator": locator, "title_vi": title + ".", "title_en": f"Task {locator}.", "quote": title}
    if sector:
        record["sector"] = sector
    return record


# ---------------------------------------------------------------- the whole folder

def generate(out: Path, provinces: int, targets: int, observations: int | None = None, tasks: int | None = None,
             real: Path = REAL_DATA, seed: int = 1) -> dict:
    """Write the folder; return the counts. Observations and tasks default to 300 and 500 per
    province at 2,000 targets, in proportion below that."""
    if observations is None:
        observations = max(2, min(300, round(targets * 300 / 2000)))
    if tasks is None:
        tasks = max(3, min(500, round(targets * 500 / 2000)))
    rng = random.Random(f"vn-dx-plans bench {VERSION} {seed} {provinces}x{targets} {observations} {tasks}")
    indicators, sectors = load_vocabulary(real)
    if out.exists():
        shutil.rmtree(out)
    (out / "sources" / "seeds").mkdir(parents=True)
    (out / "sources" / "reference").mkdir(parents=True)
    (out / "jurisdictions").mkdir()
    for path in vocabulary_files(real):
        shutil.copyfile(path, out / path.name)

    sources, province_ids = [], []
    reference = Text("# Generated reference facts")
    for index in range(provinces):
        jid, sections, source, text = province(index, targets, observations, tasks, indicators, sectors, rng, reference)
        write_yaml(out / "jurisdictions" / f"{jid}.yml", sections, f"Generated by bench/generate.py ({provinces}x{targets}); do not edit.")
        raw = text.content().encode("utf-8")
        (out / "sources" / source["file_name"]).write_bytes(raw)
        source["sha256"] = hashlib.sha256(raw).hexdigest()
        sources.append(source)
        province_ids.append(jid)

    national_source, national_file = national(rng, indicators)
    raw = national_file["text"].content().encode("utf-8")
    (out / "sources" / national_source["file_name"]).write_bytes(raw)
    national_source["sha256"] = hashlib.sha256(raw).hexdigest()
    sources.append(national_source)
    write_yaml(out / "jurisdictions" / f"{NATIONAL}.yml", national_file["sections"], "Generated by bench/generate.py; do not edit.")

    raw = reference.content().encode("utf-8")
    (out / "sources" / "reference" / "generated.md").write_bytes(raw)
    sources.append({"id": REFERENCE, "kind": "reference", "title": "Generated reference facts",
                    "file_name": "reference/generated.md", "sha256": hashlib.sha256(raw).hexdigest(),
                    "citation": "Generated for the benchmark.", "covers": province_ids or [NATIONAL]})
    write_yaml(out / "sources.yml", {"sources": sources}, "Generated by bench/generate.py; file_name is relative to sources/.")
    return {"provinces": provinces, "targets": provinces * targets, "observations": provinces * observations,
            "tasks": provinces * tasks}


def national(rng, indicators) -> tuple[dict, dict]:
    text = Text("Chương trình chuyển đổi số quốc gia (văn bản thử nghiệm)")
    doc_line = "Quyết định số 01/QĐ-TTg ngày 3/6/2020 của Thủ tướng Chính phủ phê duyệt Chương trình chuyển đổi số quốc gia"
    document = {"id": NATIONAL_DOC, "number": "01/QĐ-TTg", "type": "quyết định", "programme": "cds-2021-2025",
                "title_vi": "Phê duyệt Chương trình chuyển đổi số quốc gia", "title_en": "National programme",
                "label": "National programme 01/QĐ-TTg (2020)", "issuing_body_vi": "Thủ tướng Chính phủ",
                "issuing_body_en": "Prime Minister", "issue_date": date(2020, 6, 3), "period_end": 2025,
                "vision_year": 2030, "completeness": "excerpts", "source": "gen-national", "locator": text.add(doc_line), "quote": doc_line}
    targets = []
    for k, (indicator, scope, year) in enumerate(figure_combos(indicators[:20], [2025, 2030])):
        targets.append(figure(rng, text, "target", indicator, scope, year, NATIONAL_DOC, k))
    sections = {"jurisdiction": {"id": NATIONAL, "level": "country", "name_vi": "Việt Nam", "name_en": "Vietnam"},
                "documents": [document], "targets": targets}
    source = {"id": "gen-national", "kind": "official_text", "title": "Chương trình chuyển đổi số quốc gia",
              "file_name": "seeds/gen_national.txt", "sha256": None, "covers": [NATIONAL],
              "note": "Generated for the benchmark."}
    return source, {"sections": sections, "text": text}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write (replaced if it exists)")
    parser.add_argument("--provinces", type=int, default=63)
    parser.add_argument("--targets", type=int, default=2000, help="targets per province")
    parser.add_argument("--observations", type=int, help="per province (default: 300 at 2,000 targets, in proportion)")
    parser.add_argument("--tasks", type=int, help="per province (default: 500 at 2,000 targets, in proportion)")
    parser.add_argument("--real-data", type=Path, default=REAL_DATA, help="where the vocabulary files come from")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    counts = generate(args.out, args.provinces, args.targets, args.observations, args.tasks, args.real_data, args.seed)
    print(f"wrote {args.out}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
