"""What a reader asked to see: one period, one province or all, accepted data or also reports
awaiting review. Every query of reported values takes it, so no filter the user chose can be
lost between the sidebar and a query (the briefing pack and the exports take the same)."""
from dataclasses import dataclass, replace
from typing import Literal

Boundaries = Literal["current", "reported"]
CURRENT, REPORTED = "current", "reported"
# Vietnamese labels and the values kept in links (?ranh_gioi=...).
BOUNDARY_LABELS = {CURRENT: "Theo địa giới hiện nay", REPORTED: "Như đã báo cáo (đơn vị cũ)"}
BOUNDARY_URL = {CURRENT: "hien_nay", REPORTED: "khi_bao_cao"}


@dataclass(frozen=True)
class Scope:
    period: str | None = None            # period_key
    province: str | None = None          # None: every province
    include_unreviewed: bool = False     # also the newest reports awaiting review
    # current: today's units, old units' values attributed to them by lineage (estimates marked);
    # reported: the units as they were when they reported (macro boundary_values).
    boundaries: Boundaries = CURRENT

    def at(self, period: str | None) -> "Scope":
        """The same scope for another period (a year chosen on a page, the year before)."""
        return replace(self, period=period)

    @property
    def today(self) -> bool:
        return self.boundaries != REPORTED

    def params(self, **more) -> dict:
        """The SQL parameters every query shares: $p, $prov, $unrev, $today."""
        return {"p": self.period, "prov": self.province, "unrev": bool(self.include_unreviewed),
                "today": self.today, **more}
