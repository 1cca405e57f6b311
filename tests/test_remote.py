"""The store published for cluster workers that do not share the run machine's folders (remote.py, --store-url)."""

from __future__ import annotations

import hashlib

import nbformat
import pytest
from fsspec.implementations.local import LocalFileSystem

from cchc_analysis.errors import CchcError, UsageError
from cchc_analysis.periods import parse_period
from cchc_analysis.remote import publish_store, redact, stage_store
from cchc_analysis.run import run_period
from tests.test_run import small  # noqa: F401 - the fixture


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def data(tmp_path):
    """A data folder as an ingest leaves it, with what must never leave the machine."""
    data = tmp_path / "data"
    files = {
        "raw/thanh-giang/q3.xlsx": b"names and phone numbers",
        ".cchc_pseudonym_key": b"k" * 32,
        "processed/files/0a1b.parquet": b"per-file cache",
        "units.yaml": b"scope: Huyen Thanh Mien\n",
        "processed/par.parquet": b"par table",
        "processed/dossiers/province=30/year=2023/part-0.parquet": b"dossiers 2023",
        "processed/ingest_report.json": b'{"files": []}',
    }
    for rel, content in files.items():
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_bytes(content)
    return data


PUBLISHED = {
    "units.yaml",
    "processed/par.parquet",
    "processed/dossiers/province=30/year=2023/part-0.parquet",
    "processed/ingest_report.json",
}


def test_publishing_uploads_what_a_brief_reads_and_nothing_personal(data, tmp_path):
    url = (tmp_path / "bucket").as_uri()
    listing, uploaded = publish_store(data, url)
    assert set(listing) == PUBLISHED and uploaded == 4
    assert listing["processed/par.parquet"] == sha(b"par table")
    stored = {p.name: p.read_bytes() for p in (tmp_path / "bucket").rglob("*") if p.is_file()}
    assert set(stored) == set(listing.values())  # objects under their sha256, nothing else
    assert not set(stored.values()) & {b"names and phone numbers", b"k" * 32, b"per-file cache"}
    # one file changed: only its new content goes up; the old object stays for a run still reading it
    (data / "processed" / "par.parquet").write_bytes(b"par table, again")
    again, uploaded = publish_store(data, url)
    assert uploaded == 1 and again["processed/par.parquet"] == sha(b"par table, again")
    assert {k: v for k, v in again.items() if k != "processed/par.parquet"} == {
        k: v for k, v in listing.items() if k != "processed/par.parquet"
    }
    assert (tmp_path / "bucket" / "objects" / listing["processed/par.parquet"]).is_file()
    # the run's own files ride along under the names the briefs read
    run = tmp_path / "chi-so.json"
    run.write_text("[]")
    with_run, uploaded = publish_store(data, url, {"run/chi-so.json": run})
    assert with_run["run/chi-so.json"] == sha(b"[]") and uploaded == 1


def test_a_store_half_ingested_is_not_published(data, tmp_path):
    (data / "processed" / "ingest.unfinished").write_text("")
    with pytest.raises(CchcError, match="nhập dở dang"):
        publish_store(data, (tmp_path / "bucket").as_uri())
    assert not (tmp_path / "bucket").exists()


def test_a_worker_stages_each_object_once_and_checks_it(data, tmp_path, monkeypatch):
    url = (tmp_path / "bucket").as_uri()
    listing, _ = publish_store(data, url)
    cache = tmp_path / "cache"
    folder = stage_store(url, listing, cache)
    staged = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert staged == {rel: (data / rel).read_bytes() for rel in PUBLISHED}
    assert stage_store(url, listing, cache) == folder  # the same listing: the folder already built

    fetched = []
    real = LocalFileSystem.get_file

    def counted(self, rpath, lpath, *a, **kw):
        fetched.append(rpath.rsplit("/", 1)[-1])
        return real(self, rpath, lpath, *a, **kw)

    monkeypatch.setattr(LocalFileSystem, "get_file", counted)
    (data / "processed" / "par.parquet").write_bytes(b"par table, again")
    second, _ = publish_store(data, url)
    other = stage_store(url, second, cache)
    assert other != folder and fetched == [sha(b"par table, again")]  # the other three from the machine's cache
    assert (other / "processed" / "par.parquet").read_bytes() == b"par table, again"
    assert (folder / "processed" / "par.parquet").read_bytes() == b"par table"  # the first run's folder unchanged

    # an object altered in the bucket is refused, naming the file; nothing half-built is left
    (tmp_path / "bucket" / "objects" / listing["units.yaml"]).write_bytes(b"scope: somewhere else\n")
    with pytest.raises(CchcError, match=r"units\.yaml.*sha256"):
        stage_store(url, listing, tmp_path / "fresh")
    left = [p.relative_to(tmp_path / "fresh") for p in (tmp_path / "fresh").rglob("*") if p.is_file()]
    assert not [p for p in left if p.parts[0] == "stores" or p.name.startswith(listing["units.yaml"])]


