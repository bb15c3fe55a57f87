"""The recipe: pydantic models, one per YAML section; loading, `--set` overrides, validation, fingerprint.

Every mistake in a recipe is caught here, before any work starts, and reported with the dotted key
and what that key allows.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.extract_options import BLOCK_MODEL_OPTIONS, TRAFILATURA_OPTIONS

DEFAULT_CONFIG_PATH = Path("configs/corpus.yaml")


class ConfigError(ValueError):
    """A recipe that cannot run; the message names the key and what it allows."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class FieldMapping(Section):
    """Which fields of a JSONL or Parquet row hold the page; `html` wins when a row has both."""

    html: str | None = Field("html", description="Field with the raw HTML, extracted with trafilatura.")
    text: str | None = Field("text", description="Field with ready text, taken as is.")
    url: str | None = "url"
    id: str | None = Field(
        "id", description="The row's own id; makes the document id independent of row order."
    )
    date: str | None = Field("date", description="Fetch date: ISO 8601, HTTP date or Unix seconds.")

    @model_validator(mode="after")
    def _html_or_text(self) -> FieldMapping:
        if self.html is None and self.text is None:
            raise ValueError("set at least one of html, text")
        return self


class SourceConfig(Section):
    path: str = Field(
        description="A file, a directory, a glob or an fsspec URL (file://, s3://bucket/crawl/*.warc.gz, memory://)."
    )
    format: Literal["auto", "warc", "html", "jsonl", "parquet"] = "auto"
    fields: FieldMapping = FieldMapping()


class ResiliparseConfig(Section):
    """resiliparse's `extract_plain_text` options, used when `extract.extractor` is resiliparse.

    The defaults are chosen by token F1 on the ScrapingHub and WCXB dev pages (benchmarks/RESULTS.md,
    "resiliparse options": an option flips if that raises F1 on both sets). Two differ from
    resiliparse's own: main_content (off there) and alt_texts (on there; off is +0.017 / +0.011 F1).
    """

    main_content: bool = Field(True, description="Keep only what its heuristics take for the main content.")
    # Token F1 cannot see lines; the line filters (c4, fineweb, boilerplate_lines) need them.
    preserve_formatting: bool = Field(True, description="Keep paragraphs and line breaks (a line per block).")
    list_bullets: bool = Field(True, description="Start list items with a bullet or number.")
    alt_texts: bool = Field(False, description="Keep images' alternative texts.")
    links: bool = Field(False, description="Append link targets to link texts.")
    form_fields: bool = Field(False, description="Keep form fields and their values.")
    noscript: bool = Field(False, description="Keep the contents of <noscript> elements.")
    comments: bool = Field(True, description="Count comment sections as main content.")
    post_meta: bool = Field(True, description="Keep a post's meta data (author, date line) in the text.")
    hidden_elements: bool = Field(False, description="Keep elements whose class names hide them.")
    skip_elements: list[str] = Field([], description="CSS selectors of elements to leave out.")

    @field_validator("skip_elements")
    @classmethod
    def _selectors_parse(cls, selectors: list[str]) -> list[str]:
        if not selectors:  # nothing to check: no resiliparse import in every process that reads a recipe
            return selectors
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import CSSParserException

        for selector in selectors:
            try:
                extract_plain_text("<p>x</p>", skip_elements=[selector])
            except CSSParserException:
                raise ValueError(f"{selector!r} is not a CSS selector resiliparse can parse") from None
        return selectors


