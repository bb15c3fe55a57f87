"""`sift report`: one self-contained HTML page that shows what a published version is made of.

Everything the page shows is computed once into a plain dict (embedded in the page as JSON, so
tools and tests can read the same numbers), then drawn with matplotlib into inline PNGs: the file
opens from disk with no server and no network.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from pipeline.compare import resolve_version
from pipeline.storage.shards import write_text
from pipeline.storage.versions import read_build, read_manifest

EXAMPLES_PER_REASON = 3
TOP_DOMAINS = 20
TOP_LANGUAGES = 15
MAX_SIGNAL_PLOTS = 16


def report_data(corpus_dir: Path, version: str) -> dict[str, Any]:
    """The numbers behind the report, from the version's shards, ledger and manifest."""
    manifest = read_manifest(corpus_dir, version)
    docs = pl.read_parquet(
        corpus_dir / version / "train-*.parquet",
        columns=["url", "text", "language", "quality_signals", "cluster_size"],
    ).with_columns(
        chars=pl.col("text").str.len_chars(),
        words=pl.col("text").str.split(" ").list.len(),
        domain=pl.col("url").str.extract(r"^[a-z]+://([^/:?#]+)").str.to_lowercase().fill_null("(none)"),
    )
    ledger_path = corpus_dir / version / "ledger.parquet"
    ledger = pl.read_parquet(ledger_path) if ledger_path.is_file() else pl.DataFrame()
    kept_signals = signals(docs)
    return {
        "version": version,
        "documents": docs.height,
        "stages": manifest["stages"],
        "funnel": funnel(manifest, ledger),
        "reasons": reasons(ledger),
        "languages": counts(docs, "language", TOP_LANGUAGES),
        "by_language": manifest["summary"].get("by_language", {}),
        "top_domains": counts(docs, "domain", TOP_DOMAINS),
        "lengths": {"characters": docs["chars"].to_list(), "words": docs["words"].to_list()},
        "signals": kept_signals,
        "scores": classifier_scores(manifest, kept_signals, ledger),
        "cluster_sizes": {
            str(size): n for size, n in docs.group_by("cluster_size").len().sort("cluster_size").iter_rows()
        },
        "examples": examples(ledger),
        "manifest": {"parent_version": manifest.get("parent_version")}
        | read_build(corpus_dir, version)
        | {
            "config_fingerprint": manifest["config_fingerprint"],
            "inputs": manifest["inputs"],
            "shards": manifest["shards"],
        },
        "config": manifest["config"],
    }


def funnel(manifest: dict, ledger: pl.DataFrame) -> list[tuple[str, int]]:
    """Documents left after each step; the filter stage is split by filter, in recipe order."""
    stages = manifest["stages"]
    steps = [("records read", stages["extract"]["input"]), ("extracted", stages["extract"]["kept"])]
    remaining = stages["filter"]["input"] - stages["filter"]["errors_total"]
    dropped_by_filter = (
        dict(
            ledger.filter((pl.col("stage") == "filter") & (pl.col("outcome") == "dropped"))
            .group_by("filter")
            .len()
            .iter_rows()
        )
        if ledger.height
        else {}
    )
    for spec in manifest["config"]["filters"]:
        remaining -= dropped_by_filter.get(spec["name"], 0)
        steps.append((f"after {spec['name']}", remaining))
    steps += [("after dedup", stages["dedup"]["kept"]), ("published", manifest["documents"])]
    return steps


def reasons(ledger: pl.DataFrame) -> list[dict[str, Any]]:
    if not ledger.height:
        return []
    grouped = ledger.group_by("stage", "outcome", "reason").len("documents")
    return grouped.sort("documents", "stage", "reason", descending=[True, False, False]).to_dicts()


def counts(docs: pl.DataFrame, column: str, top: int) -> list[tuple[str, int]]:
    values = docs.select(pl.col(column).fill_null("(none)")).group_by(column).len()
    return [
        tuple(row) for row in values.sort(["len", column], descending=[True, False]).head(top).iter_rows()
    ]


def signals(docs: pl.DataFrame) -> dict[str, list[float]]:
    if docs.height == 0:
        return {}
    flat = docs.select(pl.col("quality_signals").explode()).unnest("quality_signals").drop_nulls("name")
    return {
        name: values for name, values in flat.group_by("name").agg(pl.col("value")).sort("name").iter_rows()
    }


