"""The report workbook's layout, shared by the template writer and the reader."""

TEMPLATE_VERSION = "DV-2025.2"       # .2: _meta unit_id names the unit (code + validity)
CURRENT_UNIT_VERSIONS = ("DV-2025.1",)  # made before old units were in the registry
SHEET_INSTRUCTIONS = "Hướng dẫn"
SHEET_INFO = "Thông tin chung"
SHEET_VALUES = "Chỉ tiêu"
SHEET_META = "_meta"          # very hidden; A1 = "template_version", B1 = TEMPLATE_VERSION

# "Thông tin chung": labels in column A, values in column B, one per row, in this order.
INFO_FIELDS = [
    ("unit_code", "Mã đơn vị"),
    ("unit_name", "Tên đơn vị"),
    ("period_key", "Mã kỳ báo cáo"),
    ("period_label", "Kỳ báo cáo"),
    ("period_start", "Từ ngày"),
    ("period_end", "Đến ngày"),
    ("convention", "Quy ước kỳ số liệu"),
    ("reporter", "Người lập báo cáo"),
    ("phone", "Số điện thoại"),
]
INFO_FIRST_ROW = 3            # row 1 = title, row 2 blank

# "Chỉ tiêu": a header row holding these cells (order as written), one indicator per row below.
HEADER_CODE = "Mã chỉ tiêu"
# A draft made from a narrative report (etl extract -o) adds this column: the sentence each value
# came from, kept with the submission as a notice (provenance).
HEADER_EVIDENCE = "Căn cứ trong văn bản (kiểm tra trước khi gửi)"
HEADER_VALUE = "Giá trị"
VALUE_HEADERS = ["STT", "Nhóm", HEADER_CODE, "Chỉ tiêu", "Đơn vị tính", HEADER_VALUE, "Ghi chú"]
VALUES_HEADER_ROW = 4         # rows 1–3: title, unit and period, blank
MAX_HEADER_SCAN_ROWS = 30     # the reader looks for the header row this far down

# "Mô hình Dân vận khéo": optional (older forms lack it); one model per row below the header row.
SHEET_MODELS = "Mô hình Dân vận khéo"
MODEL_HEADERS = {            # field -> header text; the reader finds columns by these texts
    "name": "Tên mô hình",
    "field": "Lĩnh vực",
    "lead_org": "Đơn vị chủ trì",
    "year_started": "Năm bắt đầu",
    "recognition": "Cấp công nhận",
    "status": "Tình trạng",
}
MODELS_HEADER_ROW = 4         # rows 1–3: title, unit and period, how to fill
MODEL_INPUT_ROWS = 50         # unlocked rows for models in the protected sheet