def test_credentials_in_a_url_are_never_written_down():
    assert redact("s3://AKIA:secret@bucket/cchc") == "s3://bucket/cchc"
    assert redact("s3://bucket/cchc") == "s3://bucket/cchc"
    assert redact("file:///srv/cchc") == "file:///srv/cchc"


def test_a_store_url_needs_a_cluster_and_a_known_protocol(small):  # noqa: F811
    period = parse_period("2023Q3")
    with pytest.raises(UsageError, match="--cluster"):
        run_period(small / "data", small / "reports", period, store_url=(small / "bucket").as_uri())
    with pytest.raises(UsageError, match="không biết giao thức «nosuchprotocol»"):
        run_period(small / "data", small / "reports", period, cluster="local", store_url="nosuchprotocol://b/x")
    assert not (small / "reports" / "2023Q3").exists()


def test_briefs_rendered_by_workers_that_read_only_the_published_store(small, tmp_path, monkeypatch):  # noqa: F811
    # the workers (a LocalCluster's processes) stage the store from the bucket into their cache, render there and
    # send the briefs back: the same briefs as a run on this machine, written into the run's folder
    cache = tmp_path / "worker-cache"
    monkeypatch.setenv("CCHC_CACHE_DIR", str(cache))
    period = parse_period("2023Q3")
    here = run_period(small / "data", small / "here", period, jobs=1, allow_incomplete=True, formats=["html"])
    bucket = (small / "bucket").as_uri()
    manifest = run_period(
        small / "data", small / "reports", period, jobs=2, allow_incomplete=True, formats=["html"], cluster="local",
        store_url=bucket,
    )  # fmt: skip
    assert {t["name"]: t["status"] for t in manifest["tasks"]} == {t["name"]: "ok" for t in here["tasks"]}
    assert manifest["parameters"]["store_url"] == bucket
    folder = small / "reports" / "2023Q3"
    for task in manifest["tasks"]:
        html = folder / f"{task['slug']}_2023Q3.html"
        assert html.read_bytes() == (small / "here" / "2023Q3" / html.name).read_bytes()
        assert sorted(task["outputs"]) == sorted([str(html), task["output"]])
        executed = nbformat.read(task["output"], as_version=4)
        injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
        assert f'data_dir = "{cache / "stores"}' in injected.source  # the staged copy, not the data folder
    objects = [p.name for p in (small / "bucket" / "objects").iterdir()]
    assert objects and not any(name.endswith(".part") for name in objects)


def test_a_worker_that_cannot_stage_the_store_fails_its_brief_with_the_reason(data, tmp_path, monkeypatch):
    from cchc_analysis import run

    monkeypatch.setenv("CCHC_CACHE_DIR", str(tmp_path / "cache"))
    url = (tmp_path / "bucket").as_uri()
    listing, _ = publish_store(data, url)
    listing["processed/par.parquet"] = sha(b"never published")
    task = {"name": "Xã Thanh Giang", "output": str(tmp_path / "reports" / "notebooks" / "tg.ipynb"), "parameters": {}}
    remote = {"url": url, "listing": listing, "run_folder": str(tmp_path / "reports")}
    result = run._cluster_execute({**task, "publish_base": ""}, None, ["html"], (), remote)
    assert result["status"] == "failed" and result["error"].startswith("nạp kho: Tệp processed/par.parquet")
    assert result["outputs"] == [] and not (tmp_path / "reports").exists()


def test_a_protocol_whose_package_is_missing_names_the_package(monkeypatch):
    import fsspec

    from cchc_analysis.remote import filesystem

    def missing(url, **kw):
        raise ImportError("Install s3fs to access S3")

    monkeypatch.setattr(fsspec.core, "url_to_fs", missing)
    with pytest.raises(UsageError, match=r"«s3».*pip install s3fs") as raised:
        filesystem("s3://AKIA:secret@bucket/cchc")
    assert "secret" not in str(raised.value)
