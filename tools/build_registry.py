"""Build the package's national unit registry (``cchc_analysis/data/units.csv`` and ``successions.csv``).

Run by ``make registry``; needs pip and the package registry, nothing else (standard library only). It downloads
two pinned wheels and reads their data files without installing them:

- ``vietnamadminunits`` (source: the General Statistics Office's danhmuchanhchinh.gso.gov.vn and the mapping
  site sapnhap.bando.com.vn): the 3,321 units of the 34 provinces since 1 July 2025, the 10,040 units of the 63
  provinces before it (with their districts), and which old units went (wholly or in part) into which new one.
  It is the primary source.
- ``vietnam-provinces``: the same 3,321 units, from the Government's *draft* decision on unit codes. Used only to
  cross-check codes and names: every disagreement is written to ``docs/registry-crosscheck.md``.

The successions of a checked sample (``tools/registry_checked.csv``: what the Standing Committee resolutions say
for the units the project has read them for) override the package's rows for those predecessors; where they
differ, the cross-check file says so. A commune divided between several successors gets one row per successor
with an empty share: no source states the shares.

Usage: ``python tools/build_registry.py [--wheels DIR]`` (DIR: where the wheels are, or are downloaded to).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "cchc_analysis" / "data"
CHECKED = ROOT / "tools" / "registry_checked.csv"
CROSSCHECK = ROOT / "docs" / "registry-crosscheck.md"
PRIMARY = ("vietnamadminunits", "1.0.4")
SECONDARY = ("vietnam-provinces", "2025.10.1")
# the wheels' SHA-256, checked before their data is read: a changed upload is refused, not built from
SHA256 = {
    "vietnamadminunits": "737ee3662e877290386c1c45ed4d71f2e5fae34ab6fb9c64bfb4cb74b216ea35",
    "vietnam-provinces": "1693dece496b1e04e2b637a3dd79a87a22666e13c91c51cf06dc27e482987f57",
}
MERGER_DAY = "2025-07-01"
LAST_OLD_DAY = "2025-06-30"
UNIT_COLUMNS = ("unit_id", "code", "name", "type", "group", "province", "valid_from", "valid_to", "notes")
SUCCESSION_COLUMNS = ("predecessor_id", "successor_id", "share", "notes")
DIVIDED_NOTE = "Chia cho {n} đơn vị; tỷ lệ chưa được công bố"
# an island district with no commune below it: itself the unit at commune level until 2025
DISTRICT_ONLY_NOTE = "Huyện không có đơn vị hành chính cấp xã"


def new_unit_id(province_code: str, ward_code: str) -> str:
    """Ids of units since 1 July 2025. New units reuse a predecessor's code, often in the same province code
    (Hà Nội stays 01): without the "2025-" their id would equal the old unit's."""
    return f"2025-{province_code}-{ward_code}"


def old_unit_id(province_code: str, ward_code: str) -> str:
    return f"{province_code}-{ward_code}"


def nfc(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def fetch(wheels: Path) -> dict[str, Path]:
    """The two wheels, downloaded into ``wheels`` unless already there."""
    found = {}
    for name, version in (PRIMARY, SECONDARY):
        stem = name.replace("-", "_")
        matches = sorted(wheels.glob(f"{stem}-{version}-*.whl"))
        if not matches:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--no-deps",
                    "-d",
                    str(wheels),
                    f"{name}=={version}",
                ],
                check=True,
            )
            matches = sorted(wheels.glob(f"{stem}-{version}-*.whl"))
        digest = hashlib.sha256(matches[0].read_bytes()).hexdigest()
        if digest != SHA256[name]:
            raise SystemExit(f"{matches[0]}: SHA-256 {digest} is not the pinned {SHA256[name]}; check the release.")
        found[name] = matches[0]
    return found


def read_primary(wheel: Path, tmp: Path) -> tuple[list[dict], list[dict], dict]:
    with zipfile.ZipFile(wheel) as zf:
        db_path = tmp / "dataset.db"
        db_path.write_bytes(zf.read("vietnamadminunits/data/dataset.db"))
        converter = json.loads(zf.read("vietnamadminunits/data/converter_2025.json"))
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    new = [dict(r) for r in db.execute("SELECT * FROM admin_units ORDER BY provinceCode, wardCode")]
    old = [
        dict(r) for r in db.execute("SELECT * FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode")
    ]
    db.close()
    return new, old, converter


