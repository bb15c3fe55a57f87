import yaml

from benchmarks.end_to_end import SAME_STAGES, sift_recipe
from pipeline.config import validate_config
from tests.conftest import REPO


def test_the_benchmark_recipe_takes_overrides_after_its_own_settings(tmp_path):
    base = yaml.safe_load((REPO / "configs" / "corpus.yaml").read_text())
    default = base["extract"]["favor_precision"]
    overrides = (f"extract.favor_precision={str(not default).lower()}", "workers=1")
    recipe = sift_recipe(base, tmp_path / "in", tmp_path, 2, True, "trafilatura", overrides)
    cfg = validate_config(recipe)
    assert cfg.extract.favor_precision is (not default) and cfg.workers == 1
    assert [spec.name for spec in cfg.filters] == [
        n for n in (s["name"] for s in base["filters"]) if n in SAME_STAGES
    ]
    assert base["extract"]["favor_precision"] is default  # the parsed default recipe is left as it was
