from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tollgate import Tollgate

from .fake_ingest import FakeIngest
from .launched import Api, FakeLlm


@pytest.fixture(scope="session")
def api() -> Iterator[Api]:
    """The real Tollgate api on a fresh database, for the whole run."""
    server = Api()
    yield server
    server.close()


@pytest.fixture(scope="session")
def llm() -> Iterator[FakeLlm]:
    server = FakeLlm()
    yield server
    server.close()


@pytest.fixture
def ingest() -> Iterator[FakeIngest]:
    server = FakeIngest()
    yield server
    server.close()


@pytest.fixture
def customer() -> str:
    """A customer of this test alone: its stored events are this test's."""
    return f"py-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def client(api: Api) -> Iterator[Tollgate]:
    """A client delivering to the real api."""
    errors: list[Exception] = []
    tollgate = Tollgate(api.ingest_key, api.url, flush_at_exit=False, on_error=errors.append)
    tollgate.errors = errors  # type: ignore[attr-defined]
    yield tollgate
    tollgate.shutdown(timeout=5)
