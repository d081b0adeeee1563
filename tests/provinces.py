"""The fixture warehouse spread over three real provinces, for the maps (province outlines of
data/geo/): Hải Phòng keeps Thạch Khôi, Việt Hòa and Ái Quốc (and the units that never report),
Hà Nội gets Hồng Bàng and Lê Chân, Cao Bằng Cát Hải (no 2025 report: a grey province)."""
import shutil
from pathlib import Path

from tests.conftest import CAT_HAI, HONG_BANG, LE_CHAN

HAI_PHONG, HA_NOI, CAO_BANG = "31", "01", "04"


def three_provinces(dashboard_db: Path, path: Path) -> Path:
    from etl.warehouse import db
    shutil.copy(dashboard_db, path)
    with db.connect(path) as con:
        for code, name in ((HA_NOI, "Thành phố Hà Nội"), (CAO_BANG, "Tỉnh Cao Bằng")):
            con.execute("INSERT INTO provinces VALUES (?, ?, '2025-07-01', NULL)", [code, name])
        con.execute("UPDATE units SET province_code = ? WHERE code IN (?, ?)", [HA_NOI, HONG_BANG, LE_CHAN])
        con.execute("UPDATE units SET province_code = ? WHERE code = ?", [CAO_BANG, CAT_HAI])
    return path
