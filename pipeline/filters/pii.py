"""pii: replace e-mail addresses, IP addresses and phone numbers with placeholders, and count them.

Patterns are conservative: a phone number needs a leading "+country" code or the North American
(NNN) NNN-NNNN shape, so dates, scores and prices stay intact. Never drops a document.
"""

from __future__ import annotations

import polars as pl

from pipeline.filters import register
from pipeline.filters.base import FilterParams, Verdict

EMAIL = r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.\p{L}{2,}"
# ASCII word boundaries and digits keep the patterns on the regex engine's fast path.
_B = r"(?-u:\b)"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_HEX = r"[0-9A-Fa-f]{1,4}"
IP_ADDRESS = (
    rf"{_B}(?:{_OCTET}\.){{3}}{_OCTET}{_B}"  # IPv4
    rf"|{_B}(?:{_HEX}:){{7}}{_HEX}{_B}"  # IPv6, full form
    rf"|{_B}(?:{_HEX}:){{1,6}}:(?:{_HEX}:){{0,5}}{_HEX}{_B}"  # IPv6 with a "::" gap
)
PHONE_NUMBER = (
    # +44 20 7946 0958, +49 (0)40 890 85-433
    rf"\+[0-9]{{1,3}}[ .\-]?(?:\([0-9]{{1,4}}\)|[0-9]{{1,4}})(?:[ .\-]?[0-9]{{2,4}}){{2,4}}{_B}"
    # (555) 123-4567, 1-800-843-0008
    rf"|(?:\+?{_B}1[ .\-])?\(?{_B}[2-9][0-9]{{2}}\)?[ .\-]?[0-9]{{3}}[ .\-][0-9]{{4}}{_B}"
)


class PiiParams(FilterParams):
    emails: bool = True
    ip_addresses: bool = True
    phone_numbers: bool = True
    email_placeholder: str = "<EMAIL>"
    ip_placeholder: str = "<IP_ADDRESS>"
    phone_placeholder: str = "<PHONE_NUMBER>"


@register("pii", PiiParams)
def pii(p: PiiParams):
    # Order matters: an e-mail address may hold digits that look like the other two.
    kinds = [
        (name, pattern, placeholder)
        for name, pattern, placeholder, wanted in [
            ("emails", EMAIL, p.email_placeholder, p.emails),
            ("ip_addresses", IP_ADDRESS, p.ip_placeholder, p.ip_addresses),
            ("phone_numbers", PHONE_NUMBER, p.phone_placeholder, p.phone_numbers),
        ]
        if wanted
    ]

    def judge(docs: pl.DataFrame) -> Verdict:
        # Each kind is counted on the text as the kinds before it left it, then replaced.
        exprs, text = [], pl.col("text")
        for name, pattern, placeholder in kinds:
            exprs.append(text.str.count_matches(pattern).cast(pl.Float64).alias(f"pii_{name}"))
            text = text.str.replace_all(pattern, placeholder.replace("$", "$$"))
        out = docs.select(*exprs, text.alias("text"))
        signals = {f"pii_{name}": out[f"pii_{name}"] for name, _, _ in kinds}
        return Verdict.passing(docs.height, text=out["text"], signals=signals)

    return judge