class ExtractConfig(Section):
    """Which extractor and its options, the limits that keep one page from stalling a run, and the
    output's shape. The trafilatura options sit at the top of the section, where they always were."""

    extractor: Literal["trafilatura", "resiliparse"] = Field(
        "trafilatura", description="trafilatura: best on articles. resiliparse: 1/6 the CPU (README)."
    )
    resiliparse: ResiliparseConfig = ResiliparseConfig()
    favor_precision: bool = False
    favor_recall: bool = False
    include_comments: bool = False
    include_tables: bool = True
    deduplicate: bool = Field(False, description="Drop repeated paragraphs within a page.")
    fast: bool = Field(False, description="Skip trafilatura's fallback extractors: faster, a little worse.")
    target_language: str | None = None
    block_model: bool | None = Field(
        None,
        description="Check trafilatura's text block by block with the learned block model (README). "
        "Default: on; with extractor: resiliparse it has no say.",
    )
    block_model_agree: float = Field(
        0.95,
        ge=0,
        le=1,
        description="Where the model keeps this share of trafilatura's words or more, trafilatura's text "
        "stays and is checked (add, remove); elsewhere the text is the blocks the model keeps.",
    )
    block_model_keep_held: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Where the text is the model's blocks: one trafilatura holds is kept at this.",
    )
    block_model_keep_other: float = Field(
        0.4, ge=0, le=1, description="Where the text is the model's blocks: any other is kept at this."
    )
    block_model_add: float = Field(
        0.65, ge=0, le=1, description="A block trafilatura left out comes back at this probability or more."
    )
    block_model_remove: float = Field(
        0.3, ge=0, le=1, description="A line of trafilatura's goes when its blocks all score under this."
    )
    min_text_chars: int = Field(1, ge=0, description="Shorter extractions are dropped as empty_text.")
    max_html_bytes: int = Field(
        5 * 2**20, ge=1, description="Larger pages are dropped as too_large before extraction."
    )
    time_limit_s: float = Field(
        30.0, gt=0, description="CPU seconds per page; a page that needs more is an error."
    )
    worker_memory_mb: int | None = Field(
        4096, ge=256, description="Address-space cap per worker; a page that needs more is an error."
    )
    records_per_shard: int = Field(
        2000, ge=1, description="Input records per extract shard at most; a shard also ends with its file."
    )
    batch_size: int = Field(32, ge=1, description="Records sent to a worker at a time.")

    @model_validator(mode="after")
    def _one_bias(self) -> ExtractConfig:
        if self.favor_precision and self.favor_recall:
            raise ValueError("favor_precision and favor_recall exclude each other; set at most one")
        if self.block_model is None or self.extractor != "trafilatura":
            # Like trafilatura's own options, it has no say with resiliparse (it checks trafilatura's text).
            self.block_model = self.extractor == "trafilatura" and self.block_model is not False
        return self

    def recipe(self) -> dict[str, Any]:
        """The section as the fingerprint sees it: the chosen extractor's options, not the other's.
        A trafilatura recipe is dumped as it was before resiliparse was a choice, so its
        fingerprint (and every version published with it) stays what it was."""
        dumped = self.model_dump(mode="json")
        if self.extractor == "trafilatura":
            del dumped["extractor"], dumped["resiliparse"]
        else:
            for name in (*TRAFILATURA_OPTIONS, *BLOCK_MODEL_OPTIONS, "deduplicate"):
                del dumped[name]
        return dumped


class FilterConfig(Section):
    """One entry of `filters:`; its parameters are checked against the named filter."""

    model_config = ConfigDict(extra="allow")
    name: str

    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class LinesConfig(Section):
    """`dedup.lines`: remove lines repeated across many documents (site boilerplate); see docs/dedup.md."""

    enabled: bool = False
    # Defaults measured on the bundled sample and the bench WARC pages (docs/dedup.md, benchmarks/RESULTS.md).
    min_docs: int = Field(
        4, ge=2, description="A line in this many documents (of one domain, with scope: domain) goes."
    )
    scope: Literal["corpus", "domain"] = Field(
        "domain", description="Count a line's documents corpus-wide, or per domain (URL host)."
    )
    min_chars: int = Field(
        10, ge=0, description="Lines shorter than this (normalised characters) are never counted nor removed."
    )
    normalise: bool = Field(
        True, description="Compare lines case-, accent-, punctuation- and digit-blind (as dedup folds text)."
    )
    min_text_chars: int = Field(
        200, ge=0, description="A document left with fewer characters after removal is dropped."
    )


