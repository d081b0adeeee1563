"""What a chart draws when there are too many units (etl/present/capping.py)."""
import pandas as pd

from etl.present import capping


def test_a_ranking_keeps_the_top_the_bottom_and_the_followed_units_beyond_the_limit():
    cap = capping.SCREEN
    n = cap.limit + 50
    df = pd.DataFrame({"code": [f"u{i}" for i in range(n)],
                       "metric": [float(n - i) if i < n - 5 else None for i in range(n)]})
    rows = capping.capped(df, df["metric"].notna(), cap, keep=("u100",))
    valued = [f"u{i}" for i in range(n - 5)]
    assert list(rows["code"]) == valued[:cap.top] + ["u100"] + valued[-cap.bottom:]
    note = capping.note(n, cap, keep=("u100",))
    assert note.startswith("biểu đồ: 20 đơn vị cao nhất, 10 thấp nhất và các đơn vị đang theo dõi")
    assert "200 đơn vị" in note
    small = df.head(cap.limit)
    assert capping.capped(small, small["metric"].notna(), cap) is small
    assert capping.note(cap.limit, cap) == ""


def test_a_slide_draws_twenty_rows_at_most_for_a_grid_and_fifteen_for_a_ranking():
    codes = [f"u{i}" for i in range(200)]
    grid = capping.capped_units(codes, capping.SCREEN, keep=("u7", "u180"))
    assert grid == ["u7", "u180"] + [f"u{i}" for i in range(19) if i != 7]
    assert capping.capped_units(codes[:150], capping.SCREEN) == codes[:150]
    slide = capping.capped_units(codes[:30], capping.SLIDE)
    assert slide == codes[:20]
    df = pd.DataFrame({"code": codes[:30], "metric": [float(30 - i) for i in range(30)]})
    assert list(capping.capped(df, df["metric"].notna(), capping.SLIDE)["code"]) == (
        codes[:10] + codes[25:30])
