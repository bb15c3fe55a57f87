"""How much of a document's text a ledger row keeps (`text_head` in `schema.LEDGER`).

Apart from `schema.py`, which imports pyarrow: an extraction worker cuts a dropped page's text to
this length before the outcome crosses back to the main process, and loads no pyarrow for it.
"""

LEDGER_TEXT_HEAD_CHARS = 500
