"""The shipped fonts: what fontconfig may see, and what their glyphs cover."""
