"""Settings for worker processes started by the fault tests: the project's settings, with emails
written as files to TEST_MAIL_DIR through a backend the test can hold (tests/mail_gate.py)."""

import os

from platform.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.mail_gate.GatedFileBackend"
EMAIL_FILE_PATH = os.environ["TEST_MAIL_DIR"]