def read_secondary(wheel: Path) -> list[dict]:
    with zipfile.ZipFile(wheel) as zf:
        provinces = json.loads(zf.read("vietnam_provinces/data/nested-divisions.json"))
    return [
        {"province_code": f"{p['code']:02d}", "province": p["name"], "code": f"{w['code']:05d}", "name": w["name"]}
        for p in provinces
        for w in p["wards"]
    ]


def build(new: list[dict], old: list[dict], converter: dict) -> tuple[list[dict], list[dict], dict[str, str]]:
    """Units and successions from the primary source; also the old units' converter keys -> ids."""
    units = []
    new_by_key: dict[tuple[str, str], str] = {}
    for r in new:
        uid = new_unit_id(r["provinceCode"], r["wardCode"])
        new_by_key[(r["provinceKey"], r["wardKey"])] = uid
        units.append(
            {
                "unit_id": uid,
                "code": r["wardCode"],
                "name": nfc(r["wardShort"]),
                "type": nfc(r["wardType"]).lower(),
                "group": nfc(r["province"]),
                "province": nfc(r["province"]),
                "valid_from": MERGER_DAY,
                "valid_to": "",
                "notes": "",
            }
        )
    old_by_key: dict[str, str] = {}
    for r in old:
        if r["wardCode"] is None:  # island district without communes
            uid, code, name, utype, notes = (
                old_unit_id(r["provinceCode"], r["districtCode"]),
                r["districtCode"],
                r["districtShort"],
                "huyện",
                DISTRICT_ONLY_NOTE,
            )
            key = f"{r['provinceKey']}_{r['districtKey']}_"
        else:
            uid, code, name, utype, notes = (
                old_unit_id(r["provinceCode"], r["wardCode"]),
                r["wardCode"],
                r["wardShort"],
                nfc(r["wardType"]).lower(),
                "",
            )
            key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}"
        old_by_key[key] = uid
        units.append(
            {
                "unit_id": uid,
                "code": code,
                "name": nfc(name),
                "type": utype,
                "group": nfc(r["district"]),
                "province": nfc(r["province"]),
                "valid_from": "",
                "valid_to": LAST_OLD_DAY,
                "notes": notes,
            }
        )
    successions = []
    for province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, olds in wards.items():
            for old_key in olds:
                successions.append(
                    {
                        "predecessor_id": old_by_key[old_key],
                        "successor_id": new_by_key[(province_key, ward_key)],
                        "share": "1",
                        "notes": "",
                    }
                )
    for province_key, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in divided.items():
            for part in parts:
                successions.append(
                    {
                        "predecessor_id": old_by_key[old_key],
                        "successor_id": new_by_key[(province_key, part["newWardKey"])],
                        "share": "",
                        "notes": DIVIDED_NOTE.format(n=len(parts)),
                    }
                )
    return units, successions, old_by_key


def apply_checked(successions: list[dict], checked: list[dict]) -> tuple[list[dict], list[str]]:
    """Replace the package's rows for every predecessor of the checked sample; list where they differed."""
    by_pred: dict[str, list[dict]] = {}
    for row in checked:
        by_pred.setdefault(row["predecessor_id"], []).append(row)
    notes = []
    for pred, rows in sorted(by_pred.items()):
        package = sorted((s["successor_id"], s["share"]) for s in successions if s["predecessor_id"] == pred)
        ours = sorted((r["successor_id"], r["share"]) for r in rows)
        if package != ours:
            notes.append(f"| {pred} | {_pairs(package)} | {_pairs(ours)} | {rows[0]['source']} |")
    kept = [s for s in successions if s["predecessor_id"] not in by_pred]
    kept += [{k: r[k] for k in SUCCESSION_COLUMNS} for rows in by_pred.values() for r in rows]
    return kept, notes


