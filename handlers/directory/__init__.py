"""The alumni directory: the roster file format, its synthetic generator, and lookup."""
