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

        serve(application, host=host, port=port, **waitress_options())
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


def waitress_options() -> dict[str, object]:
    """waitress's settings: 8 threads; up to 1,000 open connections (its default of 100
    starved half of a 200-user load run, docs/benchmarks.md "Load"); and, when
    ``FANGPIN_TRUSTED_PROXY`` names one proxy address, its X-Forwarded-For and -Proto headers
    (waitress drops them from any other peer: the per-IP login throttle would see only the
    proxy, and Django would not know the request came over https)."""
    from django.conf import settings

    options: dict[str, object] = {"threads": 8, "connection_limit": 1000, "ident": "fangpin"}
    proxies = list(getattr(settings, "FANGPIN_TRUSTED_PROXY", []) or [])
    if len(proxies) == 1 and "/" not in proxies[0]:
        options.update(
            trusted_proxy=proxies[0],
            trusted_proxy_count=1,
            trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto"},
        )
    elif proxies:
        typer.echo(
            "提示：FANGPIN_TRUSTED_PROXY 含多个地址或网段，waitress 只能信任一个代理地址；"
            "转发的来源地址与协议头将不被采用。",
            err=True,
        )
    return options
