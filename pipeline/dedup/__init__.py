"""Duplicate detection: text normalization, MinHash signatures, LSH banding and clustering."""
