"""Boundaries of today's units (data/geo/, see its SOURCES.md) for the maps, read once per process.

Pages draw a map on every run: the files are parsed on first use and the parsed GeoJSON is kept
(about 0,3 s for the country's communes, then nothing). Callers get shared dicts and must not
change them. No Streamlit here, so the briefing pack reads the same.
"""
import functools
import gzip
import json
from pathlib import Path

GEO_DIR = Path(__file__).resolve().parents[2] / "data" / "geo"
PROVINCES = "vn_2025_provinces.geojson"
COMMUNES = "vn_2025_communes.geojson.gz"
# Finer outlines where a file has them (≈ 50 m instead of ≈ 100 m).
FINER_COMMUNES = {"31": "hai_phong_2025_communes.geojson"}
KEY = "properties.code"
# Said under every map (no address: figures carry no URL).
SOURCE = ("Ranh giới: thanglequoc/vietnamese-provinces-database (giấy phép MIT), theo bản đồ "
          "sapnhap.bando.com.vn, đã giản lược")


def _read(name: str) -> dict:
    path = GEO_DIR / name
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


@functools.lru_cache(maxsize=1)
def provinces() -> dict:
    """The 34 provinces, keyed by properties.code."""
    return _read(PROVINCES)


@functools.lru_cache(maxsize=1)
def _all_communes() -> dict:
    return _read(COMMUNES)


@functools.lru_cache(maxsize=64)
def communes(province: str) -> dict:
    """Today's commune-level units of one province, keyed by properties.code."""
    if province in FINER_COMMUNES:
        return _read(FINER_COMMUNES[province])
    features = [f for f in _all_communes()["features"]
                if f["properties"].get("province_code") == province]
    return {"type": "FeatureCollection", "features": features}