def _pairs(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{sid} ({share or 'chưa rõ'})" for sid, share in pairs) or "—"


def crosscheck(units: list[dict], secondary: list[dict]) -> tuple[list[str], list[str]]:
    """Codes and names of the post-2025 units where the two packages disagree."""
    ours = {(u["unit_id"].split("-")[1], _key(u["type"] + " " + u["name"])): u for u in units if u["valid_from"]}
    theirs = {(s["province_code"], _key(s["name"])): s for s in secondary}
    code_rows, name_rows = [], []
    for key in sorted(set(ours) & set(theirs)):
        u, s = ours[key], theirs[key]
        if u["code"] != s["code"]:
            code_rows.append(f"| {u['province']} | {u['type'].capitalize()} {u['name']} | {u['code']} | {s['code']} |")
        if nfc(s["name"]) != f"{u['type'].capitalize()} {u['name']}":
            name_rows.append(f"| {u['unit_id']} | {u['type'].capitalize()} {u['name']} | {s['name']!r} |")
    for key in sorted(set(ours) ^ set(theirs)):
        side = "chỉ vietnamadminunits" if key in ours else "chỉ vietnam-provinces"
        name_rows.append(f"| {side} | {key[1]} | province {key[0]} |")
    return code_rows, name_rows


def _key(text: str) -> str:
    """Spelling-insensitive key: "Thuỷ"/"Thủy", double spaces and dash kinds compare equal."""
    text = unicodedata.normalize("NFD", text.lower().replace("–", "-"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").replace("đ", "d")
    return " ".join(text.replace("-", " ").split())


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, default=None, help="folder holding (or receiving) the two wheels")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        wheels = fetch(args.wheels or tmp)
        new, old, converter = read_primary(wheels[PRIMARY[0]], tmp)
        secondary = read_secondary(wheels[SECONDARY[0]])
    units, successions, _keys = build(new, old, converter)
    checked = list(csv.DictReader(CHECKED.open(encoding="utf-8")))
    successions, checked_notes = apply_checked(successions, checked)
    successions.sort(key=lambda s: (s["predecessor_id"], s["successor_id"]))
    code_rows, name_rows = crosscheck(units, secondary)
    write_csv(DATA / "units.csv", UNIT_COLUMNS, units)
    write_csv(DATA / "successions.csv", SUCCESSION_COLUMNS, successions)
    post = [u for u in units if u["valid_from"]]
    counts = Counter(u["type"] for u in post)
    provinces = {u["province"] for u in post}
    divided = len({s["predecessor_id"] for s in successions if not s["share"]})
    lines = [
        "# National registry: sources and where they disagree",
        "",
        "Generated by `make registry` (tools/build_registry.py); do not edit by hand.",
        "",
        f"- Primary source: `{PRIMARY[0]}` {PRIMARY[1]} (GSO danhmuchanhchinh.gso.gov.vn, sapnhap.bando.com.vn).",
        f"- Cross-check: `{SECONDARY[0]}` {SECONDARY[1]} (the Government's draft decision on unit codes).",
        f"- Since {MERGER_DAY}: {len(provinces)} provinces, {len(post):,} units ("
        + ", ".join(f"{n:,} {t}" for t, n in sorted(counts.items()))
        + ").",
        f"- Until {LAST_OLD_DAY}: {len(units) - len(post):,} units (communes, wards, towns and "
        f"{sum(1 for u in units if u['type'] == 'huyện')} island districts without communes).",
        f"- {len(successions):,} succession rows; {divided:,} old units divided between several successors "
        "(shares left unknown: no source states them).",
        "",
        "## Checked against the resolutions (tools/registry_checked.csv)",
        "",
        "Where the checked sample and the primary source disagree, the sample wins.",
        "",
        "| Old unit | Primary source | Checked sample | Source |",
        "|---|---|---|---|",
        *(checked_notes or ["| — | — | — | no disagreement |"]),
        "",
        f"## Codes that differ ({len(code_rows)} units; the primary source's code is used)",
        "",
        "| Province | Unit | vietnamadminunits | vietnam-provinces |",
        "|---|---|---|---|",
        *code_rows,
        "",
        f"## Names spelled differently ({len(name_rows)}; the primary source's spelling is used)",
        "",
        "| Unit | vietnamadminunits | vietnam-provinces |",
        "|---|---|---|",
        *name_rows,
        "",
    ]
    CROSSCHECK.write_text("\n".join(lines), encoding="utf-8")
    print(
        f"units.csv: {len(units):,} units ({len(post):,} since {MERGER_DAY} in {len(provinces)} provinces); "
        f"successions.csv: {len(successions):,} rows; {len(code_rows)} code and {len(name_rows)} name "
        f"disagreements, {len(checked_notes)} overridden by the checked sample -> {CROSSCHECK.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
