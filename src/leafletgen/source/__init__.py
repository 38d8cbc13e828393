"""Readers: monograph and patient files, variants, the YAML and Markdown they are written in."""
