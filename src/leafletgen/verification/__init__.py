"""Checks of the PDFs written: syntax, fonts, tags, type size, layout, PDF/UA and PDF/A."""
