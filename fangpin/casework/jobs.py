"""The background side of screening runs (django-tasks, ADR 0001).

:func:`fangpin.casework.services.screening_run_request` enqueues :func:`screening_run_task`
in the transaction that records the run; the worker that ``fangpin serve`` starts
(``db_worker``) picks it up and runs :func:`screening_run_execute`, which keeps the run row's
stage and progress up to date for the page that polls it.
"""

from __future__ import annotations

from django_tasks import task

from fangpin.casework.services import screening_run_execute

__all__ = ["screening_run_task"]


@task()
def screening_run_task(run_pk: int) -> str:
    """Execute the queued run ``run_pk``; return its final status."""
    return str(screening_run_execute(run_pk).status)
