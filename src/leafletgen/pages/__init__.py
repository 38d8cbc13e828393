"""Pages as images: previews and visual differences for review."""
