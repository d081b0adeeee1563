"""What a reader asked to see: one period, one province or all, accepted data or also reports
awaiting review. Every query of reported values takes it, so no filter the user chose can be
lost between the sidebar and a query (the briefing pack and the exports take the same)."""
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Scope:
    period: str | None = None            # period_key
    province: str | None = None          # None: every province
    include_unreviewed: bool = False     # also the newest reports awaiting review

    def at(self, period: str | None) -> "Scope":
        """The same scope for another period (a year chosen on a page, the year before)."""
        return replace(self, period=period)

    def params(self, **more) -> dict:
        """The SQL parameters every query shares: $p, $prov, $unrev."""
        return {"p": self.period, "prov": self.province, "unrev": bool(self.include_unreviewed),
                **more}
