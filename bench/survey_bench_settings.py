"""Settings for bench/survey_submit.py's gunicorn: the project's settings, plus a URLconf that adds
the bare one-INSERT view (never part of production URLs) and no per-address submission limit
(every benchmark request comes from 127.0.0.1). The server runs with DEBUG off; the benchmark
speaks plain HTTP to it on 127.0.0.1, so the HTTPS redirect and secure-only cookies (which a TLS
proxy makes moot in production) are off, for both views alike. BENCH_PREPARE_THRESHOLD, when set, allows
prepared statements on the connections (see docs/surveys.md), to measure that setting."""

import os

from platform.settings import *  # noqa: F403

ROOT_URLCONF = "bench.survey_bare_urls"
SURVEYS_SUBMIT_RATE_PER_IP = None
SECURE_SSL_REDIRECT = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_SECURE = False
if os.environ.get("BENCH_PREPARE_THRESHOLD"):
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = int(  # noqa: F405
        os.environ["BENCH_PREPARE_THRESHOLD"]
    )
