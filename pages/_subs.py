"""UI pieces shared by the submission pages and the dashboards: findings tables, version lists,
a version diff, and the source (provenance) panel of one value."""
import pandas as pd
import streamlit as st

from etl.domain.findings import SEVERITY_LABELS
from etl.read import reference, versions
from etl.read.versions import STATUS_LABELS
from etl.warehouse import db
from etl.workflow import accounts
from pages import _data, _ui

DEMO_NO_FILE = "Dữ liệu mẫu — không có tệp gốc"
STATUS_TEXT = {k: v[:1].upper() + v[1:] for k, v in STATUS_LABELS.items()}
STATUS_TEXT["submitted"] = "Đã gửi, chờ duyệt"


def txt(x, default: str = "") -> str:
    """A text cell: missing (None, NaN, NA in pandas string columns) becomes the default."""
    return default if x is None or (not isinstance(x, str) and pd.isna(x)) or x == "" else str(x)


def fmt_time(ts) -> str:
    return "" if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%d/%m/%Y %H:%M")


def findings_table(findings) -> pd.DataFrame:
    """Findings (etl.findings.Finding or rows) as a Vietnamese table: sheet, cell, value, rule."""
    rows = [f.as_dict() if hasattr(f, "as_dict") else dict(f) for f in findings]
    return pd.DataFrame({
        "Mức": [SEVERITY_LABELS.get(r["severity"], r["severity"]) for r in rows],
        "Trang tính": [txt(r.get("sheet")) for r in rows],
        "Ô": [txt(r.get("cell")) for r in rows],
        "Giá trị": [txt(r.get("value")) for r in rows],
        "Nội dung": [r["message"] for r in rows],
        "Quy tắc": [r["rule"] for r in rows],
    })


def changes_table(changes: pd.DataFrame, old_label: str, new_label: str) -> pd.DataFrame:
    """Indicators whose value differs between two versions; a blank stays «Chưa báo cáo»."""
    return pd.DataFrame({
        "Nhóm": list(changes["group_name"]), "Chỉ tiêu": list(changes["label"]),
        "Đơn vị tính": list(changes["unit"]),
        old_label: _ui.fmt_values(changes["old_value"], "flow", None),
        new_label: _ui.fmt_values(changes["new_value"], "flow", None),
    })


def versions_table(vs: pd.DataFrame, lead: dict | None = None, tail: dict | None = None) -> pd.DataFrame:
    """Versions of reports, one row each, with the columns `vs` has (read.versions): the version
    on screen marked «đang hiển thị» (is_shown) or the newest «hiện hành» (is_current), its
    state, the value and its cell, file, sender, time, the department's comment. `lead` and
    `tail` add columns before and after."""
    def has(col):
        return col in vs.columns

    mark = ("is_shown", " (đang hiển thị)") if has("is_shown") else ("is_current", " (hiện hành)")
    cols = dict(lead or {})
    cols["Phiên bản"] = [f"{v}" + (mark[1] if on else "") for v, on in
                         zip(vs["version"], vs[mark[0]] if has(mark[0]) else [False] * len(vs))]
    if has("status"):
        cols["Trạng thái"] = [STATUS_TEXT.get(s, s) for s in vs["status"]]
    if has("value"):
        cols["Giá trị"] = _ui.fmt_values(vs["value"], "flow", None)
        cols["Trang tính"] = [txt(s) for s in vs["sheet"]]
        cols["Ô"] = [txt(x) for x in vs["cell"]]
    cols["Tệp"] = [DEMO_NO_FILE if src == "demo" else txt(f)
                   for f, src in zip(vs["file_name"], vs["source"])]
    cols["Người gửi"] = [txt(s, "không rõ") for s in vs["sent_by"]]
    cols["Thời gian gửi"] = [fmt_time(t) for t in vs["loaded_at"]]
    if has("review_comment"):
        cols["Nhận xét của Sở"] = [txt(x) for x in vs["review_comment"]]
    cols.update(tail or {})
    return pd.DataFrame(cols)


def original_download(sha256, file_name, source, key: str) -> None:
    """A download button for the file exactly as received (or say there is none)."""
    if source == "demo" or not isinstance(sha256, str):
        st.caption(DEMO_NO_FILE)
        return
    data = _data.load_record(versions.original_file, sha256)
    if data is None:
        st.caption("Không tìm thấy tệp gốc trong cơ sở dữ liệu.")
        return
    st.download_button(f"Tải tệp gốc «{_ui.esc(file_name)}»", data, file_name=file_name, key=key,
                       icon=":material/download:")


