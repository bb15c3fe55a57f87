"""url: drop documents whose URL is on a domain block list, or holds a blocked substring.

A blocked domain also blocks its subdomains ("example.com" blocks "www.example.com"). The block
list file holds one domain per line; blank lines and lines starting with "#" are skipped. Documents
without a URL pass. It reads nothing but the URL, so the extract stage runs it on each raw record
before extraction (a blocked page costs no extraction); the filter stage runs it again, finding
nothing left to drop.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from pydantic import Field, field_validator

from pipeline.filters import register
from pipeline.filters.base import FilterParams, Verdict

HOST = r"^[a-z][a-z0-9+.\-]*://(?:[^@/?#]*@)?([^:/?#\[\]]+)"
MAX_LABELS = 10  # hosts with more labels are matched on their last MAX_LABELS suffixes


class UrlParams(FilterParams):
    blocklist_file: str | None = Field(None, description="One domain per line; '#' starts a comment.")
    domains: list[str] = Field(default_factory=list, description="More blocked domains, inline.")
    substrings: list[str] = Field(default_factory=list, description="Blocked if the URL contains one.")

    @field_validator("blocklist_file")
    @classmethod
    def _file_exists(cls, path: str | None) -> str | None:
        if path is not None and not Path(path).is_file():
            raise ValueError(f"block list {path!r} is not a file (relative to the current directory)")
        return path

    def blocked_domains(self) -> list[str]:
        listed = Path(self.blocklist_file).read_text().splitlines() if self.blocklist_file else []
        domains = (d.strip().lower().removeprefix("www.") for d in [*listed, *self.domains])
        return sorted({d for d in domains if d and not d.startswith("#")})


@register("url", UrlParams, url_only=True)
def url_filter(p: UrlParams):
    domains = p.blocked_domains()
    substrings = [s.lower() for s in p.substrings]

    def judge(docs: pl.DataFrame) -> Verdict:
        if not domains and not substrings:
            return Verdict.passing(docs.height)
        url = pl.col("url").str.to_lowercase()
        labels = url.str.extract(HOST, 1).str.split(".")
        # The host and each parent domain, most specific first; the first one on the list names the hit.
        suffixes = [labels.list.slice(-k).list.join(".") for k in range(MAX_LABELS, 0, -1)]
        domain_hit = pl.coalesce([pl.when(suffix.is_in(domains)).then(suffix) for suffix in suffixes])
        pattern = "|".join(pl.escape_regex(s) for s in substrings)
        no_hit = pl.lit(None, dtype=pl.Utf8)
        substring_hit = url.str.extract(f"({pattern})", 1) if substrings else no_hit
        out = docs.select(domain=domain_hit if domains else no_hit, substring=substring_hit)
        out = out.select(
            reason=pl.when(pl.col("domain").is_not_null())
            .then(pl.lit("url_blocked_domain"))
            .when(pl.col("substring").is_not_null())
            .then(pl.lit("url_blocked_substring")),
            threshold=pl.when(pl.col("domain").is_not_null())
            .then(pl.lit("blocked domain ") + pl.col("domain"))
            .when(pl.col("substring").is_not_null())
            .then(pl.lit("blocked substring ") + pl.col("substring")),
        )
        return Verdict(reason=out["reason"], threshold=out["threshold"])

    return judge
