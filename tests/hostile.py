"""A warehouse full of hostile text, built through the real template, loader, upload and review:
file names, a return comment, a sender, people's full names, a model name and a unit name that
would be a live link, a tracking image, HTML or formatting if any page rendered them.

    path, facts = hostile_db(dashboard_db, tmp_path)
"""
import shutil
from pathlib import Path

from etl.intake.loader import load_files
from etl.warehouse import db
from etl.workflow import accounts
from etl.workflow.accounts import User
from etl.workflow.submissions import ACCEPT, RETURN, preview_upload, review, submit_checked
from tests.conftest import DEPT, THACH_KHOI, VIET_HOA, WARD
from tests.workbooks import fill_models, fill_values, make_template

EVIL = "evil.example"
# Markdown link and image, raw HTML, an autolink, Streamlit's directives and math, plotly tags.
HOSTILE = ("[bấm vào đây](https://evil.example/phish) ![](http://evil.example/pixel.png) "
           "<img src=http://evil.example/x.png> <a href=\"https://evil.example/a\">a</a> "
           "https://evil.example/auto **đậm** :red[đỏ] $x^2$")
HOSTILE_FILE = HOSTILE.replace("/", "∕") + ".xlsx"      # a file name cannot hold "/"
HOSTILE_UNIT = "Thạch Khôi <a href=\"https://evil.example/u\">[x](https://evil.example/u)</a>"
WARD_X = User("vh.hostile", HOSTILE, "ward", VIET_HOA)
DEPT_X = User("snv.hostile", HOSTILE, "department", None)


def hostile_db(dashboard_db, tmp: Path) -> Path:
    path = Path(shutil.copy(dashboard_db, tmp / "hostile.duckdb"))
    with db.connect(path) as con:
        for user in (WARD_X, DEPT_X):
            accounts.add_user(con, user.username, user.role, None, user.unit_code, user.full_name)
    good = {"dialogues": 4, "reception_visits": 6, "reception_people": 14}

    def form(unit, period, name, **extra):
        t = make_template(path, unit, period, tmp / f"t_{unit}_{period}.xlsx")
        return fill_values(t, {**good, **extra}, tmp / name)

    # Sent from the app under a hostile file name: one awaits review, one was returned.
    for period, decision in (("2025-Q4", None), ("2025-Q2", RETURN)):
        f = form(VIET_HOA, period, f"{period}.xlsx")
        sub = preview_upload(path, f.read_bytes(), HOSTILE_FILE, WARD).sub
        out = submit_checked(path, sub, WARD, warnings_confirmed=True)
        if decision:
            review(path, out["submission_id"], decision, HOSTILE, DEPT)
    # Loaded from the command line with a hostile sender, models with a hostile name, accepted.
    f = fill_models(form(VIET_HOA, "2024", "models-2024.xlsx", dvk_models_active=1),
                    [{"name": HOSTILE, "field": "Kinh tế", "lead_org": HOSTILE,
                      "year_started": 2024, "recognition": None, "status": "Đang duy trì"}],
                    tmp / "models.xlsx")
    [loaded] = load_files(path, [f], sent_by=HOSTILE)
    assert loaded.status == "loaded", loaded.findings
    review(path, loaded.submission_id, ACCEPT, "", DEPT)
    # A registry row (data/units.csv is edited by people too).
    with db.connect(path) as con:
        con.execute("UPDATE units SET name = ?, full_name = 'Phường ' || ? WHERE code = ?",
                    [HOSTILE_UNIT, HOSTILE_UNIT, THACH_KHOI])
    return path
