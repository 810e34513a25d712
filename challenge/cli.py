"""The ``challenge`` command: Flask's CLI plus the platform's own commands.

``challenge db upgrade`` (migrations), ``challenge create-admin EMAIL``, ``challenge seed-demo``,
``challenge serve`` (web, worker and beat together, for the embedded default).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext


def main() -> None:
    from challenge import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), help=__doc__)
    cli.main()


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(serve_command)
    from challenge.exports.cli import export_command

    app.cli.add_command(export_command)


@click.command("create-admin")
@click.argument("email")
@with_appcontext
def create_admin_command(email: str) -> None:
    """Create (or promote) a global admin, who creates campaigns and names organisers."""
    from challenge.access.domains import normalise_email
    from challenge.accounts.service import create_admin

    if "@" not in email:
        raise click.BadParameter("an e-mail address is expected", param_hint="EMAIL")
    user, created = create_admin(normalise_email(email))
    click.echo(f"{'Created' if created else 'Promoted'} admin {user.email}")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Seed the demo dataset once (running it again changes nothing)."""
    from challenge.demo import seed_demo

    created = seed_demo()
    click.echo("Demo data seeded." if created else "Demo data already present.")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="gunicorn web workers")
def serve_command(host: str, port: int, workers: int) -> None:
    """Run the web server, a Celery worker and beat together; Ctrl-C stops all three."""
    python = sys.executable
    bindir = os.path.dirname(python)
    commands = {
        "web": [
            os.path.join(bindir, "gunicorn"),
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "wsgi:app",
        ],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "worker",
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
        ],
        "beat": [python, "-m", "celery", "-A", "worker", "beat", "--loglevel=INFO"],
    }
    processes = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
    click.echo(f"Serving on http://{host}:{port} with a Celery worker and beat (Ctrl-C stops).")

    def stop(*_: object) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for process in processes.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        for name, process in processes.items():
            if process.poll() is not None:
                click.echo(f"{name} exited with code {process.returncode}; stopping the others.")
                stop()
        time.sleep(1)
