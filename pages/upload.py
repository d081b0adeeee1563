"""Gửi báo cáo: a blank form for the unit and period, then drop filled files; each is checked by
the same code as `etl load` and previewed (errors cell by cell, warnings to confirm, changes
against the previous version). Nothing is written until «Gửi báo cáo», which checks the file
again. The server keeps one copy of each file (the uploader's), freed once it is sent."""
import hashlib
from datetime import date

import pandas as pd
import streamlit as st

from etl.domain import vn
from etl.domain.periods import CALENDAR, CONVENTION_LABELS, DECREE09, PeriodError, parse_period
from etl.intake import reader
from etl.intake.template import UnknownUnit
from etl.read import reference, versions
from etl.warehouse import db
from etl.workflow import submissions
from pages import _auth, _data, _narrative, _subs, _ui

user = _auth.require("upload")
# Old units (until 30/06/2025) have no ward accounts: the department sends their archives.
units = _data.load(reference.units, user.role != "ward")
names = dict(zip(units["code"], units["full_name"]))
valid_to = dict(zip(units["code"], units["valid_to"]))
path = str(db.db_path())
state = st.session_state

st.title("Gửi báo cáo")
if user.role == "ward":
    unit_code = user.unit_code
    _ui.md("Đơn vị: **{unit}** (mã {code})", unit=names.get(unit_code, unit_code), code=unit_code)
else:
    unit_code = st.selectbox("Đơn vị", list(names), format_func=lambda u: f"{names[u]} ({u})", placeholder=_ui.CHOOSE,
                             help="Chuyên viên Sở có thể gửi thay cho bất kỳ đơn vị nào, kể cả báo cáo "
                                  "lưu trữ của các đơn vị trước sáp nhập (mã có đuôi @2025-06-30, "
                                  "gõ «cũ» để lọc).")
old_until = None if pd.isna(valid_to.get(unit_code)) else pd.Timestamp(valid_to[unit_code]).date()

# ---------------------------------------------------------------- 1. blank form
st.subheader("1. Tải mẫu báo cáo trống")
this_year = date.today().year
specs = {}
# The department also sends the archives of earlier years.
years = [this_year, this_year - 1] if user.role == "ward" else list(range(this_year, this_year - 6, -1))
for year in years:
    specs[str(year)] = f"Năm {year}"
    specs.update({f"{year}-H{n}": f"6 tháng {'đầu' if n == 1 else 'cuối'} năm {year}" for n in (1, 2)})
    specs.update({f"{year}-Q{n}": f"Quý {'I II III IV'.split()[n - 1]}/{year}" for n in range(1, 5)})
    specs.update({f"{year}-{m:02d}": f"Tháng {m}/{year}" for m in range(1, 13)})
if old_until is not None:     # an old unit reports only periods that ended while it existed
    specs = {k: v for k, v in specs.items() if parse_period(k).end <= old_until}
left, right = st.columns(2)
spec = left.selectbox("Kỳ báo cáo", list(specs), format_func=specs.get, key="template_period", bind="query-params",
                      placeholder=_ui.CHOOSE)
convention = right.radio("Cách tính kỳ", [CALENDAR, DECREE09], key="template_convention", bind="query-params",
                         format_func=lambda k: CONVENTION_LABELS[k].split(" (")[0],
                         help=" · ".join(CONVENTION_LABELS.values()))
try:
    period = parse_period(spec, convention)
except PeriodError as exc:
    st.error(_ui.esc(exc))
    st.stop()


@st.cache_data(show_spinner=False, max_entries=64)
def _template(db_file: str, unit: str, period_key: str, version: tuple) -> bytes:
    from etl.domain.periods import from_key
    return submissions.template_bytes(db_file, unit, from_key(period_key))


try:
    blank_form = _template(path, unit_code, period.key, db.data_version(path))
except UnknownUnit as exc:
    st.error(_ui.esc(exc), icon=":material/block:")
    st.stop()
