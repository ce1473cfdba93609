"""The alumni directory: the roster file format and its import, binding, lookup and search."""
