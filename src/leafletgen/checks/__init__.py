"""Checks over read content: review, safety facts, reading grades, glossary, the check report."""
