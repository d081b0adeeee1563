"""What a briefing pack is made of: its sections, one Item per chart, the Pack, the input error.

Shared by collect (which fills them) and the writers (pptx, docx), so neither imports the other.
"""
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from etl.present import charts

SECTIONS = {"overview": "Tổng quan toàn thành phố", "compare": "So sánh các đơn vị",
            "trends": "Xu hướng qua các kỳ", "dvk": "Dân vận khéo",
            "assessment": "Chấm điểm dân vận"}
SINGLE_PROVINCE_AREA = "toàn thành phố"     # the area of a one-province registry
UNREVIEWED_MARK = "GỒM SỐ LIỆU CHƯA DUYỆT"
DEMO_MARK = "DỮ LIỆU MẪU — không phải số liệu thật"


class BriefError(ValueError):
    """Bad input (period, province, unit, section); the message is Vietnamese."""


@dataclass
class Item:
    section: str
    title: str
    figure: go.Figure
    table: pd.DataFrame
    findings: list[str]
    percent_columns: list[str] = field(default_factory=list)
    image: bytes | None = None


@dataclass
class Pack:
    period_key: str
    period_label: str
    scope: str                  # who the pack covers, as the docx and the command line say it
    updated: object
    demo: bool
    notes: list[str]
    items: list[Item]
    timings: dict = field(default_factory=dict)
    # "toàn thành phố" (one-province registry), the province's name, or "cả nước"
    area: str = SINGLE_PROVINCE_AREA
    include_unreviewed: bool = False

    @property
    def title(self) -> str:
        # A one-province registry keeps the short title; otherwise the title names the area so a
        # slide deck of one province is never mistaken for the country's.
        if self.area == SINGLE_PROVINCE_AREA:
            return f"Báo cáo công tác dân vận — {self.period_label}"
        return f"Báo cáo công tác dân vận — {self.area[:1].upper()}{self.area[1:]} — {self.period_label}"

    def source(self) -> str:
        return charts.source_text(self.updated)

    def section_title(self, section: str) -> str:
        if section == "overview":
            return f"Tổng quan {self.area}"
        return SECTIONS[section]
