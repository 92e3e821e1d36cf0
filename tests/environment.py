"""Loaded with `-p` before Django's settings: the test environment's defaults."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("BASE_DOMAIN", "tanggap.test")
# Production security settings stay on (they only apply with DEBUG off); tests speak plain HTTP.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
