"""From checked content to PDF: HTML from templates, WeasyPrint, finishing for PDF/UA."""
