"""Fault injection for the tests that kill and cut real processes: a private redis-server the test
starts and stops (never the machine's), a Celery worker on it that can be SIGKILLed, and a TCP
proxy in front of the test database that the test can cut, so a worker sees the database go away
and come back without any shared server being stopped."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.worker import ROOT, _die_with_parent, subprocess_env, wait_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server on a free port with its own folder and no persistence."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=(self.folder / "redis.log").open("a"),
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    return s.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(answers, timeout=10, message="the private redis-server")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture(name="private_redis")
def private_redis_fixture(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed, so the broker faults cannot be injected")
    folder = tmp_path / "redis"
    folder.mkdir()
    redis = PrivateRedis(folder)
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture(name="broker_at")
def broker_at_fixture():
    """`broker_at(url)` points this process's tenant-aware Celery app at `url` for the test."""
    from platform.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options)

    def point(url: str) -> None:
        app.conf.broker_url, app.conf.broker_transport_options = url, {}
        # Celery caches the (kombu-registered, per-URL) pools it publishes through.
        app._pool = None
        app.amqp._producer_pool = None

    yield point
    point(saved[0])
    app.conf.broker_transport_options = saved[1]


class Worker:
    """`celery worker --pool solo` (one process, so SIGKILL kills all of it) on a given broker."""

    def __init__(self, *, broker_url: str, mail_dir: Path, log: Path, database_url: str | None = None):
        self.env = subprocess_env() | {
            "CELERY_BROKER_URL": broker_url,
            "DJANGO_SETTINGS_MODULE": "tests.fault_settings",
            "TEST_MAIL_DIR": str(mail_dir),
        }
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self, **extra_env: str) -> None:
        self.proc = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "platform",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--hostname",
                f"fault-{uuid.uuid4().hex[:6]}@%h",
            ],
            cwd=ROOT,
            env=self.env | extra_env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text()[-chars:] if self.log.exists() else ""


@pytest.fixture(name="fault_worker")
def fault_worker_fixture(tmp_path):
    """`fault_worker(broker_url, database_url=None)`: a Worker (not started), stopped at the end."""
    workers = []
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()

    def make(broker_url: str, database_url: str | None = None) -> Worker:
        worker = Worker(
            broker_url=broker_url, mail_dir=mail_dir, log=tmp_path / "worker.log", database_url=database_url
        )
        workers.append(worker)
        return worker

    make.mail_dir = mail_dir
    yield make
    for worker in workers:
        worker.stop()


class TcpProxy:
    """Forwards 127.0.0.1:<port> to the test database (TCP or unix socket). `cut()` drops every
    connection and refuses new ones; `restore()` listens again on the same port."""

    def __init__(self, target) -> None:
        self.target = target  # ("127.0.0.1", 5432) or "/path/to/.s.PGSQL.5432"
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def _connect_target(self) -> socket.socket:
        if isinstance(self.target, str):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(self.target)
            return s
        return socket.create_connection(self.target)

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = self._connect_target()
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass

    def database_url(self) -> str:
        s = connection.settings_dict
        password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
        return f"postgres://{s['USER']}{password}@127.0.0.1:{self.port}/{s['NAME']}"


@pytest.fixture(name="database_proxy")
def database_proxy_fixture():
    s = connection.settings_dict
    host, port = s.get("HOST") or "", str(s.get("PORT") or "5432")
    target = (
        os.path.join(host, f".s.PGSQL.{port}") if host.startswith("/") else (host or "127.0.0.1", int(port))
    )
    proxy = TcpProxy(target)
    proxy.restore()
    yield proxy
    proxy.cut()


def wait_quiet(predicate, *, timeout: float, message: str, worker: Worker):
    """wait_for, but a failure shows the worker's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker.proc is not None and worker.proc.poll() is not None:
            pytest.fail(f"worker exited early:\n{worker.tail()}")
        time.sleep(0.1)
    pytest.fail(f"Timed out after {timeout}s waiting for {message}\n{worker.tail()}")