class DedupConfig(Section):
    """Exact and MinHash LSH near-duplicate removal, and repeated-line removal; see docs/dedup.md."""

    enabled: bool = True
    exact: bool = True
    near: bool = True
    ngram: int = Field(5, ge=1, description="Words per shingle.")
    num_perm: int = Field(128, ge=8, le=1024)
    threshold: float = Field(0.8, gt=0.0, lt=1.0, description="Jaccard similarity of duplicates.")
    bands: int | None = Field(None, ge=1, description="LSH bands; default: chosen from threshold.")
    rows: int | None = Field(None, ge=1, description="Signature values per band; set with bands.")
    seed: int = Field(1, ge=0)
    scheme: Literal["affine32", "legacy"] = "affine32"
    verify: bool = Field(True, description="Link LSH candidates only if estimated Jaccard >= threshold.")
    keep: Literal["first", "longest", "newest", "best"] = "first"
    best_signal: str | None = Field(None, description="Column or quality signal that keep: best maximizes.")
    against: list[str] = Field([], description="Published versions (id or path) to deduplicate against.")
    lines: LinesConfig = LinesConfig()
    clustering: Literal["auto", "in_memory", "partitioned"] = Field(
        "auto",
        description="How, not what: partitioned shuffles band keys so no process holds every signature "
        "(auto: partitioned on Ray, in memory locally). The clusters are the same.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> DedupConfig:
        if (self.bands is None) != (self.rows is None):
            raise ValueError("dedup.bands and dedup.rows go together: set both, or neither")
        if self.bands is not None and self.bands * self.rows > self.num_perm:
            raise ValueError(f"dedup.bands * dedup.rows must be <= num_perm ({self.num_perm})")
        if (self.keep == "best") != (self.best_signal is not None):
            raise ValueError("dedup.best_signal names the column or quality signal of keep: best (only)")
        if self.against and not self.enabled:
            raise ValueError("dedup.against needs dedup.enabled: true")
        if self.lines.enabled and not self.enabled:
            raise ValueError("dedup.lines.enabled needs dedup.enabled: true")
        return self


class PublishConfig(Section):
    dir: str = "output/corpus"
    name: str = "sift-corpus"
    shard_bytes: int = Field(256 * 2**20, ge=2**10, description="Target size of a Parquet shard file.")
    # The Hugging Face viewer rejects row groups over 286 MiB; stay well under.
    row_group_bytes: int = Field(100 * 2**20, ge=2**10, le=256 * 2**20)
    license: str = Field("other", description="License tag on the dataset card.")
    source_licenses: list[str] = Field(
        default_factory=list, description="What covers the source data, shown on the dataset card."
    )


class RayConfig(Section):
    """Where and how to run on Ray (used when `engine: ray`)."""

    address: str | None = Field(
        None, description="auto, ray://host:port or host:port of a running cluster; null starts a local Ray."
    )
    max_retries: int = Field(3, ge=0, description="Times a task is rerun when its worker dies.")
    object_store_mb: int | None = Field(None, ge=64, description="Object store of a local Ray, in MB.")


class Config(Section):
    sources: list[SourceConfig] = Field(min_length=1)
    workdir: str = "output/work"
    workers: int = Field(2, ge=1)
    engine: Literal["local", "ray"] = "local"
    ray: RayConfig = RayConfig()
    extract: ExtractConfig = ExtractConfig()
    filters: list[FilterConfig] = []
    dedup: DedupConfig = DedupConfig()
    publish: PublishConfig = PublishConfig()

    @field_validator("filters")
    @classmethod
    def _known_filters(cls, filters: list[FilterConfig]) -> list[FilterConfig]:
        from pipeline.filters import validate_filter_params
        from pipeline.filters.languages import LanguageRulesParams, unknown_languages

        signal_of: dict[str, int] = {}  # a filter's own signal name (classifier) -> its entry
        for index, spec in enumerate(filters):
            params = validate_filter_params(spec.name, spec.params(), where=f"filters.{index}")
            if (signal := getattr(params, "signal", None)) is not None:
                if signal in signal_of:
                    raise ValueError(
                        f"filters.{index}.signal: {signal!r} is already the signal of filters."
                        f"{signal_of[signal]}; give each entry its own, e.g. signal: edu_score"
                    )
                signal_of[signal] = index
            if isinstance(params, LanguageRulesParams) and params.language_aware():
                # Per-language rules read the `language` column, which only the language filter writes.
                if not any(earlier.name == "language" for earlier in filters[:index]):
                    raise ValueError(
                        f"filters.{index}: by_language and per_language need a `language` filter "
                        "earlier in the chain"
                    )
                unknown = unknown_languages(params.per_language)
                if unknown:
                    raise ValueError(f"filters.{index}.per_language: unknown language code(s) {unknown}")
        return filters

    def fingerprint(self) -> str:
        """A short hash of everything that decides the corpus's content (not where or how fast)."""
        recipe = self.model_dump(mode="json", exclude={"workers", "workdir", "engine", "ray"})
        recipe["extract"] = self.extract.recipe()
        recipe["publish"].pop("dir", None)
        recipe["dedup"].pop("clustering", None)
        if not self.dedup.lines.enabled:  # off, its settings decide nothing: recipes before it keep theirs
            recipe["dedup"].pop("lines", None)
        from pipeline.filters.language import screen_of_chain

        # On by default, the screen is in no recipe's text; it moves drops into the extract stage's
        # ledger, so a version built with it is a version of its own.
        if screen := screen_of_chain([(spec.name, spec.params()) for spec in self.filters]):
            recipe["language_screen"] = screen
        canonical = json.dumps(recipe, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    @property
    def work_path(self) -> Path:
        return Path(self.workdir)


def load_config(path: str | Path = DEFAULT_CONFIG_PATH, overrides: list[str] | None = None) -> Config:
    """Read a YAML recipe, apply `key.path=value` overrides, validate; raise ConfigError if invalid."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path} (pass --config FILE)")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from err
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections")
    for override in overrides or []:
        apply_override(raw, override)
    return validate_config(raw, origin=str(path))


def validate_config(raw: dict[str, Any], origin: str = "config") -> Config:
    try:
        return Config.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(f"{origin}: invalid recipe\n" + explain(err)) from None


def apply_override(raw: dict[str, Any], override: str) -> None:
    """Set `a.b.0.c=value` in the raw recipe; the value is parsed as YAML, as `dvc exp run -S` does."""
    key, sep, text = override.partition("=")
    if not sep or not key:
        raise ConfigError(f"--set {override!r}: expected key.path=value")
    value = yaml.safe_load(text)
    parts = key.split(".")
    node: Any = raw
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ConfigError(f"--set {key}: {where} is not an index of a {len(node)}-item list")
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
        else:
            raise ConfigError(f"--set {key}: {'.'.join(parts[:depth])} is a value, not a section")


def explain(err: ValidationError) -> str:
    """Turn pydantic's errors into lines that name the dotted key and what it allows."""
    lines = []
    for problem in err.errors():
        key = ".".join(str(part) for part in problem["loc"])
        if problem["type"] == "extra_forbidden":
            allowed = allowed_keys(problem["loc"][:-1])
            lines.append(f"  {key}: unknown key; allowed here: {', '.join(allowed)}")
        else:
            message = problem["msg"].removeprefix("Value error, ")
            got = problem.get("input")
            # A whole section as "got" buries the message; filter errors already name their key.
            shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
            where = "" if message.startswith(f"{key}.") else f"{key}: "
            lines.append(f"  {where}{message}{shown}")
    return "\n".join(lines)


def allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The field names of the section at `loc` in the Config tree."""
    model: Any = Config
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        model = next(
            (a for a in (annotation, *args) if isinstance(a, type) and issubclass(a, BaseModel)),
            None,
        )
        if model is None:
            return []
    return sorted(model.model_fields)
