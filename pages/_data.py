"""Every read of a page: `load(read.compare.ranking, scope, code)` calls the query function itself
(never a name), cached on the function, its arguments and the data version, so a new load shows
on the next rerun. A connection is opened only on a cache miss and closed at once, so a loader
can write between reruns."""
import logging

import duckdb
import streamlit as st

from etl import config
from etl.read import reference
from etl.warehouse import db, migrations, postgres, replica

BUSY = ("Cơ sở dữ liệu đang cập nhật (đang nạp báo cáo). Vui lòng thử lại sau ít phút hoặc bấm "
        "R để tải lại trang.")
HOW_TO_LOAD = ("Đề nghị quản trị hệ thống khởi tạo cơ sở dữ liệu và nạp các báo cáo của phường, "
               "xã, đặc khu (hướng dẫn trong tài liệu cài đặt). Cán bộ có tài khoản có thể gửi "
               "báo cáo ở mục «Gửi báo cáo» khi hệ thống đã được khởi tạo.")
log = logging.getLogger("danvan")
_functions: dict[str, object] = {}


class NoData(Exception):
    """The warehouse is missing, not initialised or holds no report."""


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(name: str, path: str, version: tuple, args: tuple, kwargs: tuple):
    # Wait briefly for a writer, then tell the user (the command line waits longer).
    with db.connect(path, read_only=True, timeout=config.get("DANVAN_READ_TIMEOUT")) as con:
        return _functions[name](con, *args, **dict(kwargs))


def load(fn, *args, **kwargs):
    """fn(con, *args, **kwargs), cached until the data change; a busy database stops the page
    with a Vietnamese message."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    _functions[name] = fn
    path = str(db.db_path())
    try:
        return _cached(name, path, db.data_version(path), args, tuple(sorted(kwargs.items())))
    except db.DatabaseBusy:
        busy()
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            busy()
        raise


def load_record(fn, *args):
    """fn(con, *args) on the system of record (accounts, the audit log, original files: see
    db.records), uncached: an account removed or a line logged shows at the next rerun."""
    try:
        with db.records(timeout=config.get("DANVAN_READ_TIMEOUT")) as con:
            return fn(con, *args)
    except db.DatabaseBusy:
        busy()


def busy():
    st.warning(BUSY, icon=":material/hourglass_top:")
    st.stop()


def check_data() -> dict:
    """reference.dataset_info, or NoData with a Vietnamese explanation. Where the database file
    is and what went wrong is for the operator's log, not the page."""
    path = db.db_path()
    if not db.exists(path):
        log.warning("no database at %s", path)
        raise NoData("Hệ thống chưa có cơ sở dữ liệu.")
    try:
        info = load(reference.dataset_info)
    except postgres.ServerError as exc:
        log.error("database server %s unreachable", path, exc_info=exc)
        raise NoData("Không kết nối được máy chủ cơ sở dữ liệu.") from exc
    except replica.SourceOutdated as exc:
        log.warning("database server %s has an older schema: run etl init", path)
        raise NoData("Cơ sở dữ liệu cần được nâng cấp lên phiên bản mới của phần mềm.") from exc
    except duckdb.CatalogException as exc:
        log.warning("database %s not initialised: %s", path, exc)
        raise NoData("Cơ sở dữ liệu chưa được khởi tạo.") from exc
    except duckdb.Error as exc:
        log.error("database %s unreadable", path, exc_info=exc)
        raise NoData("Không đọc được cơ sở dữ liệu (tệp có thể bị hỏng).") from exc
    # A database made by an older version of the software (before `etl init` upgraded it) lacks
    # what today's queries read (the merger lineage, boundary_values...).
    if not load(migrations.up_to_date):
        log.warning("database %s has an older schema: run etl init", path)
        raise NoData("Cơ sở dữ liệu cần được nâng cấp lên phiên bản mới của phần mềm.")
    if not info["submissions"]:
        raise NoData("Cơ sở dữ liệu chưa có báo cáo nào.")
    return info


def indicator(code: str) -> dict:
    cat = load(reference.catalogue)
    return cat[cat["code"] == code].iloc[0].to_dict()


def period(key: str, today: bool = True) -> dict:
    ps = load(reference.periods, today)
    return ps[ps["period_key"] == key].iloc[0].to_dict()
