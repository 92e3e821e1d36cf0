"""Celery tasks run in the schema of the brand they were queued in, on a real worker."""

import uuid

import pytest
from django_tenants.utils import schema_context

from tests.worker import wait_for

pytestmark = pytest.mark.worker


def test_task_queued_in_brand_a_runs_in_brand_a_schema(committed_brand_a, celery_worker):
    from tenants.models import WorkerPing
    from tenants.tasks import worker_ping_task

    token = uuid.uuid4().hex
    worker_ping_task.delay(token)  # queued inside brand A's schema by the fixture
    with schema_context("public"):
        ping = wait_for(lambda: WorkerPing.objects.filter(token=token).first(), message="the ping")
    assert ping.schema_name == committed_brand_a.schema_name


def test_task_queued_in_public_runs_in_public(committed_db, celery_worker):
    from tenants.models import WorkerPing
    from tenants.tasks import worker_ping_task

    token = uuid.uuid4().hex
    worker_ping_task.delay(token)
    ping = wait_for(lambda: WorkerPing.objects.filter(token=token).first(), message="the ping")
    assert ping.schema_name == "public"
