"""Beat's per-brand fan-out: a periodic entry runs once in public and has its brand task run in
every ready brand, several brands per broker message, so a tick over a thousand brands costs a
few dozen messages instead of a thousand (bench/brands.py measures it).

A chunk runs each brand's task body in that brand's schema and time zone, as the task would run
on its own. A brand whose run fails is handed its own task (in its schema, with that task's own
retries) and the chunk goes on, so one brand never holds back the others. Every brand task is
safe to run twice, which is what a chunk redelivered after a worker crash does."""

import logging
from collections.abc import Iterable

from celery import current_app, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import tenant_context

logger = logging.getLogger(__name__)

__all__ = ["brands_run_task", "fan_out"]


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _queue_of(task_name: str) -> str:
    # The chunk goes where the brand task itself would go (its route, globs included).
    route = current_app.amqp.router.route({}, task_name, args=(), kwargs={})
    queue = route.get("queue")
    return getattr(queue, "name", queue) or settings.CELERY_TASK_DEFAULT_QUEUE


def fan_out(task, *args, brands_per_task: int | None = None) -> int:
    """Run `task(*args)` in every ready brand: `brands_per_task` brands per message (the
    installation's FAN_OUT_BRANDS_PER_TASK by default; 1 queues the brand task itself, for work
    that may take minutes per brand). Returns how many brands it was queued for."""
    from tenants.models import Brand

    size = brands_per_task or settings.FAN_OUT_BRANDS_PER_TASK
    if size <= 1:
        from tenants.services import fan_out_to_ready_brands

        return fan_out_to_ready_brands(lambda _brand: task.delay(*args))
    schemas = list(Brand.objects.ready().order_by("slug").values_list("schema_name", flat=True))
    queue = _queue_of(task.name)
    for chunk in _chunks(schemas, size):
        brands_run_task.apply_async(args=(task.name, chunk, list(args)), queue=queue)
    return len(schemas)


def _hand_over(task, brand, args: list) -> None:
    """The brand's own task, queued in its schema, with that task's retries."""
    try:
        with tenant_context(brand):
            task.apply_async(args=args)
    except Exception:  # noqa: BLE001 - the broker is away too: the next tick runs the brand again
        logger.exception("could not hand %s over to brand %s", task.name, brand.schema_name)


@shared_task(name="tenants.brands_run", acks_late=True, time_limit=300, soft_time_limit=240)
def brands_run_task(task_name: str, schema_names: list[str], args: list | None = None) -> int:
    """Run one brand task in each of these brands (those still ready), one after another.
    Returns how many brands ran it without an error."""
    from tenants.localization import brand_zone
    from tenants.models import Brand

    task = current_app.tasks[task_name]
    args = list(args or [])
    brands = list(Brand.objects.ready().filter(schema_name__in=schema_names).order_by("slug"))
    done = 0
    for position, brand in enumerate(brands):
        try:
            with tenant_context(brand), timezone.override(brand_zone(brand)):
                task.run(*args)
            done += 1
        except SoftTimeLimitExceeded:
            # Out of time: this brand and the rest get their own tasks rather than wait a tick.
            logger.warning("%s: chunk out of time at brand %s", task_name, brand.schema_name)
            for rest in brands[position:]:
                _hand_over(task, rest, args)
            break
        except Exception:  # noqa: BLE001 - one brand's failure must not stop the others
            logger.exception("%s failed in brand %s; queued on its own", task_name, brand.schema_name)
            _hand_over(task, brand, args)
    return done
