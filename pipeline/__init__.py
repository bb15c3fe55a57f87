"""Sift: build clean, deduplicated, versioned training corpora from raw web data."""

__version__ = "0.1.0"
