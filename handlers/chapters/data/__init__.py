"""Bundled data derived at build time (see handlers/chapters/gazetteer_build.py)."""