def compare_panel(unit_code: str, period_key: str, key: str) -> None:
    """Every version of one report; choose two to see what changed between them."""
    vs = _data.load(versions.versions, unit_code, period_key)
    if vs.empty:
        st.info("Chưa có phiên bản nào.")
        return
    _ui.table(versions_table(vs))
    if len(vs) < 2:
        return
    labels = {int(r.submission_id): f"Phiên bản {r.version} ({STATUS_TEXT.get(r.status, r.status)})"
              for r in vs.itertuples()}
    ids = list(labels)
    a, b = st.columns(2)
    old = a.selectbox("So sánh phiên bản", ids, index=1, format_func=labels.get, key=f"{key}_old",
                      placeholder=_ui.CHOOSE)
    new = b.selectbox("với phiên bản", ids, index=0, format_func=labels.get, key=f"{key}_new",
                      placeholder=_ui.CHOOSE)
    if old == new:
        st.caption("Chọn hai phiên bản khác nhau.")
        return
    diff = _data.load(versions.compare_versions, old, new)
    if diff.empty:
        st.success("Hai phiên bản có số liệu giống nhau.")
    else:
        _ui.table(changes_table(diff, labels[old], labels[new]))


def source_panel(f, unit_code: str, unit_name: str, period_key: str, period_label: str,
                 indicator_code: str, indicator_label: str, key: str) -> None:
    """Where the value on screen comes from: the version the dashboards show in this scope (its
    file, sheet, cell, sender, time) and the report's other versions. Versions, files and
    senders are for accounts that may see them (a ward: its own unit only); others see that
    the value comes from an accepted report, and nothing else."""
    # On today's boundaries a unit without its own report shows its old units' values.
    parts = _data.load(versions.attribution, f.scope, unit_code, period_key, indicator_code)
    if not parts.empty:
        attribution_panel(f, parts, unit_name, period_label, indicator_label)
        return
    # The scope's «Gồm số liệu chưa duyệt» decides which version is on screen.
    vs = _data.load(versions.value_versions, f.scope, unit_code, period_key, indicator_code)
    with st.container(border=True):
        _ui.md("**Nguồn số liệu:** {what}", what=f"{indicator_label} — {unit_name}, {period_label}")
        if f.today and len(_data.load(reference.lineage, f.scope, unit_code)) and \
                "@" not in unit_code and pd.Timestamp(_data.period(period_key)["start_date"]) < \
                pd.Timestamp(_data.load(reference.merger_date)):
            st.caption("Đơn vị đã gửi báo cáo riêng cho kỳ này theo địa bàn hiện nay: dùng báo cáo "
                       "này, không cộng thêm số liệu của các đơn vị cũ.")
        shown = vs[vs["is_shown"]]
        if shown.empty:
            st.info("Đơn vị chưa có báo cáo được tính cho kỳ này.")
            return
        cur = shown.iloc[0]
        if not accounts.can(f.user, "see_versions", unit_code):
            st.caption(f"Số liệu lấy từ báo cáo {STATUS_TEXT.get(cur['status'], cur['status']).lower()} "
                       f"(phiên bản {cur['version']}). Tệp gốc, người gửi và các phiên bản khác chỉ "
                       "hiện với tài khoản của đơn vị và của Sở Nội vụ, lãnh đạo.")
            return
        where = ("" if pd.isna(cur["value"]) else
                 f"trang tính «{cur['sheet']}», ô {cur['cell']}" if cur["cell"] else "")
        facts = [
            ("Phiên bản", f"{cur['version']} (đang hiển thị)"),
            ("Tệp gốc", DEMO_NO_FILE if cur["source"] == "demo" else txt(cur["file_name"])),
            ("Vị trí", where or "Ô để trống (chưa báo cáo)"),
            ("Người gửi", txt(cur["sent_by"], "không rõ")),
            ("Thời gian gửi", fmt_time(cur["loaded_at"])),
            ("Trạng thái", STATUS_TEXT.get(cur["status"], cur["status"])),
        ]
        st.markdown("\n".join(f"- {k}: **{_ui.esc(v)}**" for k, v in facts))
        original_download(cur["sha256"], cur["file_name"], cur["source"], key=f"{key}_file")
        st.markdown("Lịch sử phiên bản")
        _ui.table(versions_table(vs))


SHARE_TEXT = {"full": "toàn bộ", "partial": "một phần", "own": "báo cáo của đơn vị"}
METHOD_TEXT = {"full": "toàn bộ", "population": "theo tỷ lệ dân số các đơn vị mới",
               "equal": "chia đều cho các đơn vị mới", "own": "—"}


