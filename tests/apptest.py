"""The app through streamlit.testing (AppTest): how every page test starts it and reads it."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"
TIMEOUT = 60


def app(db_file, query_params=None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if query_params:
        at.query_params.update(query_params)
    return at


def signed_in(user, page: str | None = None, path=None, query=None, **state) -> AppTest:
    """The app as this account sees it: a real database session (what the browser's cookie
    carries; AppTest sends no cookies, so its token goes where pages._auth looks for it).
    query: the link's parameters; state: session_state values set before the first run."""
    from etl.warehouse import db
    from pages import _auth
    from tests.conftest import session_for

    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if user:
        at.session_state[_auth.SESSION_TOKEN] = session_for(path or db.db_path(), user)
    for key, value in state.items():
        at.session_state[key] = value
    if query:
        at.query_params.update(query)
    at.run()
    no_exception(at)
    if page:
        at.switch_page(page).run()
        no_exception(at)
    return at


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def texts(elements) -> list[str]:
    return [e.value for e in elements]
