"""Serve the web app (waitress), the background worker (django-tasks database backend) and the
scheduler (daily dashboard tallies, scheduled monthly reports)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import typer


def run_server(*, host: str, port: int, worker: bool) -> None:
    """Migrate, collect static files, start the worker process, then serve until Ctrl+C."""
    from fangpin.cli import setup_django

    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)

    children: list[subprocess.Popen[bytes]] = []
    if worker:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="fangpin.settings")
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "django", "db_worker", "--queue-name", "*", "--no-reload"],
                env=env,
            )
        )
        children.append(
            subprocess.Popen(
                [sys.executable, "-c", "from fangpin.cli import main; main()", "scheduler"],
                env=env,
            )
        )
    typer.echo(f"网站已启动：http://{host}:{port}/   （按 Ctrl+C 停止）")
    if children:
        worker_pid, scheduler_pid = children[0].pid, children[1].pid
        typer.echo(f"后台任务进程已启动（pid {worker_pid}），定时任务（pid {scheduler_pid}）")

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        from waitress import serve  # type: ignore[import-untyped,unused-ignore]  # no type hints

        from fangpin.wsgi import application

        serve(application, host=host, port=port, threads=8, ident="fangpin")
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        typer.echo("已停止。")