chosen = units[units["code"] == unit_code].iloc[0]
if old_until is not None:
    st.caption(_ui.esc(f"Báo cáo của {chosen['long_name']}."))
elif not pd.isna(chosen["valid_from"]) and period.start < pd.Timestamp(chosen["valid_from"]).date():
    st.info(_ui.esc(f"Kỳ {period.label} bắt đầu trước ngày thành lập {chosen['full_name']} "
                    f"({vn.format_date(chosen['valid_from'])}): số liệu là của địa bàn hiện nay của "
                    "đơn vị. Báo cáo của các đơn vị cũ cho kỳ này: chọn đơn vị cũ (mã có đuôi "
                    "@2025-06-30)."), icon=":material/info:")
st.download_button(
    f"Tải mẫu trống: {_ui.esc(names.get(unit_code, unit_code))} — {period.label}",
    blank_form,
    file_name=f"mau-bao-cao-{unit_code}-{period.key.replace('/', '-')}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:", key="template_download")
st.caption("Điền trang tính «Chỉ tiêu» trong Excel hoặc LibreOffice: để trống = chưa báo cáo, "
           "nhập 0 = không có. Lưu tệp rồi kéo thả vào ô dưới đây.")

# ---------------------------------------------------------------- 2. check, then submit
st.subheader("2. Kiểm tra và gửi")
limit = reader.max_upload_bytes()
limit_mb = vn.format_number(limit / 2**20, 0)
# The file type and size are checked here, in Vietnamese: Streamlit's own checks answer in
# English (its size cap sits far above ours; serve.py cuts larger uploads off).
files = st.file_uploader(
    f"Kéo thả một hoặc nhiều tệp báo cáo (.xlsx, .xls, .ods), mỗi tệp tối đa {limit_mb} MB",
    accept_multiple_files=True, key="upload_files",
    help=f"Chỉ nhận tệp .xlsx, .xls hoặc .ods; mỗi tệp tối đa {limit_mb} MB.")
files = _ui.held(files)
_ui.uploader_texts(limit_mb)
state["_upload_files"] = [f.file_id for f in files]
previews = state.setdefault("_upload_previews", {})
sent = state.setdefault("_upload_sent", {})
for key, r in list(sent.items())[-5:]:
    st.success(f"Đã gửi «{_ui.esc(r['file_name'])}»: phiên bản {r['version']} (mã "
               f"{r['submission_id']}), chờ Sở Nội vụ duyệt. Theo dõi ở mục «Báo cáo đã gửi» "
               "bên dưới.", icon=":material/check_circle:")