def attribution_panel(f, parts: pd.DataFrame, unit_name: str, period_label: str,
                      indicator_label: str) -> None:
    """A value on today's boundaries built from old units (read.versions.attribution): each old
    unit, its share and weight, its value and the part counted, and its file for accounts that
    may see the old units' files."""
    with st.container(border=True):
        _ui.md("**Nguồn số liệu:** {what}", what=f"{indicator_label} — {unit_name}, {period_label}")
        halves = (parts["share"] == "own").any()
        st.caption("Đơn vị chưa có báo cáo riêng cho kỳ này theo địa bàn hiện nay: số liệu được quy "
                   "từ các đơn vị cũ (đến 30/06/2025) theo quan hệ sáp nhập"
                   + (", cộng với báo cáo của đơn vị từ khi thành lập" if halves else "")
                   + ". Phần của đơn vị cũ được chia cho nhiều đơn vị mới là ước tính.")
        see = [accounts.can(f.user, "see_versions", u) for u in parts["unit_code"]]
        _ui.table(pd.DataFrame({
            "Đơn vị": [txt(n) for n in parts["unit_name"]],
            "Mã": list(parts["unit_code"]),
            "Phần sáp nhập": [SHARE_TEXT.get(s, s) for s in parts["share"]],
            "Cách chia": [METHOD_TEXT.get(m, m) for m in parts["method"]],
            "Tỷ lệ": _ui.fmt_values(parts["weight"], "rate"),
            "Kỳ": list(parts["period_label"]),
            "Giá trị báo cáo": _ui.fmt_values(parts["value"], "flow", None),
            "Phần tính cho đơn vị": _ui.fmt_values(parts["attributed"], "flow", None),
            "Tệp": [(DEMO_NO_FILE if src == "demo" else txt(fn)) if ok else "—"
                    for fn, src, ok in zip(parts["file_name"], parts["source"], see)],
            "Ô": [txt(c) if ok else "—" for c, ok in zip(parts["cell"], see)],
        }))
        if not all(see):
            st.caption("Tệp gốc của đơn vị cũ chỉ hiện với tài khoản của Sở Nội vụ và lãnh đạo.")


def pick_row(event, options: list, label: str, key: str, format_func):
    """The row index chosen in a table (st.dataframe selection) or in a selectbox under it;
    options are the selectable row indices."""
    rows = []
    try:
        rows = event.selection.rows
    except AttributeError:
        pass
    # Only a new table selection overrides the selectbox, so both stay usable.
    if rows != st.session_state.get(f"{key}_rows") and rows and rows[0] in options:
        st.session_state[key] = rows[0]
    st.session_state[f"{key}_rows"] = rows
    return st.selectbox(label, [None] + options, key=key, placeholder=_ui.CHOOSE,
                        format_func=lambda o: "— chọn để xem nguồn —" if o is None else format_func(o))


def write_or_error(fn, *args, **kwargs):
    """Run an etl write; a refusal or a busy database becomes a Vietnamese error, not a crash."""
    from etl.workflow.submissions import SubmitRefused
    try:
        return fn(*args, **kwargs)
    except (SubmitRefused, accounts.AccountError) as exc:
        st.error(_ui.esc(exc), icon=":material/block:")
    except db.DatabaseBusy as exc:
        st.error(_ui.esc(exc), icon=":material/hourglass_top:")
    return None



def sourced_table(f, data, sources: list, key: str, height: int | None = None) -> None:
    """A dashboard table whose values can be traced: pick a row (in the table or the selectbox
    under it) to see its file, sheet, cell, sender and version history. `sources` has one dict
    per row (unit_code, unit_name, period_key, period_label, indicator_code, indicator_label)
    or None where the row is not a reported value (a derived rate, a blank)."""
    event = st.dataframe(pd.DataFrame(data), hide_index=True, width="stretch",
                         height=height or "auto", on_select="rerun",
                         selection_mode="single-row", key=f"{key}_table")
    rows = [i for i, s in enumerate(sources) if s]
    if not rows:
        return
    label = lambda i: (f"{sources[i]['unit_name']} — {sources[i]['indicator_label']}")  # noqa: E731
    picked = pick_row(event, rows, "Xem nguồn số liệu (hoặc chọn một dòng trong bảng)",
                      key, label)
    if picked is not None:
        s = sources[picked]
        source_panel(f, s["unit_code"], s["unit_name"], s["period_key"], s["period_label"],
                     s["indicator_code"], s["indicator_label"], key=f"{key}_{picked}")
