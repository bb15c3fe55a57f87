"""When the machine fails the run (a full disk, a folder it may not write, a model file gone): a clear
one-line error naming the file and the cause, a non-zero exit, and no version published, whole or part.
"""

from __future__ import annotations

import errno
import shutil

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline import cli
from pipeline.config import load_config
from pipeline.filters.language import bundled_model_path
from tests.reliability.faults import can_mount, can_obey_permissions, error_line, left_behind, sift

needs_mount = pytest.mark.skipif(not can_mount(), reason="needs root and a mount namespace (unshare)")
needs_permissions = pytest.mark.skipif(not can_obey_permissions(), reason="root ignores permission bits")


@needs_mount
def test_a_full_disk_while_publishing_names_the_file_and_leaves_no_partial_version(ready):
    result = sift(["publish", "-c", "recipe.yaml"], ready, mount=("size=16k", ready / "corpus"))
    assert result.returncode == 1
    message = error_line(result)
    assert (
        message.startswith(f"error: {ready / 'corpus'}/.v0001-")
        and ".parquet: No space left on device [ENOSPC]" in message
    )
    assert (ready / "left.txt").read_text() == ""  # no version, no staging folder, no temporary file


@needs_mount
def test_a_full_disk_while_extracting_names_the_file(ready):
    result = sift(["extract", "-c", "recipe.yaml"], ready, mount=("size=12k", ready / "work"))
    assert result.returncode == 1
    assert error_line(result).startswith(
        f"error: {ready / 'work' / 'extract'}/part-00000.parquet: No space left on device"
    )
    assert ".tmp-" not in (ready / "left.txt").read_text()


def test_a_file_size_limit_while_publishing_names_the_file_and_leaves_no_partial_version(ready):
    # RLIMIT_FSIZE: the kernel refuses to grow any file past 20 kB, as a nearly full disk would.
    result = sift(["publish", "-c", "recipe.yaml"], ready, max_file_bytes=20_000)
    assert result.returncode == 1
    assert "train-00000-of-00001.parquet: File too large [EFBIG]" in error_line(result)
    assert left_behind(ready / "corpus") == []


@needs_mount
def test_a_read_only_output_folder_is_refused_with_the_folder_named(ready):
    result = sift(["publish", "-c", "recipe.yaml"], ready, mount=("ro,size=16k", ready / "corpus"))
    assert result.returncode == 1
    assert error_line(result) == (
        f"error: {ready / 'corpus' / '.sift.lock'}: Read-only file system [EROFS]; "
        "point workdir / publish.dir at a writable file system"
    )


@needs_permissions
def test_an_output_folder_without_write_permission_is_refused_with_the_folder_named(ready):
    (ready / "corpus").mkdir(mode=0o555)
    result = sift(["publish", "-c", "recipe.yaml"], ready, obey_permissions=True)
    assert result.returncode == 1
    assert error_line(result) == (
        f"error: {ready / 'corpus' / '.sift.lock'}: Permission denied [EACCES]; "
        "check the folder's permissions, or point workdir / publish.dir elsewhere"
    )
    assert left_behind(ready / "corpus") == []


def test_a_write_error_that_names_no_file_is_reported_with_the_file_being_written(ready, monkeypatch):
    """Arrow's write errors (and a write's ENOSPC) carry no file name; the writer adds it, and cleans up."""
    corpus = ready / "corpus"
    write = pq.ParquetWriter.write_table

    def disk_full_in_corpus(writer, table, *args, **kwargs):
        if str(writer.where).startswith(str(corpus)):
            raise OSError(
                errno.ENOSPC, "Error writing bytes to file. Detail: [errno 28] No space left on device"
            )
        return write(writer, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", disk_full_in_corpus)
    monkeypatch.chdir(ready)
    result = CliRunner().invoke(cli.app, ["publish", "-c", "recipe.yaml"])
    assert result.exit_code == 1
    assert (
        f"{corpus}/.v0001-" in result.output
        and "train-00000-of-00001.parquet: No space left on device [ENOSPC]" in result.output
    )
    assert left_behind(corpus) == []


def test_a_missing_model_file_fails_before_any_work_naming_the_key_and_the_path(ready):
    result = sift(["run", "-c", "recipe.yaml", "--set", "filters.1.model_path=/nope/lid.176.ftz"], ready)
    assert result.returncode == 2
    assert "filters.1.model_path: no language model at /nope/lid.176.ftz" in result.stderr
    assert "Traceback" not in result.stderr and not (ready / "corpus").exists()


def test_a_model_file_that_vanishes_during_the_run_fails_it_naming_the_path(ready, monkeypatch):
    model = ready / "lid.176.ftz"
    shutil.copy(bundled_model_path(), model)

    def load_then_lose_the_model(*args, **kwargs):
        cfg = load_config(*args, **kwargs)  # the recipe checks the file is there...
        model.unlink()  # ...and it is gone by the time the filter stage needs it
        return cfg

    monkeypatch.setattr(cli, "load_config", load_then_lose_the_model)
    monkeypatch.chdir(ready)
    result = CliRunner().invoke(
        cli.app, ["run", "-c", "recipe.yaml", "--set", f"filters.1.model_path={model}"]
    )
    assert result.exit_code == 1
    assert f"error: no language model at {model}; reinstall" in result.output
    assert left_behind(ready / "corpus") == []