keys = set()
for f in files:
    data = f.getvalue()
    key = hashlib.sha256(data).hexdigest()
    keys.add(key)
    too_large = _ui.oversize(data)
    if key not in previews:
        if too_large is not None:
            previews[key] = None
        else:
            with st.spinner(f"Đang kiểm tra {_ui.esc(f.name)}…"):
                try:
                    previews[key] = submissions.preview_upload(path, data, f.name, user)
                except db.DatabaseBusy as exc:
                    st.error(_ui.esc(exc))
                    continue
            # The preview keeps the findings, not the file: sending reads it again.
            if previews[key].sub is not None:
                previews[key].sub.content = None
    del data
    p = previews[key]
    with st.container(border=True):
        if too_large is not None:
            _ui.md("**{name}**", name=f.name)
            st.error(f"Tệp quá lớn ({vn.format_number(too_large / 2**20, 1)} MB); giới hạn là "
                     f"{limit_mb} MB mỗi tệp. Không có gì được ghi.", icon=":material/error:")
            continue
        what = " · ".join(x for x in (
            p.unit_name or (f"đơn vị mã {p.unit_code}" if p.unit_code else None),
            p.period_label or p.period_key) if x)
        _ui.md("**{name}**" + (" — {what}" if what else ""), name=f.name, what=what)
        if p.errors:
            st.error(f"Tệp có {len(p.errors)} lỗi nên chưa gửi được; không có gì được ghi. "
                     "Hãy sửa các ô dưới đây rồi tải tệp lên lại.", icon=":material/error:")
            _ui.table(_subs.findings_table(p.errors))
            continue
        if key in sent:
            st.info("Tệp này vừa được gửi (xem thông báo ở trên).", icon=":material/info:")
            continue
        if p.same_file:
            st.info(f"Tệp này đã được gửi trước đó (phiên bản {p.same_file[3]}); "
                    "không ghi gì thêm.", icon=":material/info:")
            continue
        st.success(f"Hợp lệ: {len(p.sub.values)} giá trị"
                   + (f", {len(p.sub.models)} mô hình «Dân vận khéo»" if p.sub.models else "")
                   + ". Chưa ghi — bấm «Gửi báo cáo» để gửi.", icon=":material/task_alt:")
        others = [x for x in p.findings if x not in p.warnings]
        if p.warnings:
            st.warning(f"{len(p.warnings)} cảnh báo: hãy kiểm tra lại các số liệu này.",
                       icon=":material/warning:")
            _ui.table(_subs.findings_table(p.warnings))
        if others:
            with st.expander(f"{len(others)} lưu ý"):
                _ui.table(_subs.findings_table(others))
        if p.previous:
            prev = p.previous
            st.markdown(f"**So với phiên bản {prev['version']} đã gửi** "
                        f"({_subs.STATUS_TEXT.get(prev['status'], prev['status']).lower()}, "
                        f"{_subs.fmt_time(prev['loaded_at'])}): "
                        + (f"{len(p.changes)} chỉ tiêu thay đổi." if len(p.changes)
                           else "số liệu không đổi."))
            if len(p.changes):
                _ui.table(_subs.changes_table(p.changes, f"Phiên bản {prev['version']}", "Tệp mới"))
            st.caption("Phiên bản mới sẽ thay phiên bản cũ sau khi gửi; bản cũ vẫn được lưu.")
        else:
            st.caption("Báo cáo đầu tiên của đơn vị cho kỳ này.")
        confirmed = True
        if p.warnings:
            confirmed = st.checkbox("Tôi đã xem các cảnh báo và xác nhận số liệu là đúng",
                                    key=f"confirm_{key}")
        if st.button("Gửi báo cáo", key=f"submit_{key}", type="primary", disabled=not confirmed,
                     icon=":material/send:"):
            result = _subs.write_or_error(submissions.submit_upload, path, f.getvalue(), f.name,
                                          user, warnings_confirmed=confirmed)
            if result:
                sent[key] = {**result, "file_name": f.name}
                _ui.drop_uploads([f])          # sent: the server's copy is no longer needed
                st.rerun()

# Previews of files no longer in the uploader are forgotten (they are small, but add up).
for key in set(previews) - keys:
    del previews[key]

# ---------------------------------------------------------------- 3. a narrative report
_narrative.section(path, user, units, _data.load(reference.catalogue))

# ---------------------------------------------------------------- 4. what the unit has sent
st.subheader("Báo cáo đã gửi")
mine = _data.load(versions.unit_submissions, unit_code)
if mine.empty:
    st.info("Đơn vị chưa gửi báo cáo nào qua hệ thống.")
else:
    for r in mine[mine["status"] == "returned"].head(5).itertuples():
        st.warning(f"{r.period_label}, phiên bản {r.version} bị trả lại"
                   + (f" ({t})" if (t := _subs.fmt_time(r.reviewed_at)) else "")
                   + f": «{_ui.esc(r.review_comment)}». Hãy sửa và gửi lại.", icon=":material/undo:")
    _ui.table(_subs.versions_table(mine, lead={"Kỳ": list(mine["period_label"])}),
              height=min(400, 38 + 35 * len(mine)))
