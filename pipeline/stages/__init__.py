"""The four stages, in order: extract, filter, dedup, publish. Each `run(cfg)` returns StageStats."""

STAGE_NAMES = ("extract", "filter", "dedup", "publish")
