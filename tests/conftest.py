import pytest

from tests.helpers import Project


@pytest.fixture
def project(tmp_path):
    return Project(tmp_path)


@pytest.fixture(autouse=True)
def _isolated_caches(tmp_path, monkeypatch):
    """Every test gets its own store directory and analysis cache."""
    from checkpointing import defaults

    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(defaults, "analysis.cache_directory", str(tmp_path / ".analysis-cache"))
    monkeypatch.setenv("CHECKPOINTING_STRICT", "1")
    yield
