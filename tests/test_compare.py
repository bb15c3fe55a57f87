import pytest

from pipeline.compare import diff_versions, flatten, resolve_version
from pipeline.runner import run
from tests.conftest import make_config
from tests.inputs import language_page


@pytest.fixture
def two_versions(tmp_path, pages_warc):
    run(make_config(tmp_path, [pages_warc], filters=[]))
    run(make_config(tmp_path, [pages_warc], filters=[{"name": "language", "languages": ["en"]}]))
    return tmp_path / "corpus"


def test_diff_reports_removed_documents_with_their_reason(two_versions):
    result = diff_versions(two_versions, "v0001", "latest")
    assert result.added.height == 0
    assert {language_page("de")[0], language_page("fr")[0]} <= set(result.removed["url"])
    assert set(result.removed["reason"]) == {"language_not_wanted"}
    assert set(result.removed["filter"]) == {"language"}
    assert any(key.startswith("filters.0") for key, _, _ in result.config_changes)


def test_diff_the_other_way_reports_additions(two_versions):
    forward = diff_versions(two_versions, "v0001", "v0002")
    backward = diff_versions(two_versions, "v0002", "v0001")
    assert backward.removed.height == 0
    assert sorted(backward.added["id"]) == sorted(forward.removed["id"])


def test_unknown_version_lists_the_known_ones(two_versions):
    with pytest.raises(ValueError, match="v0001-"):
        resolve_version(two_versions, "v0009")


def test_flatten_uses_set_paths():
    assert flatten({"filters": [{"name": "x", "min": 1}], "workers": 2}) == {
        "filters.0.name": "x",
        "filters.0.min": 1,
        "workers": 2,
    }
