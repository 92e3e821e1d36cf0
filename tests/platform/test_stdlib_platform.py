"""`platform/` is the project package and also the standard library's `platform` module."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_from_root(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_platform_is_the_project_package_and_the_stdlib_module():
    result = run_from_root(
        "-c",
        "import platform, uuid; print(platform.__file__); print(platform.system()); "
        "print(platform.python_implementation()); print(uuid.uuid4().version)",
    )
    assert result.returncode == 0, result.stderr
    path, system, implementation, uuid_version = result.stdout.split()
    assert path == str(ROOT / "platform" / "__init__.py")
    assert system == "Linux"
    assert implementation == "CPython"
    assert uuid_version == "4"


def test_pip_runs_from_the_root():
    result = run_from_root("-m", "pip", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("pip ")


def test_package_init_imports_nothing_but_the_standard_library():
    result = run_from_root(
        "-c",
        "import sys, platform; bad = [m for m in ('django', 'celery', 'environ') if m in sys.modules]; "
        "print(','.join(bad) or 'clean')",
    )
    assert result.stdout.strip() == "clean", result.stdout + result.stderr


def test_celery_worker_command_loads_the_project_app_from_the_root():
    # `celery -A platform` must find the Celery app in this package, not the stdlib module.
    result = run_from_root("-m", "celery", "-A", "platform", "inspect", "--help")
    assert result.returncode == 0, result.stderr
    probe = run_from_root("-c", "from platform.celery import app; print(type(app).__module__)")
    assert probe.stdout.strip() == "tenant_schemas_celery.app", probe.stderr
