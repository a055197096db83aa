"""``python -m kitchen`` runs the CLI."""

from kitchen.cli.main import app

app()
