"""Bundled data derived at build time (see tools/build_gazetteer.py)."""
