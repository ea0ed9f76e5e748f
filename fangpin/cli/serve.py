"""Serve the web app (waitress) and the background worker (django-tasks database backend)."""

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

    worker_process: subprocess.Popen[bytes] | None = None
    if worker:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="fangpin.settings")
        worker_process = subprocess.Popen(
            [sys.executable, "-m", "django", "db_worker", "--queue-name", "*", "--no-reload"],
            env=env,
        )
    typer.echo(f"网站已启动：http://{host}:{port}/   （按 Ctrl+C 停止）")
    if worker_process is not None:
        typer.echo(f"后台任务进程已启动（pid {worker_process.pid}）")

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
        if worker_process is not None and worker_process.poll() is None:
            worker_process.terminate()
            try:
                worker_process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker_process.kill()
        typer.echo("已停止。")
