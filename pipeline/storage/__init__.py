"""Where data lands: atomic Parquet shards, the ledger, metrics, manifests and versions."""
