"""«Gửi báo cáo» for a narrative report: drop a Word, PDF, scan or text file; the page proposes the
unit, the period and the figures with the sentences they came from; the person checks and edits
them; the draft form then goes through the same checks as any workbook, and «Gửi báo cáo» stores
it with the original document. Nothing is written before that click."""
import dataclasses
import hashlib

import pandas as pd
import streamlit as st

from etl.domain import vn
from etl.domain.periods import PeriodError, from_key, parse_period
from etl.intake import reader
from etl.intake.narrative.header import PeriodFound, UnitFound
from etl.workflow import submissions
from pages import _subs, _ui

SUFFIXES = ["docx", "odt", "doc", "pdf", "png", "jpg", "jpeg", "tif", "tiff", "txt"]


def _read(path: str, data: bytes, name: str):
    from etl.intake.documents import DocumentRefused
    bar = st.progress(0.0, text=f"Đang đọc «{_ui.esc(name)}»…")
    try:
        return submissions.draft_from_document(
            path, data, name, progress=lambda x, text: bar.progress(min(max(x, 0.0), 1.0), text=text))
    except DocumentRefused as exc:
        st.error(_ui.esc(exc), icon=":material/error:")
        return None
    finally:
        bar.empty()


def _choices(draft, user, units: pd.DataFrame):
    """The unit and period the person confirms (a ward: its own unit)."""
    names = dict(zip(units["code"], units["full_name"]))
    left, right = st.columns(2)
    if user.role == "ward":
        unit = user.unit_code
        left.markdown(f"Đơn vị: **{_ui.esc(names.get(unit, unit))}**")
        if draft.unit and draft.unit.code != unit:
            left.warning(_ui.esc(f"Văn bản ghi {draft.unit.name}; báo cáo được gửi cho đơn vị của tài khoản."))
    else:
        codes = list(names)
        index = codes.index(draft.unit.code) if draft.unit and draft.unit.code in codes else 0
        unit = left.selectbox("Đơn vị (đề xuất từ văn bản)", codes, index=index,
                              format_func=lambda u: f"{names[u]} ({u})", key=f"nar_unit_{draft.sha256}",
                              placeholder=_ui.CHOOSE)
    if draft.unit:
        left.caption(_ui.esc(f"Căn cứ: «{draft.unit.evidence[:200]}»"))
    spec = right.text_input("Kỳ báo cáo (đề xuất từ văn bản)",
                            value=draft.period.period.key if draft.period else "",
                            key=f"nar_period_{draft.sha256}",
                            help="Dạng 2025, 2025-H1, 2025-Q3, 2025-07, 2021-2025 hoặc 2025-07-01:2025-11-20")
    if draft.period:
        right.caption(_ui.esc(f"Căn cứ: «{draft.period.evidence[:200]}»"))
    try:
        period = from_key(spec.strip()) if "/" in spec else parse_period(spec)
    except (PeriodError, ValueError) as exc:
        right.error(_ui.esc(exc))
        return unit, None
    return unit, period


def _table(draft, catalogue: pd.DataFrame) -> dict:
    """The proposed values, editable; returns {indicator: value} as edited (blank = left out)."""
    labels = dict(zip(catalogue["code"], catalogue["label"]))
    rows = [{"Mã chỉ tiêu": code, "Chỉ tiêu": labels.get(code, code), "Giá trị": best.value,
             "Xấp xỉ": bool(best.approximate), "Căn cứ trong văn bản": best.marked(around=60),
             "Số khác trong văn bản": "; ".join(f"{vn.format_number(a.value)} ({a.location})" for a in alts)}
            for code, (best, alts) in draft.values.items()]
    edited = st.data_editor(
        pd.DataFrame(rows), hide_index=True, width="stretch", key=f"nar_values_{draft.sha256}",
        disabled=["Mã chỉ tiêu", "Chỉ tiêu", "Xấp xỉ", "Căn cứ trong văn bản", "Số khác trong văn bản"],
        column_config={"Giá trị": st.column_config.NumberColumn("Giá trị", min_value=0)})
    return {r["Mã chỉ tiêu"]: r["Giá trị"] for r in edited.to_dict("records") if pd.notna(r["Giá trị"])}


def _draft_of(path: str, doc):
    """The draft of the uploaded document, read once per document (None when it was refused)."""
    data = doc.getvalue()
    key = hashlib.sha256(data).hexdigest()
    drafts = st.session_state.setdefault("_narrative_drafts", {})
    if key not in drafts:
        drafts.clear()                   # one document at a time: drafts of others are forgotten
        drafts[key] = _read(path, data, doc.name)
    return drafts[key]


def _announce(draft) -> bool:
    """What was found, and the notes; False when there is nothing to propose."""
    if not draft.values:
        st.warning("Không tìm thấy số liệu nào trong văn bản. Hãy điền mẫu báo cáo Excel.",
                   icon=":material/search_off:")
        return False
    st.success(f"Đề xuất {len(draft.values)} số liệu, {len(draft.models)} mô hình «Dân vận khéo» "
               "từ văn bản.", icon=":material/auto_awesome:")
    for kind, text, _evidence in draft.notes:
        if kind != "rate":
            st.caption(_ui.esc(f"Lưu ý: {text}"))
    return True


