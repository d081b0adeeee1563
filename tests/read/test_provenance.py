import math
from pathlib import Path

from etl.intake.loader import load_files
from etl.read import versions
from etl.read.scope import Scope
from etl.warehouse import db
from etl.warehouse.reference import init_db
from etl.workflow import accounts
from etl.workflow.submissions import ACCEPT, RETURN, review
from tests.conftest import REVIEWER, VIET_HOA
from tests.workbooks import fill_values, make_template


def test_a_value_traces_back_to_its_file_cell_sender_and_versions(tmp_path):
    path = tmp_path / "p.duckdb"
    init_db(path)
    template = make_template(path, "10543", "2025-Q3", tmp_path / "t.xlsx")
    v1 = fill_values(template, {"dialogues": 2, "reception_visits": 6, "reception_people": 14},
                     tmp_path / "lan-1.xlsx")
    v2 = fill_values(template, {"dialogues": 3, "reception_visits": 6}, tmp_path / "lan-2.xlsx")
    first = load_files(path, [v1], sent_by="vh.ha")[0]
    second = load_files(path, [v2], sent_by="vh.ha")[0]
    with db.connect(path, read_only=True) as con:
        vs_all = versions.value_versions(con, Scope(), '10543', '2025-Q3', 'dialogues')
        people = versions.value_versions(con, Scope(), '10543', '2025-Q3', 'reception_people')
        content = versions.original_file(con, vs_all['sha256'].iloc[1])
        diff = versions.compare_versions(con, first.submission_id, second.submission_id)
    assert list(vs_all["version"]) == [2, 1] and list(vs_all["value"]) == [3, 2]
    assert vs_all["is_current"].iloc[0] and not vs_all["is_current"].iloc[1]
    assert vs_all["sheet"].iloc[0] == "Chỉ tiêu" and vs_all["cell"].iloc[0].startswith("F")
    assert list(vs_all["file_name"]) == ["lan-2.xlsx", "lan-1.xlsx"]
    assert set(vs_all["sent_by"]) == {"vh.ha"}
    assert content == v1.read_bytes()  # the original file, byte for byte
    # Left blank in version 2: not reported there, never 0.
    assert math.isnan(people["value"].iloc[0]) and people["value"].iloc[1] == 14
    changed = diff.set_index("code")
    assert set(changed.index) == {"dialogues", "reception_people"}
    assert changed.loc["dialogues", ["old_value", "new_value"]].tolist() == [2, 3]
    assert changed.loc["reception_people", "old_value"] == 14
    assert math.isnan(changed.loc["reception_people", "new_value"])


def _reviewer_account(path) -> None:
    # A review is written only for an account the database holds (etl.submissions re-reads it).
    with db.connect(path) as con:
        if not con.execute("SELECT count(*) FROM users WHERE username = ?",
                           [REVIEWER.username]).fetchone()[0]:
            accounts.add_user(con, REVIEWER.username, REVIEWER.role, full_name=REVIEWER.full_name)


def _accepted_then(tmp_path, decision) -> Path:
    """Việt Hòa 2025-Q3: v1 (dialogues 2) accepted, then v2 (dialogues 3) returned (RETURN) or
    left awaiting review (None)."""
    path = tmp_path / "s.duckdb"
    init_db(path)
    _reviewer_account(path)
    template = make_template(path, VIET_HOA, "2025-Q3", tmp_path / "t.xlsx")
    v1 = fill_values(template, {"dialogues": 2, "reception_visits": 6}, tmp_path / "v1.xlsx")
    v2 = fill_values(template, {"dialogues": 3, "reception_visits": 6}, tmp_path / "v2.xlsx")
    first = load_files(path, [v1])[0]
    review(path, first.submission_id, ACCEPT, "", REVIEWER)
    second = load_files(path, [v2])[0]
    if decision:
        review(path, second.submission_id, decision, "Số cuộc đối thoại chưa khớp biên bản.",
               REVIEWER)
    return path


def _shown(path, include_unreviewed: bool) -> list:
    with db.connect(path, read_only=True) as con:
        scope = Scope(include_unreviewed=include_unreviewed)
        vs = versions.value_versions(con, scope, VIET_HOA, '2025-Q3', 'dialogues')
    assert vs["is_current"].tolist() == [True, False]          # the other columns stay
    return [(int(r.version), r.value, r.file_name) for r in vs[vs["is_shown"]].itertuples()]


def test_the_value_on_screen_traces_to_the_accepted_version_not_a_returned_newer_one(tmp_path):
    path = _accepted_then(tmp_path, RETURN)
    assert _shown(path, False) == [(1, 2, "v1.xlsx")]
    assert _shown(path, True) == [(1, 2, "v1.xlsx")]           # returned never counts


def test_a_version_awaiting_review_is_shown_only_with_unreviewed_reports(tmp_path):
    path = _accepted_then(tmp_path, None)
    assert _shown(path, False) == [(1, 2, "v1.xlsx")]
    assert _shown(path, True) == [(2, 3, "v2.xlsx")]