def classifier_scores(manifest: dict, kept: dict[str, list[float]], ledger: pl.DataFrame) -> dict[str, dict]:
    """Per classifier entry: the scores of the published documents, those of the documents it dropped,
    and where it cut (its min_score, or the keep_top_fraction cut-off the filter stage found)."""
    found = {c["signal"]: c["score"] for c in manifest.get("filter_cutoffs", [])}
    out = {}
    for entry in manifest["config"]["filters"]:
        if entry["name"] != "classifier":
            continue
        signal = entry.get("signal", "classifier_score")
        reasons = [f"{signal}_too_low", f"{signal}_below_top_fraction"]
        dropped = ledger.filter(pl.col("reason").is_in(reasons))["value"].to_list() if ledger.height else []
        out[signal] = {
            "cutoff": entry.get("min_score", found.get(signal)),
            "kept": kept.get(signal, []),
            "dropped": dropped,
        }
    return out


def examples(ledger: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
    if not ledger.height:
        return {}
    picked = (
        ledger.sort("stage", "reason", "id").group_by("reason", maintain_order=True).head(EXAMPLES_PER_REASON)
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for row in picked.select(
        "reason", "stage", "url", "value", "threshold", "message", "text_head"
    ).iter_rows(named=True):
        out.setdefault(row.pop("reason"), []).append(row)
    return out


def figure_png(draw) -> str:
    """Run `draw(ax)` on a new figure; return it as a data URI."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=100)
    draw(ax)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def bars(items: list[tuple[str, int]], title: str, color: str = "#3b6ea5"):
    from matplotlib.ticker import MaxNLocator

    def draw(ax):
        labels = [str(label) for label, _ in items][::-1]
        values = [value for _, value in items][::-1]
        ax.barh(labels, values, color=color)
        for y, value in enumerate(values):
            ax.text(value, y, f" {value}", va="center", fontsize=8)
        ax.set_title(title)
        ax.tick_params(axis="y", labelsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))

    return draw


def histogram(values: list[float], title: str, xlabel: str, log: bool = False):
    def draw(ax):
        import numpy as np

        data = np.asarray(values, dtype=float)
        if log and data.size and data.min() > 0:
            ax.hist(
                data, bins=np.logspace(np.log10(data.min()), np.log10(data.max() + 1), 30), color="#5a9e6f"
            )
            ax.set_xscale("log")
        else:
            ax.hist(data, bins=30, color="#5a9e6f")
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("documents")

    return draw


def score_histogram(scores: dict[str, Any], signal: str):
    """Published and dropped documents by score, stacked, with the cut-off as a line."""

    def draw(ax):
        import numpy as np

        bins = np.linspace(0.0, 1.0, 41)
        # fastText's probabilities can read 1.00001 (it adds 1e-5 before the log): keep them in view.
        ax.hist(
            [np.clip(scores["kept"], 0.0, 1.0), np.clip(scores["dropped"], 0.0, 1.0)],
            bins=bins,
            stacked=True,
            color=["#5a9e6f", "#b5523b"],
            label=["published", "dropped by the classifier"],
        )
        if scores["cutoff"] is not None:
            ax.axvline(
                scores["cutoff"], color="#222", linestyle="--", label=f"cut-off {scores['cutoff']:.4g}"
            )
        ax.set_title(f"{signal}: score distribution")
        ax.set_xlabel("score")
        ax.set_ylabel("documents")
        ax.legend(fontsize=8)

    return draw


def render(data: dict[str, Any]) -> str:
    """The report page: figures, tables and the data itself as JSON."""
    figures = [
        ("Funnel", figure_png(bars(data["funnel"], "Documents left after each step"))),
        (
            "Removed by reason",
            figure_png(
                bars(
                    [(f"{r['stage']}: {r['reason']}", r["documents"]) for r in data["reasons"]][:20],
                    "Documents removed, by stage and reason",
                    "#b5523b",
                )
            ),
        ),
        ("Languages", figure_png(bars(data["languages"], "Documents by language"))),
        (
            "Length in characters",
            figure_png(histogram(data["lengths"]["characters"], "Document length", "characters", log=True)),
        ),
        (
            "Length in words",
            figure_png(histogram(data["lengths"]["words"], "Document length", "words", log=True)),
        ),
        (
            "Duplicate clusters",
            figure_png(
                bars(
                    [(f"size {k}", v) for k, v in data["cluster_sizes"].items()],
                    "Kept documents by the size of their duplicate cluster",
                )
            ),
        ),
        ("Top domains", figure_png(bars(data["top_domains"], "Documents by domain (top 20)"))),
    ]
    for signal, scores in data["scores"].items():
        figures.append((f"Classifier: {signal}", figure_png(score_histogram(scores, signal))))
    for name, values in list(data["signals"].items())[:MAX_SIGNAL_PLOTS]:
        figures.append((f"Signal: {name}", figure_png(histogram(values, name, "value"))))

    esc = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Sift report: {esc(data['version'])}</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}"
        "h1{margin-bottom:0}.sub{color:#666}.grid{display:grid;grid-template-columns:1fr 1fr;gap:1em}"
        "figure{margin:0;border:1px solid #ddd;padding:.5em}figure img{width:100%}"
        "table{border-collapse:collapse;font-size:.85em;margin:.5em 0}td,th{border:1px solid #ddd;"
        "padding:.25em .5em;text-align:left;vertical-align:top}pre{background:#f6f6f6;padding:1em;"
        "overflow:auto;font-size:.8em}.num{text-align:right}</style></head><body>",
        f"<h1>Sift corpus report</h1><p class='sub'>version <b>{esc(data['version'])}</b> · "
        f"{data['documents']} documents · parent {esc(str(data['manifest']['parent_version'] or '-'))} · "
        f"created {esc(str(data['manifest'].get('created_at', '-')))}</p>",
        "<h2>Counts per stage</h2><table><tr><th>stage</th><th>in</th><th>kept</th><th>dropped</th>"
        "<th>errors</th><th>keep rate</th></tr>",
    ]
    for stage, c in data["stages"].items():
        parts.append(
            f"<tr><td>{esc(stage)}</td><td class='num'>{c['input']}</td><td class='num'>{c['kept']}</td>"
            f"<td class='num'>{c['dropped_total']}</td><td class='num'>{c['errors_total']}</td>"
            f"<td class='num'>{c['keep_rate']:.3f}</td></tr>"
        )
    parts.append(
        "</table><h2>Languages</h2><table><tr><th>language</th><th>documents</th><th>words</th>"
        "<th>characters</th></tr>"
    )
    for language, t in data.get("by_language", {}).items():
        parts.append(
            f"<tr><td>{esc(language)}</td><td class='num'>{t['documents']}</td>"
            f"<td class='num'>{t['words']}</td><td class='num'>{t['characters']}</td></tr>"
        )
    parts.append("</table><h2>Plots</h2><div class='grid'>")
    for caption, uri in figures:
        parts.append(
            f"<figure><img alt='{esc(caption)}' src='{uri}'><figcaption>{esc(caption)}</figcaption></figure>"
        )
    parts.append("</div><h2>Examples of removed documents</h2>")
    for reason, rows in data["examples"].items():
        parts.append(
            f"<h3>{esc(reason)}</h3><table><tr><th>url</th><th>value</th><th>threshold</th><th>text</th></tr>"
        )
        for row in rows:
            text = row["text_head"] or row["message"] or ""
            value = "" if row["value"] is None else f"{row['value']:.4g}"
            cells = (str(row["url"]), value, str(row["threshold"] or ""), text[:300])
            parts.append("<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in cells) + "</tr>")
        parts.append("</table>")
    manifest = data["manifest"]
    inputs = "<br>".join(esc(f"{i['path']} ({i['bytes']} bytes)") for i in manifest["inputs"])
    shards = "<br>".join(
        esc(f"{s['file']}: {s['rows']} rows, {s['bytes']} bytes") for s in manifest["shards"]
    )
    parts += [
        "<h2>Manifest</h2><table>",
        f"<tr><th>config fingerprint</th><td>{esc(manifest['config_fingerprint'])}</td></tr>",
        f"<tr><th>git commit</th><td>{esc(str(manifest.get('git_commit', '-')))}</td></tr>",
        f"<tr><th>inputs</th><td>{inputs}</td></tr>",
        f"<tr><th>shards</th><td>{shards}</td></tr>",
        "</table><h2>Recipe</h2>",
        f"<pre>{esc(yaml.safe_dump(data['config'], sort_keys=False))}</pre>",
        "<script type='application/json' id='report-data'>",
        json.dumps(
            {k: v for k, v in data.items() if k not in ("lengths", "signals")}
            | {"scores": {k: {"cutoff": v["cutoff"]} for k, v in data["scores"].items()}}
        ).replace("</", "<\\/"),
        "</script></body></html>",
    ]
    return "\n".join(parts)


def build_report(corpus_dir: Path, version: str = "latest", out: Path | None = None) -> Path:
    """Write the report for `version` (default: the newest) and return its path.

    Reports go beside the corpus (`output/reports/<version>.html` for `output/corpus`), never
    inside a version folder: published versions do not change.
    """
    version = resolve_version(corpus_dir, version)
    out = out or corpus_dir.parent / "reports" / f"{version}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    page = render(report_data(corpus_dir, version))
    write_text(out, page)
    return out


def embedded_data(page: str) -> dict[str, Any]:
    """The JSON a report page carries (what tests and tools read back)."""
    start = page.index("<script type='application/json' id='report-data'>") + len(
        "<script type='application/json' id='report-data'>"
    )
    return json.loads(page[start : page.index("</script>", start)].replace("<\\/", "</"))