def _send(path: str, user, chosen, doc) -> None:
    """The confirmed draft as the ordinary form: download, the same checks as a workbook, then
    «Gửi báo cáo», which stores the form with the original document."""
    data, key = doc.getvalue(), chosen.sha256
    try:
        xlsx = submissions.draft_workbook(path, chosen, with_models=False)
    except ValueError as exc:                 # UnknownUnit: an old unit for a later period…
        st.error(_ui.esc(exc), icon=":material/error:")
        return
    name = f"{doc.name.rsplit('.', 1)[0]}-ban-nhap.xlsx"
    st.download_button("Tải bản nháp (Excel) để kiểm tra", xlsx, file_name=name,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:", key=f"nar_download_{key}")
    preview = submissions.preview_upload(path, xlsx, name, user)
    if preview.errors:
        st.error(f"Bản nháp có {len(preview.errors)} lỗi nên chưa gửi được; hãy sửa số liệu ở bảng "
                 "trên (hoặc trong bản nháp Excel rồi gửi ở mục 2).", icon=":material/error:")
        _ui.table(_subs.findings_table(preview.errors))
        return
    confirmed = True
    if preview.warnings:
        st.warning(f"{len(preview.warnings)} cảnh báo: hãy kiểm tra lại.", icon=":material/warning:")
        _ui.table(_subs.findings_table(preview.warnings))
        confirmed = st.checkbox("Tôi đã xem các cảnh báo và xác nhận số liệu là đúng", key=f"nar_confirm_{key}")
    if st.button("Gửi báo cáo", key=f"nar_submit_{key}", type="primary", disabled=not confirmed,
                 icon=":material/send:"):
        result = _subs.write_or_error(submissions.submit_upload, path, xlsx, name, user,
                                      warnings_confirmed=confirmed, document=data)
        if result:
            st.success(f"Đã gửi báo cáo (phiên bản {result['version']}, mã {result['submission_id']}) "
                       "kèm văn bản gốc; chờ Sở Nội vụ duyệt.", icon=":material/check_circle:")
            st.session_state.get("_narrative_drafts", {}).clear()
            _ui.drop_uploads([doc])            # sent: the server's copy is no longer needed


def section(path: str, user, units: pd.DataFrame, catalogue: pd.DataFrame) -> None:
    st.subheader("3. Gửi báo cáo viết (Word, PDF, ảnh quét)")
    st.caption("Hệ thống đọc văn bản và đề xuất số liệu, mỗi số kèm câu trích trong văn bản; hãy "
               "kiểm tra, sửa nếu cần, rồi kiểm tra bản nháp như một mẫu báo cáo. Chưa ghi gì "
               "trước khi bấm «Gửi báo cáo».")
    limit_mb = vn.format_number(reader.max_upload_bytes() / 2**20, 0)
    # No type= here: Streamlit refuses other types in English; the document guards say it in
    # Vietnamese, naming the file.
    doc = st.file_uploader(f"Kéo thả một báo cáo viết (.docx, .odt, .doc, .pdf, ảnh quét, .txt), tối đa "
                           f"{limit_mb} MB", key="narrative_file",
                           help=f"Nhận tệp {', '.join('.' + x for x in SUFFIXES)}; tối đa {limit_mb} MB.")
    if doc is None or not _ui.held([doc]):             # none, or sent and freed
        return
    # Freed when another page opens (app.py) or once sent.
    st.session_state["_upload_files"] = [*st.session_state.get("_upload_files", ()), doc.file_id]
    too_large = _ui.oversize(doc.getvalue())
    if too_large is not None:
        _ui.md("**{name}**", name=doc.name)
        st.error(f"Tệp quá lớn ({vn.format_number(too_large / 2**20, 1)} MB); giới hạn là {limit_mb} MB "
                 "mỗi tệp. Không có gì được ghi.", icon=":material/error:")
        return
    draft = _draft_of(path, doc)
    if draft is None or not _announce(draft):
        return
    unit, period = _choices(draft, user, units)
    values = _table(draft, catalogue)
    if period is None or not values:
        return
    chosen = dataclasses.replace(
        draft, unit=UnitFound(unit, unit, "(xác nhận khi gửi)", ()),
        period=PeriodFound(period, draft.period.evidence if draft.period else "(xác nhận khi gửi)"),
        values={c: (dataclasses.replace(draft.values[c][0], value=float(v)), draft.values[c][1])
                for c, v in values.items() if c in draft.values})
    if draft.models:
        st.caption(_ui.esc("Mô hình «Dân vận khéo» nêu trong văn bản: " + "; ".join(n for n, _ in draft.models)
                           + ". Chưa đưa vào báo cáo vì cần chọn lĩnh vực: thêm ở trang tính «Mô hình Dân "
                             "vận khéo» của bản nháp Excel rồi gửi ở mục 2 nếu cần."))
    _send(path, user, chosen, doc)
