import math

from etl import db, provenance
from etl.loader import load_files
from tests.workbooks import fill_values, make_template


def test_a_value_traces_back_to_its_file_cell_sender_and_versions(tmp_path):
    path = tmp_path / "p.duckdb"
    db.init_db(path)
    template = make_template(path, "10543", "2025-Q3", tmp_path / "t.xlsx")
    v1 = fill_values(template, {"dialogues": 2, "reception_visits": 6, "reception_people": 14},
                     tmp_path / "lan-1.xlsx")
    v2 = fill_values(template, {"dialogues": 3, "reception_visits": 6}, tmp_path / "lan-2.xlsx")
    first = load_files(path, [v1], sent_by="vh.ha")[0]
    second = load_files(path, [v2], sent_by="vh.ha")[0]
    with db.connect(path, read_only=True) as con:
        versions = provenance.value_versions(con, "10543", "2025-Q3", "dialogues")
        people = provenance.value_versions(con, "10543", "2025-Q3", "reception_people")
        content = provenance.original_file(con, versions["sha256"].iloc[1])
        diff = provenance.compare_versions(con, first.submission_id, second.submission_id)
    assert list(versions["version"]) == [2, 1] and list(versions["value"]) == [3, 2]
    assert versions["is_current"].iloc[0] and not versions["is_current"].iloc[1]
    assert versions["sheet"].iloc[0] == "Chỉ tiêu" and versions["cell"].iloc[0].startswith("F")
    assert list(versions["file_name"]) == ["lan-2.xlsx", "lan-1.xlsx"]
    assert set(versions["sent_by"]) == {"vh.ha"}
    assert content == v1.read_bytes()  # the original file, byte for byte
    # Left blank in version 2: not reported there, never 0.
    assert math.isnan(people["value"].iloc[0]) and people["value"].iloc[1] == 14
    changed = diff.set_index("code")
    assert set(changed.index) == {"dialogues", "reception_people"}
    assert changed.loc["dialogues", ["old_value", "new_value"]].tolist() == [2, 3]
    assert changed.loc["reception_people", "old_value"] == 14
    assert math.isnan(changed.loc["reception_people", "new_value"])
