"""Build the project's unit registry files from the official lists in shared/data/.

Run when the official lists change:
    python -m etl registry ../shared/data              # Hải Phòng: data/units.csv, data/unit_lineage.csv
    python -m etl registry ../shared/data --national   # 34 provinces: data/national/
`etl init` (or `etl init --registry national`) then loads them.

A unit is its code plus its validity: old and new units share one code space (new 10543 Việt Hòa,
old 10543 Phường Việt Hoà), so an old unit's id is its official code followed by the last day it
existed ("10543@2025-06-30"); a current unit's id is its official code. The lineage file says
which old units (id) each current unit was formed from, with the share `full` or `partial`.
"""
import csv
import unicodedata
from collections import defaultdict
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
NATIONAL_DIR = DATA_DIR / "national"
PROVINCE_CODE = "31"                    # Hải Phòng, the city this product serves first
VALID_FROM = "2025-07-01"               # the 2025 reorganisation
OLD_VALID_TO = "2025-06-30"
OLD_ID_SUFFIX = "@" + OLD_VALID_TO
TYPE_CODES = {"Phường": "phuong", "Xã": "xa", "Thị trấn": "thi_tran", "Huyện": "huyen",
              "Đặc khu": "dac_khu"}

UNIT_COLUMNS = ["code", "official_code", "name", "unit_type", "type_label", "level",
                "province_code", "valid_from", "valid_to", "former_district", "former_province",
                "source_note"]
LINEAGE_COLUMNS = ["new_code", "old_code", "share"]
PROVINCE_COLUMNS = ["code", "name", "valid_from", "valid_to"]

NEEDED_FILES = ("vn_units_2025.csv", "vn_lineage_2025.csv", "vn_provinces_2025.csv")


def old_unit_id(official_code: str) -> str:
    return official_code + OLD_ID_SUFFIX


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", (text or "").strip())


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return [{k: _nfc(v) for k, v in r.items()} for r in csv.DictReader(f)]


def _old_province_names(provinces: list[dict]) -> dict[str, str]:
    """Old province code → its full name ('30' → 'Tỉnh Hải Dương'), from the predecessors column
    ('30 Tỉnh Hải Dương; 31 Thành phố Hải Phòng')."""
    names = {}
    for p in provinces:
        for entry in p["predecessors"].split(";"):
            code, _, name = entry.strip().partition(" ")
            names[code] = name
    return names


def _old_units(lineage: list[dict], province_of: dict, old_province: dict) -> tuple[dict, list]:
    """The units before the merger (id CODE@2025-06-30) and the lineage rows to today's units."""
    olds: dict[str, dict] = {}
    shares = defaultdict(set)
    rows = []
    for r in lineage:
        oid = old_unit_id(r["old_code"])
        shares[oid].add(r["share"])
        if r["share"] not in ("full", "partial"):
            raise ValueError(f"share {r['share']!r}")
        olds.setdefault(oid, {
            "code": oid, "official_code": r["old_code"], "name": r["old_name"],
            "unit_type": TYPE_CODES[r["old_type_label"]], "type_label": r["old_type_label"],
            "level": r["old_level"],
            # The province it belongs to today, so the province filter finds its history.
            "province_code": province_of[r["new_code"]], "valid_from": "", "valid_to": OLD_VALID_TO,
            "former_district": r["old_district_name"],
            "former_province": old_province.get(r["old_province_code"], r["old_province_name"]),
            "source_note": "vn_lineage_2025.csv"})
        rows.append({"new_code": r["new_code"], "old_code": oid, "share": r["share"]})
    if any(len(s) > 1 for s in shares.values()):
        raise ValueError("an old unit both full and partial")
    return olds, rows


def build(shared_dir: Path, out_dir: Path = DATA_DIR, national: bool = False) -> dict[str, int]:
    """Write units.csv, unit_lineage.csv (and provinces.csv) into out_dir. Everything is read and
    checked before anything is written, so a bad list leaves out_dir as it was.
    Returns the counts written (current units, old units, lineage rows, provinces)."""
    new_units = _read(shared_dir / "vn_units_2025.csv")
    lineage = _read(shared_dir / "vn_lineage_2025.csv")
    provinces = _read(shared_dir / "vn_provinces_2025.csv")
    if not national:
        new_units = [u for u in new_units if u["province_code"] == PROVINCE_CODE]
        provinces = [p for p in provinces if p["code"] == PROVINCE_CODE]
    # Hải Phòng's compiled list adds the old district(s) and how well its sources agree.
    extra = {}
    local = shared_dir / "haiphong_units_2025.csv"
    if local.is_file():
        extra = {r["code"]: r for r in _read(local)}
    province_of = {u["code"]: u["province_code"] for u in new_units}
    lineage = [r for r in lineage if r["new_code"] in province_of]
    if not new_units or not lineage:
        raise ValueError("empty registry")
    old_province = _old_province_names(_read(shared_dir / "vn_provinces_2025.csv"))

    units = [{"code": u["code"], "official_code": u["code"], "name": u["name"],
              "unit_type": u["type"], "type_label": u["type_label"], "level": "commune",
              "province_code": u["province_code"], "valid_from": VALID_FROM, "valid_to": "",
              "former_district": extra.get(u["code"], {}).get("former_district", ""),
              "former_province": "", "source_note": extra.get(u["code"], {}).get("source_confidence", "")}
             for u in new_units]
    olds, rows = _old_units(lineage, province_of, old_province)
    units += sorted(olds.values(), key=lambda u: u["code"])
    province_rows = [{"code": p["code"], "name": f"{p['type_label']} {p['name']}",
                      "valid_from": VALID_FROM, "valid_to": ""} for p in provinces]
    out_dir.mkdir(parents=True, exist_ok=True)
    files = [("units.csv", UNIT_COLUMNS, units), ("unit_lineage.csv", LINEAGE_COLUMNS, rows)]
    if national:
        files.append(("provinces.csv", PROVINCE_COLUMNS, province_rows))
    for name, columns, data in files:
        with open(out_dir / name, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=columns)
            w.writeheader()
            w.writerows(data)
    return {"current": len(new_units), "old": len(olds), "lineage": len(rows),
            "provinces": len(province_rows)}
