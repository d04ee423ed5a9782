"""Every connection honours every parameter of the database URL, TLS above all.

The server here accepts the role ``tracker_tls`` only over TLS (``.ci/run``: a self-signed
certificate, ``hostssl`` in pg_hba.conf, a plain ``host`` line that rejects). The URL asks for
``sslmode=verify-full`` against that certificate. The fast path the app starts on
(``db/raw.connect``, through ``Backend.quick``) used to rebuild the connection from host, user and
password only: it dropped ``sslmode`` and was refused, or, on a server that allowed it, connected
in plaintext where the engine would have refused.
"""

from __future__ import annotations

import os
import uuid
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import IN_CI, postgres_admin_url
from tracker.backend import Backend
from tracker.config import Settings
from tracker.db import engine as db
from tracker.db import raw

pytestmark = pytest.mark.postgres

TLS_ENV = "TRACKER_TEST_POSTGRES_TLS_URL"
ENCRYPTED = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"


@pytest.fixture
def tls_url(postgres_template: tuple[str, str]) -> Iterator[str]:
    """A fresh migrated database, reached as the role the server lets in over TLS only."""
    base = os.environ.get(TLS_ENV)
    if not base:
        message = f"the TLS test needs {TLS_ENV} (see .ci/run)"
        if IN_CI:
            pytest.fail(message + " — in CI a missing server is a failure")
        pytest.skip(message)
    admin_url, template = postgres_template
    name = f"tracker_tls_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_admin_url() or admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_fast_path_connects_over_verified_tls(tls_url: str) -> None:
    with raw.connect(tls_url) as connection:
        assert connection.value(ENCRYPTED) is True


def test_the_app_start_and_the_engine_both_use_tls(tls_url: str) -> None:
    backend = Backend(Settings(tls_url, None, "tls-test"))
    try:
        assert backend.quick(lambda connection: connection.value(ENCRYPTED)) is True
        engine = db.make_engine(tls_url)
        with engine.connect() as connection:
            assert connection.execute(text(ENCRYPTED)).scalar() is True
        engine.dispose()
    finally:
        backend.close()


def test_a_certificate_that_cannot_be_verified_is_refused_on_every_path(tls_url: str) -> None:
    untrusted = make_url(tls_url).update_query_dict({"sslrootcert": "/nonexistent/root.crt"})
    url = untrusted.render_as_string(hide_password=False)
    with pytest.raises(Exception, match="root certificate file"):
        with raw.connect(url):
            pass
    engine = db.make_engine(url)
    with pytest.raises(Exception, match="root certificate file"):
        with engine.connect():
            pass
    engine.dispose()


def test_the_uri_keeps_every_parameter() -> None:
    url = (
        "postgresql+psycopg://u:p%40ss@db.example:6543/tracker?sslmode=verify-full&sslrootcert=/r.crt&connect_timeout=5"
    )
    assert raw.libpq_uri(url) == (
        "postgresql://u:p%40ss@db.example:6543/tracker?sslmode=verify-full&sslrootcert=/r.crt&connect_timeout=5"
    )
