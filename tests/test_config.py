"""Settings: one table (etl/config.py), read there only, all of it in the README."""
import re
from pathlib import Path

from etl import config

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_lists_every_setting_with_its_default():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for s in config.SETTINGS.values():
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{s.name}`")), None)
        assert row is not None, s.name
        if s.default is not None:
            assert f"`{s.default}`" in row, (s.name, row)


def test_no_module_reads_the_environment_but_config():
    sources = [p for d in ("etl", "pages") for p in (ROOT / d).rglob("*.py")]
    sources += [ROOT / "app.py", ROOT / "serve.py"]
    readers = [str(p.relative_to(ROOT)) for p in sources if p.name != "config.py"
               and re.search(r"os\.environ|os\.getenv", p.read_text(encoding="utf-8"))]
    assert readers == []


def test_values_are_typed_and_read_when_asked(monkeypatch):
    monkeypatch.setenv("DANVAN_LOCK_TIMEOUT", "2.5")
    monkeypatch.setenv("DANVAN_ANONYMOUS_READ", "1")
    monkeypatch.delenv("DANVAN_SIGNIN_PER_MINUTE", raising=False)
    assert config.get("DANVAN_LOCK_TIMEOUT") == 2.5
    assert config.get("DANVAN_ANONYMOUS_READ") is True
    assert config.get("DANVAN_SIGNIN_PER_MINUTE") == 10
    monkeypatch.setenv("DANVAN_ANONYMOUS_READ", "0")
    assert config.get("DANVAN_ANONYMOUS_READ") is False
