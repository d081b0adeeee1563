"""No text a person typed or uploaded is ever rendered as Markdown, HTML or plotly markup: every
page, through AppTest, on a warehouse full of hostile file names, comments, senders, full
names, model and unit names (tests/hostile.py). The browser check is in test_browser_trust.py."""
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from pages import _auth
from tests.apptest import APP, TIMEOUT, no_exception
from tests.conftest import THACH_KHOI, VIET_HOA, session_for
from tests.hostile import DEPT_X, EVIL, WARD_X, hostile_db

# (page, account, sidebar period): every page that shows such text, as an account that sees it.
CASES = [
    ("pages/overview.py", DEPT_X, "2025"), ("pages/compare.py", DEPT_X, "2024"),
    ("pages/trends.py", DEPT_X, "2025"), ("pages/unit_profile.py", DEPT_X, "2024"),
    ("pages/dvk_models.py", DEPT_X, "2024"), ("pages/assessment.py", DEPT_X, "2025"),
    ("pages/briefing.py", DEPT_X, "2025"), ("pages/completeness.py", DEPT_X, "2025"),
    ("pages/review.py", DEPT_X, "2025"), ("pages/accounts.py", DEPT_X, "2025"),
    ("pages/password.py", DEPT_X, "2025"), ("pages/upload.py", WARD_X, "2025"),
]
MARKDOWN_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "error", "warning",
                     "info", "success", "expander")


@pytest.fixture(scope="module")
def hostile(dashboard_db, tmp_path_factory):
    return hostile_db(dashboard_db, tmp_path_factory.mktemp("hostile"))


def _markdown_texts(at: AppTest) -> list[str]:
    """Every string Streamlit renders as Markdown: element bodies and labels."""
    out = []
    for kind in MARKDOWN_ELEMENTS:
        for e in getattr(at, kind, []):
            out.append(getattr(e, "value", None) or getattr(e, "label", "") or "")
    for kind in ("button", "download_button", "metric"):
        out += [getattr(e, "label", "") or "" for e in at.get(kind)]
    return out


def _unsafe(text: str) -> list[str]:
    """Constructs that would render as a link, image, HTML or formatting (a character after a
    backslash is literal in Markdown, so escaped pairs are dropped before looking)."""
    live = re.sub(r"\\.", "", text)
    found = [bad for bad in ("](http", "![", "<img", f'<a href="https://{EVIL}', "**đậm**",
                             ":red[", "$x^2$") if bad in live]
    # GFM links bare URLs whatever the backslashes: only the characters themselves count.
    if re.search(r"https?://|www\.|\w@\w", re.sub(r"\\(.)", r"\1", text)):
        found.append("autolink")
    return found


@pytest.mark.parametrize("page, user, period", CASES)
def test_no_user_text_is_rendered_as_markup(hostile, monkeypatch, page, user, period):
    monkeypatch.setenv("DANVAN_DB", str(hostile))
    monkeypatch.delenv("DANVAN_ANONYMOUS_READ", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update({"ky": period, "don_vi": f"{THACH_KHOI},{VIET_HOA}",
                            "chi_tieu": "dialogues"})
    at.session_state[_auth.SESSION_TOKEN] = session_for(hostile, user)
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    no_exception(at)
    if page == "pages/compare.py":            # the provenance panel: file name, sender
        at.session_state["tab"] = "Bảng số liệu"
        at.run()
        box = at.selectbox(key="compare_source")
        box.select_index(next(i for i, o in enumerate(box.options)
                              if o.startswith("Việt Hòa"))).run()
        no_exception(at)
    texts = _markdown_texts(at)
    assert [(t, _unsafe(t)) for t in texts if _unsafe(t)] == []
    # The hostile text is on the page, escaped: the check above looked at something.
    assert any("\\[bấm vào đây\\]" in t or "\\[x\\]" in t for t in texts), texts
    for chart in at.get("plotly_chart"):
        spec = json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)
        assert "<a href" not in spec and "<img" not in spec, page
