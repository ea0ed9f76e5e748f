"""Reads of import batches and jobs, scoped once here.

A batch (or job) belongs to the region scope of the account that uploaded it (its home region,
``scope``). A user sees the batches whose scope lies inside their own ``registry.edit`` scope:
a township reviewer sees the batches of the township's villages, a village cadre only their
village's. Anything else is :class:`~django.core.exceptions.ObjectDoesNotExist` exactly like a
missing batch. System actors (the CLI, jobs) see every batch.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from fangpin.core.access import REGISTRY_EDIT, is_system_actor
from fangpin.core.scope import scope_prefix
from fangpin.imports.models import ImportBatch, ImportJob

__all__ = ["batch_scope_code", "import_batch_get", "import_batch_list", "import_job_get"]


def batch_scope_code(actor: Any) -> str | None:
    """The region a batch uploaded by ``actor`` belongs to (None for system actors)."""
    if is_system_actor(actor):
        return None
    code = getattr(actor, "home_region_id", None)
    return str(code) if code else None


def _scoped(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    if is_system_actor(user):
        return qs
    prefix = scope_prefix(user, capability=REGISTRY_EDIT)
    if prefix is None:
        return qs.none()
    return qs.filter(scope__code__startswith=prefix)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def import_batch_list(*, user: Any, entity: str | None = None) -> QuerySet[ImportBatch]:
    """The batches in ``user``'s scope, newest first (the report JSON deferred)."""
    qs = _scoped(user, ImportBatch.objects.all()).defer("report", "object_ids")
    if entity is not None:
        qs = qs.filter(entity=entity)
    return qs.order_by("-created_at")


def import_batch_get(*, user: Any, batch_id: Any) -> ImportBatch:
    """One batch in ``user``'s scope; ``ImportBatch.DoesNotExist`` otherwise."""
    pk = _uuid(batch_id)
    if pk is None:
        raise ImportBatch.DoesNotExist
    batch: ImportBatch = _scoped(user, ImportBatch.objects.all()).get(pk=pk)
    return batch


def import_job_get(*, user: Any, job_id: Any) -> ImportJob:
    """One background check in ``user``'s scope (a stale one marked failed first);
    ``ImportJob.DoesNotExist`` otherwise."""
    from fangpin.imports.jobs import mark_stale_jobs

    pk = _uuid(job_id)
    if pk is None:
        raise ImportJob.DoesNotExist
    mark_stale_jobs()
    job: ImportJob = _scoped(user, ImportJob.objects.all()).get(pk=pk)
    return job
