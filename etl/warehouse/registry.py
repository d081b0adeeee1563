"""Build the project's unit registry files from the compiled official list in shared/.

Run once when the official list changes:
    python -m etl registry ../shared/data/haiphong_units_2025.csv
It writes data/units.csv and data/unit_predecessors.csv, which `etl init` loads.
"""
import csv
import re
import unicodedata
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
PROVINCE_CODE = "31"
VALID_FROM = "2025-07-01"
PREDECESSORS_END = "2025-06-30"
TYPE_NAMES = {"phuong": "Phường", "xa": "Xã", "dac_khu": "Đặc khu"}
ENTRY = re.compile(r"^(.+?)(?: \[(.+)\])?(?: \((.+)\))?$")
OLD_TYPES = ("Thị trấn", "Phường", "Xã", "Huyện")


def split_predecessor(entry: str, default_district: str):
    name, district, note = ENTRY.match(entry.strip()).groups()
    old_type = next((t for t in OLD_TYPES if name.startswith(t + " ")), "")
    old_name = name[len(old_type):].strip() if old_type else name
    share = (note or "toàn bộ").strip()
    return old_type, old_name, district or default_district, share


def build(source: Path, out_dir: Path = DATA_DIR) -> tuple[int, int]:
    with open(source, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    units, preds = [], []
    for r in rows:
        name = unicodedata.normalize("NFC", r["name"].strip())
        units.append({
            "code": r["code"], "name": name, "unit_type": r["type"],
            "type_label": TYPE_NAMES[r["type"]], "province_code": PROVINCE_CODE,
            "valid_from": VALID_FROM, "valid_to": "",
            "former_district": r["former_district"], "source_note": r["source_confidence"],
        })
        single_district = r["former_district"] if ";" not in r["former_district"] else ""
        for seq, entry in enumerate(r["predecessors"].split("; "), start=1):
            old_type, old_name, district, share = split_predecessor(entry, single_district)
            preds.append({
                "new_code": r["code"], "seq": seq, "old_type": old_type,
                "old_name": unicodedata.normalize("NFC", old_name), "old_district": district,
                "share_note": share, "valid_to": PREDECESSORS_END,
            })
    for path, data in ((out_dir / "units.csv", units), (out_dir / "unit_predecessors.csv", preds)):
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(data[0]))
            w.writeheader()
            w.writerows(data)
    return len(units), len(preds)
