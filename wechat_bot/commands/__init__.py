"""CLI commands too big for cli.py, one module each; cli.py registers them at its bottom."""
