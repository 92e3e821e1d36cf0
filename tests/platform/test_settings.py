"""Settings come from the environment; with DEBUG off there is no insecure default."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def django_check(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "SECURE_SSL_REDIRECT")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_off_without_secret_key_refuses_to_start():
    result = django_check({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = django_check(
        {
            "DEBUG": "0",
            "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-value-0123456789",
            "ALLOWED_HOSTS": "tanggap.example,.tanggap.example",
            "BASE_DOMAIN": "tanggap.example",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_broker_and_database_come_from_the_environment():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='platform.settings'; django.setup(); "
        "from django.conf import settings as s; "
        "print(s.CELERY_BROKER_URL, s.DATABASES['default']['NAME'], s.EMAIL_BACKEND)"
    )
    env = dict(os.environ)
    env.update(
        DEBUG="1",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        DATABASE_URL="postgres://u@127.0.0.1:5432/elsewhere",
        EMAIL_URL="smtp://mail.example:25",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "redis://127.0.0.1:6379/0",
        "elsewhere",
        "django.core.mail.backends.smtp.EmailBackend",
    ]
