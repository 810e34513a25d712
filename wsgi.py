"""WSGI entry point: ``gunicorn wsgi:app``."""

from challenge import create_app

app = create_app()
