"""The processed store: ingest every raw export once into typed Parquet, with rejects and an ingest report.

Layout of ``<data dir>/processed/``::

    dossiers/province=<p>/year=<y>/part-0.parquet
                              one row per dossier (unit, code), duplicates across exports resolved, partitioned
                              (hive layout) by the unit's province and the year of receipt, sorted by unit and
                              code; a partition file is rewritten only when its content changes; a store without
                              dossiers (and stores written by hand or by earlier versions) has one dossiers.parquet
    rejects.parquet           rejected rows and dropped values: file, sheet, row, column, value (masked), reason
    ingest_report.json        one entry per raw file: sha256, kind, unit, period, rows read/kept/rejected, warnings
    files/<id>.parquet        the rows of each raw file, reused while the file's sha256 is unchanged

Re-running on unchanged inputs rewrites nothing; a changed or replaced file replaces its earlier rows; a file
removed from raw/ disappears from the store. ``raw/`` is only ever read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path

import pandas as pd

from .errors import CchcError, InputFileError, UnitLookupError
from .fileio import file_sha256, temporary_beside, write_atomic, write_if_changed
from .ingest.catalogue import link_to_catalogue, unused_procedures
from .ingest.classify import KINDS, classify
from .ingest.common import REJECT_COLUMNS, FileReport
from .ingest.grid import ColumnarGrid, read_grids
from .ingest.mapping import FileMapping, Mapping, load_mapping
from .ingest.onestop import OUTPUT_COLUMNS, ReadRules, all_distinct, deduplicate
from .ingest.readers import READERS, FileToRead
from .ingest.textfile import NotATable
from .parallel import fork_map
from .periods import Period, parse_period
from .pseudonym import KEY_FILE_NAME, Pseudonymiser
from .registry import Unit, UnitRegistry
from .settings import Settings
from .states import StoreRows, finished_in_sql, handed_over_copies, may_count_in, may_count_sql, received_before
from .text import slugify

log = logging.getLogger(__name__)

# files that are never tables (documents, pictures, archives): listed as skipped; any other file is looked at, and
# its content, not its name, says what it is (a CSV saved as .xls, a workbook saved as .txt)
NOT_TABLE_SUFFIXES = {
    ".pdf",
    ".doc",
    ".docx",
    ".odt",
    ".rtf",
    ".ppt",
    ".pptx",
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".bmp",
    ".tif",
    ".tiff",
    ".zip",
    ".rar",
    ".7z",
    ".gz",
    ".md",
    ".lnk",
    ".ini",
    ".db",
    ".tmp",
    ".bak",
    ".mp4",
    ".msg",
    ".eml",
}
STORE_VERSION = 10  # bump whenever a reader changes its output: every file is re-read


@cache
def dossier_schema():
    """The pandera schema every dossier table is checked against before it is written: the independent check of
    what the readers promise. (pandera is imported on first use: the commands that only read the store, such as
    ``cchc indicators``, never load it; an ingest loads it beside the parse of a large sheet.)"""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "unit_id": pa.Column(nullable=False),
            "code": pa.Column(nullable=False, checks=pa.Check(lambda s: s.str.len() > 0, error="mã hồ sơ rỗng")),
            "channel": pa.Column(nullable=True, checks=pa.Check.isin(["online", "direct", "postal"])),
            "status": pa.Column(
                nullable=True,
                checks=pa.Check.isin(
                    ["received", "in_progress", "supplement", "resolved", "returned", "withdrawn", "not_accepted"]
                ),
            ),
            "received_at": pa.Column("datetime64[ns]", nullable=False),
            "due_at": pa.Column("datetime64[ns]", nullable=True),
            "processed_at": pa.Column("datetime64[ns]", nullable=True),
            "result_at": pa.Column("datetime64[ns]", nullable=True),
            "handed_at": pa.Column("datetime64[ns]", nullable=True),
            "fee": pa.Column("float64", nullable=True, checks=pa.Check.ge(0)),
            "payment_method": pa.Column(nullable=True, checks=pa.Check.isin(["online", "transfer", "cash", "none"])),
            "applicant_key": pa.Column(
                nullable=True, checks=pa.Check(_hex_keys, error="khóa người nộp không phải 32 chữ số hex")
            ),
        },
        checks=pa.Check(_one_row_per_dossier, error="mã hồ sơ trùng trong một đơn vị"),
        strict=False,
    )


def _ready_schema() -> None:
    """Make the dossier schema and run it once on an empty table, which loads pandera and its backends (0.3 s on
    first use). Runs beside the parsing of a large sheet (see :func:`read_grids`), which leaves a core idle."""
    try:
        schema = dossier_schema()
        empty = pd.DataFrame(
            {
                name: pd.Series(dtype=column.dtype.type if column.dtype is not None else "str")
                for name, column in schema.columns.items()
            }
        )
        schema.validate(empty, lazy=True, inplace=True)
    except Exception:  # only a head start: the real check runs (and reports) whatever happened here
        log.debug("Chuẩn bị trước lược đồ không thành công", exc_info=True)


def _hex_keys(keys: pd.Series) -> bool | pd.Series:
    """Every key is 32 lower-case hex digits: True, or the mask of the keys that are (one Arrow regex pass)."""
    import pyarrow as arrow
    import pyarrow.compute as pc

    ok = pc.match_substring_regex(arrow.array(keys.array, type=arrow.large_string()), "^[0-9a-f]{32}$")
    return True if pc.all(ok).as_py() else pd.Series(ok.to_numpy(zero_copy_only=False), index=keys.index)


def _one_row_per_dossier(frame: pd.DataFrame) -> bool | pd.Series:
    """No (unit, code) pair repeats: True when no code repeats at all (one hash of the codes, the usual case),
    else the mask of the rows whose pair is unique, so that the error lists the others."""
    if all_distinct(frame["code"]):
        return True
    return ~frame.duplicated(["unit_id", "code"], keep=False)


@dataclass
class IngestOutcome:
    """What an ingest run did."""

    reports: list[FileReport] = field(default_factory=list)
    refused: list[FileReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files that are not tables (README, notes, PDFs...)
    skipped_reasons: dict[str, str] = field(default_factory=dict)
    dossiers: int = 0
    duplicates_across_files: int = 0
    key_id: str = ""

    def skip(self, rel: str, suffix: str) -> None:
        """A file of a kind that is never a table (.pdf, .docx...): listed, not read."""
        self.skipped.append(rel)
        self.skipped_reasons[rel] = f"tệp {suffix}, không phải bảng dữ liệu"

    def add(self, rel: str, report: FileReport) -> None:
        """A file's report: a text file is skipped, a refused file listed as refused."""
        if report.kind == "not_table":
            self.skipped.append(rel)
            self.skipped_reasons[rel] = "tệp văn bản, không phải bảng dữ liệu"
        if report.error:
            self.refused.append(report)
        self.reports.append(report)

    @property
    def nothing_read(self) -> bool:
        """No file under raw/ gave a table: raw/ is empty, or every file was refused or skipped."""
        return not any(r.kind in TABLES and not r.error for r in self.reports)

    @property
    def exit_code(self) -> int:
        return 1 if self.refused or self.nothing_read else 0


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    write_if_changed(path, _parquet_bytes(frame))


def _parquet_bytes(frame: pd.DataFrame, **options) -> bytes:
    import io

    buf = io.BytesIO()
    frame.to_parquet(buf, index=False, **options)
    return buf.getvalue()


def _table(frame: pd.DataFrame):
    """A file's rows as the Arrow table its cache holds. Parquet has no whole-second timestamps (it reads them
    back as milliseconds), so those become milliseconds here already."""
    import pyarrow as arrow

    seconds = {c: "datetime64[ms]" for c, t in frame.dtypes.items() if t == "datetime64[s]"}
    return arrow.Table.from_pandas(frame.astype(seconds) if seconds else frame, preserve_index=False)


def _frame(table) -> pd.DataFrame:
    """The one way a file's rows come back from Arrow, whether just read or reused from the cache: a first run
    and a rerun then see exactly the same types."""
    return table.to_pandas()


def _write_cache(table, path: Path) -> None:
    """Write one file's rows (runs on a worker thread: Parquet encoding releases the GIL)."""
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_beside(path)
    pq.write_table(table, tmp, write_statistics=False)  # read whole, never filtered: statistics would be unused
    os.replace(tmp, path)


def _read_cache(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    return _frame(pq.read_table(path))


def raw_files(raw_dir: Path) -> list[Path]:
    """Every file below raw/, in a stable order, hidden files excluded."""
    if not raw_dir.is_dir():
        return []
    return sorted(
        p
        for p in raw_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(raw_dir).parts)
    )


def ingest(
    data_dir: Path | str,
    *,
    registry: UnitRegistry | None = None,
    assume_unit: str | None = None,
    mapping_file: Path | str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    jobs: int | None = None,
) -> IngestOutcome:
    """Ingest every file under ``data_dir/raw`` into ``data_dir/processed`` (see the module docstring).
    ``progress(done, total, file)`` is called before each file is taken up (the CLI shows it). Files not read
    before are read on ``jobs`` processes (default: ``CCHC_JOBS`` or the number of cores)."""
    return _ingest(data_dir, registry, assume_unit, mapping_file, progress, jobs)


def _ingest(data_dir, registry, assume_unit, mapping_file, progress=None, jobs=None) -> IngestOutcome:
    settings = Settings.resolve(data_dir)
    raw_dir, out_dir = settings.raw_dir, settings.processed_dir
    if not raw_dir.is_dir():
        raise InputFileError(f"Không có thư mục dữ liệu gốc {raw_dir}: hãy chép các tệp xuất vào đó.")
    registry = registry or UnitRegistry.load(settings.data_dir)
    from .ingest.headers import onestop_vocabulary

    mapping = load_mapping(mapping_file, fields={f.name for f in onestop_vocabulary().fields}, registry=registry)
    if assume_unit:
        registry.lookup(assume_unit)  # fail early on a unit that does not exist
    pseudonymiser = Pseudonymiser.from_environment(settings.data_dir)
    rules = ReadRules.from_methodology()
    (out_dir / "files").mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / "files" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    settings_key = hashlib.sha256(
        json.dumps(
            [
                STORE_VERSION,
                pseudonymiser.key_id,
                assume_unit,
                mapping.source if mapping else None,
                str(rules),
                registry.fingerprint(),
            ],
            sort_keys=True,
        ).encode()
    ).hexdigest()[:16]
    outcome = IngestOutcome(key_id=pseudonymiser.key_id)
    new_manifest: dict[str, dict] = {}
    frames: dict[str, list[pd.DataFrame]] = {k: [] for k in TABLES}
    rejects = []
    run = _Run(raw_dir, out_dir, registry, pseudonymiser, assume_unit, mapping, settings_key, rules)
    paths = list(raw_files(raw_dir))
    unchanged = _unchanged(paths, raw_dir, out_dir, manifest, settings_key, pseudonymiser.key_id)
    if unchanged is not None:
        log.info("Không tệp nào trong raw/ thay đổi từ lần nhập trước: dùng lại kho dữ liệu.")
        return unchanged
    # the files to read now are read on forked workers (one core each); cached ones come from their Parquet
    plan: list[tuple[Path, str, dict | None, bool]] = []  # path, rel, manifest entry, rows from the cache
    to_read: list[tuple[Path, str]] = []
    for path in paths:
        rel = path.relative_to(raw_dir).as_posix()
        entry = manifest.get(rel)
        table = path.suffix.lower() not in NOT_TABLE_SUFFIXES
        # ingested before: an unchanged file is not read again, so its digest comes first; a new file is read
        # anyway, and the worker reading it takes its digest
        sha = file_sha256(path) if entry and table else ""
        cached = table and _cache_valid(run, rel, sha, entry)
        plan.append((path, rel, entry, cached))
        if table and not cached:
            to_read.append((path, sha))
    read = fork_map(partial(_read_file, run), to_read, jobs)
    stopped_before = (out_dir / UNFINISHED).is_file()  # the last run stopped while writing the store
    dossier_files: list[_DossierFile] = []
    held = 0  # dossier rows read this run and held in memory for the merge
    with _Writer() as writer:
        for done, (path, rel, entry, cached) in enumerate(plan):
            if progress is not None:
                progress(done, len(plan), rel)
            if path.suffix.lower() in NOT_TABLE_SUFFIXES:
                outcome.skip(rel, path.suffix.lower())
                continue
            if cached:
                report, rows, rejected = _cached_rows(run, rel, entry)
            else:
                report, rows, rejected = _fresh_rows(run, rel, *next(read), writer)
            new_manifest[rel] = {"sha256": report.sha256, "settings": settings_key, "report": report.as_dict()}
            outcome.add(rel, report)
            if report.kind in PROVINCE_KINDS:  # which provinces' dossier partitions the file's rows go into
                known = entry.get("provinces") if cached and entry else None
                new_manifest[rel]["provinces"] = known if known is not None else _provinces_fed(rows, run.registry)
            if rows is not None:
                if report.kind == "dossier_list":  # a cached file's rows are read per province (_write_dossiers)
                    dossier_files.append(_DossierFile(rel, rows, new_manifest[rel]["provinces"]))
                    held += len(rows) if isinstance(rows, pd.DataFrame) else 0
                    if held > MERGE_ROWS_IN_MEMORY:
                        held = _spill(dossier_files, writer, out_dir)
                else:
                    frames[report.kind].append(rows)
                rejects.append(rejected)
        dirty = _dirty_provinces(manifest, new_manifest, {rel for _p, rel, _e, cached in plan if not cached})
        # files removed from raw/ leave the store
        for rel in set(manifest) - set(new_manifest):
            for cached in _cache_paths(out_dir, rel):
                cached.unlink(missing_ok=True)
            log.info("Tệp đã bị xóa khỏi raw/, bỏ dữ liệu của nó: %s", rel)
        # from the first table written to the manifest, the store mixes two ingests: a run stopped in between
        # (a crash, a full disk, a killed job) leaves the mark, and nothing reads the store until an ingest ends
        _mark_unfinished(out_dir)
        known = _province_stats(out_dir, settings_key, None if stopped_before else dirty)
        stats, unmatched, unused = _write_tables(frames, dossier_files, rejects, outcome, out_dir, run.registry, known)
        stats_doc = {"settings": settings_key, "provinces": stats}
        write_if_changed(_stats_path(out_dir), json.dumps(stats_doc, ensure_ascii=False).encode("utf-8"))
        report_doc = {
            "store_version": STORE_VERSION,
            "pseudonym_key_id": pseudonymiser.key_id,
            "dossiers": outcome.dossiers,
            "duplicates_across_files": outcome.duplicates_across_files,
            "files": [r.as_dict() for r in outcome.reports],
            "skipped": outcome.skipped,
            "skipped_reasons": outcome.skipped_reasons,
            "procedures_not_in_catalogue": unmatched,
            "catalogue_procedures_without_dossiers": unused,
        }
        write_if_changed(
            out_dir / "ingest_report.json", json.dumps(report_doc, ensure_ascii=False, indent=2).encode("utf-8")
        )
        writer.finish()  # a failed cache write fails the run before the manifest says the file is cached
    write_if_changed(manifest_path, json.dumps(new_manifest, ensure_ascii=False, indent=1, sort_keys=True).encode())
    (out_dir / UNFINISHED).unlink(missing_ok=True)
    return outcome


UNFINISHED = "ingest.unfinished"
"""In the processed folder while an ingest writes the store's tables: present after, the run did not finish."""


def _mark_unfinished(out_dir: Path) -> None:
    when = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    write_atomic(out_dir / UNFINISHED, json.dumps({"started": when, "pid": os.getpid()}).encode("utf-8"))


def _check_finished(processed: Path, data_dir: Path) -> None:
    """Refuse a store an ingest began writing and did not finish (its tables may mix two ingests)."""
    mark = processed / UNFINISHED
    if not mark.is_file():
        return
    try:
        started = dt.datetime.fromisoformat(json.loads(mark.read_text(encoding="utf-8"))["started"])
        since = f" bắt đầu lúc {started:%H:%M ngày %d/%m/%Y}"
    except (ValueError, KeyError, TypeError):
        since = ""
    raise InputFileError(
        f"Lần nhập dữ liệu (cchc ingest){since} chưa xong: kho dữ liệu {processed} có thể lẫn dữ liệu của hai lần "
        f"nhập. Hãy chạy lại `cchc ingest --data-dir {data_dir}` cho đến khi xong, rồi chạy lại lệnh này."
    )


def _unchanged(paths, raw_dir, out_dir, manifest, settings_key, key_id) -> IngestOutcome | None:
    """The last run's outcome when raw/ holds exactly the files it read, byte for byte, read with the same settings
    and registry, and the store's tables are there: nothing to read and nothing to rewrite (a quarterly run ingests
    first, usually with nothing new). None otherwise."""
    tables = [p.relative_to(raw_dir).as_posix() for p in paths if p.suffix.lower() not in NOT_TABLE_SUFFIXES]
    report_path = out_dir / "ingest_report.json"
    if not manifest or set(tables) != set(manifest) or not report_path.is_file():
        return None
    if (out_dir / UNFINISHED).is_file():
        return None  # the last run stopped while writing: the tables are written again
    if dossier_path(out_dir) is None:
        return None
    for rel in tables:
        entry = manifest[rel]
        if entry.get("settings") != settings_key or entry["sha256"] != file_sha256(raw_dir / rel):
            return None
    stored = json.loads(report_path.read_text(encoding="utf-8"))
    if stored["dossiers"] and not (out_dir / DOSSIER_DATASET).is_dir():
        return None  # an earlier version's single dossiers.parquet: rebuilt as the partitioned dataset
    outcome = IngestOutcome(
        key_id=key_id, dossiers=stored["dossiers"], duplicates_across_files=stored["duplicates_across_files"]
    )
    for p in paths:
        rel = p.relative_to(raw_dir).as_posix()
        if rel in manifest:
            outcome.add(rel, FileReport.from_dict(manifest[rel]["report"]))
        else:
            outcome.skip(rel, p.suffix.lower())
    return outcome


@dataclass
class _Run:
    """What every file of one ingest run is read with."""

    raw_dir: Path
    out_dir: Path
    registry: UnitRegistry
    pseudonymiser: Pseudonymiser
    assume_unit: str | None
    mapping: Mapping | None
    settings_key: str
    rules: ReadRules


class _Writer:
    """Work on two threads beside the main one (encoding releases the GIL): each file's cache is written while the
    next file is taken and the store is built."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cchc-writer")
        self._pending: list[Future] = []

    def submit(self, table, path: Path) -> None:
        """Write ``table`` to the cache file ``path``."""
        self._pending.append(self._pool.submit(_write_cache, table, path))

    def finish(self) -> None:
        """Wait for every cache write; the first that failed raises here."""
        for done in self._pending:
            done.result()

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc) -> None:
        self._pool.shutdown(wait=True)


def _cache_paths(out_dir: Path, rel: str) -> tuple[Path, Path]:
    file_id = hashlib.sha256(rel.encode("utf-8")).hexdigest()[:20]
    return out_dir / "files" / f"{file_id}.parquet", out_dir / "files" / f"{file_id}.rejects.parquet"


def _cache_valid(run: _Run, rel: str, sha: str, entry: dict | None) -> bool:
    """Whether a file's rows can come from its cache: same bytes, same settings, and the cache is there."""
    if not entry or not sha or entry["sha256"] != sha or entry.get("settings") != run.settings_key:
        return False
    return (
        entry["report"]["kind"] not in TABLES
        or bool(entry["report"].get("error"))
        or _cache_paths(run.out_dir, rel)[0].is_file()
    )


def _cached_rows(run: _Run, rel: str, entry: dict):
    """A file's report, rows and rejects as the last run read them (rows None for a refused file or a kind
    without a table; for a dossier list, the path of its cached rows: they are read only if its province's
    partitions are merged again)."""
    report = FileReport.from_dict(entry["report"])
    log.debug("Không đổi, dùng lại: %s", rel)
    if report.kind in TABLES and not report.error:
        rows_path, rej_path = _cache_paths(run.out_dir, rel)
        rows = rows_path if report.kind == "dossier_list" else _read_cache(rows_path)
        return report, rows, _read_cache(rej_path)
    return report, None, None


def _read_file(run: _Run, job: tuple[Path, str]):
    """Read one raw file (on a worker): its report with its digest, and its rows and rejects as Arrow tables
    (None for a refused file or a kind without a table)."""
    path, sha = job
    report, rows, rejected = _ingest_file(path, run, sha)
    report.sha256 = sha or file_sha256(path)
    if rows is None:
        return report, None
    # the rows go on through Arrow exactly as a rerun reads them back from the cache
    return report, (_table(rows), _table(rejected))


def _fresh_rows(run: _Run, rel: str, report: FileReport, tables, writer: _Writer):
    """A file just read: its cache written (or removed when it gave no rows), its rows and rejects as frames."""
    log.info("Đã đọc %s: %s", rel, _summary(report))
    rows_path, rej_path = _cache_paths(run.out_dir, rel)
    if tables is None:
        rows_path.unlink(missing_ok=True)
        rej_path.unlink(missing_ok=True)
        return report, None, None
    writer.submit(tables[0], rows_path)
    writer.submit(tables[1], rej_path)
    return report, _frame(tables[0]), _frame(tables[1])


def _write_tables(frames, dossier_files, rejects, outcome, out_dir: Path, registry, known: dict[str, dict]):
    """The store's tables from every file's rows: dossiers merged across files province by province, checked
    against the schema and linked to the catalogue (``_write_dossiers``); catalogue, budget, PAR, manual figures
    and rejects. Returns each province's figures, the procedures that match no catalogue entry and the catalogue
    procedures without dossiers (for the ingest report)."""
    catalogue = _rows_of("catalogue", frames)
    if not catalogue.empty:
        catalogue = catalogue.sort_values(["unit_id", "source_file", "source_row"]).drop_duplicates(
            ["unit_id", "procedure_key"], keep="last"
        )
    stats = _write_dossiers(dossier_files, catalogue, out_dir, registry, known)
    outcome.dossiers = sum(s["dossiers"] for s in stats.values())
    outcome.duplicates_across_files = dups = sum(s["duplicates"] for s in stats.values())
    if dups:
        log.info("%d hồ sơ có mặt trong nhiều tệp xuất; giữ bản ghi có trạng thái mới nhất.", dups)
    unmatched = sorted(
        (r for s in stats.values() for r in s["unmatched"]),
        key=lambda r: (r["unit_id"], -r["dossiers"], r["procedure"]),
    )
    if unmatched:
        log.warning(
            "%d thủ tục có hồ sơ nhưng không có trong danh mục TTHC của đơn vị (xem ingest_report.json).",
            len(unmatched),
        )
    unused = sorted((r for s in stats.values() for r in s["unused"]), key=lambda r: r["unit_id"])
    _write_parquet(catalogue.reset_index(drop=True), out_dir / f"{READERS['catalogue'].table}.parquet")
    for kind in ("budget", "par"):
        _write_parquet(_rows_of(kind, frames), out_dir / f"{READERS[kind].table}.parquet")
    manual = _rows_of("manual_input", frames)
    if not manual.empty:  # a later file for the same unit, period and figure replaces an earlier one
        manual = manual.sort_values(["source_file", "source_row"]).drop_duplicates(
            ["unit_id", "period_start", "period_end", "key"], keep="last"
        )
    _write_parquet(manual.reset_index(drop=True), out_dir / f"{READERS['manual_input'].table}.parquet")
    all_rejects = pd.concat(rejects, ignore_index=True) if rejects else pd.DataFrame(columns=REJECT_COLUMNS)
    _write_parquet(
        all_rejects.astype({"row": "int64"}) if len(all_rejects) else all_rejects, out_dir / "rejects.parquet"
    )
    return stats, unmatched, unused


def _check_dossiers(dossiers: pd.DataFrame) -> None:
    from pandera.errors import SchemaErrors

    try:
        # in place: the schema coerces nothing, so the check only reads the table (which the writer is encoding
        # meanwhile); pandera's default copy of it would cost 0.2 s on a million rows
        dossier_schema().validate(dossiers, lazy=True, inplace=True)
    except SchemaErrors as exc:  # a bug in the reader, not in the data: say so clearly
        raise CchcError(
            f"Dữ liệu sau khi làm sạch không đúng lược đồ: {exc.failure_cases.head(10).to_dict('records')}"
        ) from None


DOSSIER_DATASET = "dossiers"
_PARTITIONS = ("province", "year")  # hive keys: folders, not columns of the files


def dossier_path(processed: Path) -> Path | None:
    """The store's dossier table: the partitioned dataset folder, else a single ``dossiers.parquet`` (a store
    without dossiers, a table written by hand, an earlier version's store); None when there is neither."""
    folder = processed / DOSSIER_DATASET
    if folder.is_dir():
        return folder
    single = processed / "dossiers.parquet"
    return single if single.is_file() else None


def province_key(unit: Unit | None) -> str:
    """A unit's partition folder value: its province as a slug ("thanh-pho-hai-phong"); "khong-ro" if unknown."""
    name = (unit.province or unit.group) if unit is not None else ""
    return slugify(name) if name else "khong-ro"


PROVINCE_KINDS = ("dossier_list", "catalogue")  # the files whose rows decide a province's dossier partitions
LINK_COLUMNS = ("catalogue_code", "catalogue_match", "catalogue_fee_kind")  # added by the link to the catalogue


@dataclass
class _DossierFile:
    """A dossier list's rows for the merge: read this run (a frame) or cached by an earlier one (the cache path,
    read only when a province it feeds is merged again), and the provinces its units lie in."""

    rel: str
    rows: pd.DataFrame | Path
    provinces: list[str]

    def rows_in(self, province: str, province_of: Callable[[str], str]) -> pd.DataFrame:
        frame = self.rows if isinstance(self.rows, pd.DataFrame) else _read_cache(self.rows)
        if self.provinces == [province]:
            return frame
        return frame[frame["unit_id"].map(province_of) == province].reset_index(drop=True)


MERGE_ROWS_IN_MEMORY = 2_000_000
"""Dossier rows read this run kept in memory for the merge (about 1.5 GiB); beyond, the files read so far are read
back from their cache, province by province, so that a first ingest of a country's exports is bounded too."""


def _spill(files: list[_DossierFile], writer: _Writer, out_dir: Path) -> int:
    """Let go of the rows of the files read this run: their caches written (waited for), the merge reads those."""
    writer.finish()
    for f in files:
        if isinstance(f.rows, pd.DataFrame):
            f.rows = _cache_paths(out_dir, f.rel)[0]
    return 0


def _provinces_fed(rows: pd.DataFrame | Path | None, registry: UnitRegistry) -> list[str]:
    """The provinces (partition keys) of the units of a file's rows; [] for a file without rows."""
    if rows is None:
        return []
    if isinstance(rows, Path):
        import pyarrow.parquet as pq

        units = pq.read_table(rows, columns=["unit_id"]).column("unit_id").unique().to_pylist()
    else:
        units = rows["unit_id"].unique().tolist() if len(rows) else []
    return sorted({province_key(_unit_or_none(registry, u)) for u in units})


def _dirty_provinces(old: dict, new: dict, fresh: set[str]) -> set[str] | None:
    """The provinces whose dossier partitions must be merged again: those a dossier list or catalogue read this run
    or removed from raw/ fed, before or now. None: every province (a manifest of an earlier version, which does
    not say which provinces a file fed)."""
    dirty: set[str] = set()
    for rel in fresh | (set(old) - set(new)):
        for entry in (old.get(rel), new.get(rel)):
            if entry is None or entry["report"]["kind"] not in PROVINCE_KINDS:
                continue
            if "provinces" not in entry:
                return None
            dirty |= set(entry["provinces"])
    return dirty


def _stats_path(out_dir: Path) -> Path:
    return out_dir / "files" / "provinces.json"


def _province_stats(out_dir: Path, settings_key: str, dirty: set[str] | None) -> dict[str, dict]:
    """The last ingest's figures of each province whose partitions stay as they are (not ``dirty``; None: none
    stays), when it ran with the same settings."""
    if dirty is None:
        return {}
    try:
        stored = json.loads(_stats_path(out_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict) or stored.get("settings") != settings_key:
        return {}
    return {p: v for p, v in stored.get("provinces", {}).items() if p not in dirty}


def _write_dossiers(files: list[_DossierFile], catalogue: pd.DataFrame, out_dir: Path, registry, known) -> dict:
    """The dossier table as partitions (province, year of receipt), merged one province at a time: the rows of
    the files feeding it (a dossier is one unit's, and a unit lies in one province, so duplicates across files and
    catalogue links never cross provinces), deduplicated, linked to the catalogue, checked against the schema
    before any of the province is written. A province with figures in ``known`` (no file feeding it changed) is
    neither read nor written; partitions no longer fed are removed. Memory: one province's dossiers, not the
    country's. Returns every fed province's figures. No dossiers: one empty dossiers.parquet keeps the schema."""
    import shutil

    root, single = out_dir / DOSSIER_DATASET, out_dir / "dossiers.parquet"
    fed = sorted({p for f in files for p in f.provinces})
    if not fed:
        empty, _dups, _unmatched = _merged([], catalogue)
        shutil.rmtree(root, ignore_errors=True)
        _write_parquet(empty, single)
        return {}
    units: dict[str, str] = {}

    def province_of(unit_id: str) -> str:
        if unit_id not in units:
            units[unit_id] = province_key(_unit_or_none(registry, unit_id))
        return units[unit_id]

    cat_province = catalogue["unit_id"].map(province_of) if len(catalogue) else pd.Series(dtype=object)
    stats = {}
    for p in fed:
        if p in known and (root / f"province={p}").is_dir():
            stats[p] = known[p]
            continue
        cat = catalogue[cat_province == p] if len(catalogue) else catalogue
        parts = [rows for f in files if p in f.provinces if len(rows := f.rows_in(p, province_of))]
        dossiers, dups, unmatched = _merged(parts, cat)
        _write_province(dossiers, root / f"province={p}")
        stats[p] = {
            "dossiers": len(dossiers),
            "duplicates": dups,
            "unmatched": [{**r, "dossiers": int(r["dossiers"])} for r in unmatched.to_dict("records")],
            "unused": [
                {k: (int(v) if k != "unit_id" else v) for k, v in r.items()}
                for r in unused_procedures(dossiers, cat).to_dict("records")
            ],
        }
    for folder in root.glob("province=*"):
        if folder.name.removeprefix("province=") not in fed:
            shutil.rmtree(folder)
    single.unlink(missing_ok=True)  # the single-file table of earlier versions
    return stats


def _merged(parts: list[pd.DataFrame], catalogue: pd.DataFrame) -> tuple[pd.DataFrame, int, pd.DataFrame]:
    """Files' dossier rows as one table: merged across files (each file's rows are unique already: only rows of
    several files can clash), typed, linked to the catalogue and checked; with how many rows were merged away and
    the procedures that match no catalogue entry."""
    if parts:
        rows = pd.concat(parts, ignore_index=True)
    else:
        rows = pd.DataFrame(columns=list(READERS["dossier_list"].columns))
    dossiers, dups = deduplicate(rows) if len(parts) > 1 else (rows, 0)
    dossiers, unmatched = link_to_catalogue(_typed(dossiers), catalogue)
    _check_dossiers(dossiers)
    return dossiers, dups, unmatched


def _write_province(dossiers: pd.DataFrame, folder: Path) -> None:
    """One province's partitions, one per year of receipt, each sorted by unit and code with row groups small
    enough for a unit's rows to be read alone, in the one schema of every partition; only files whose bytes
    change are rewritten, years no longer fed are removed."""
    schema = _dossier_arrow_schema()
    year = dossiers["received_at"].dt.year.astype("Int64").astype(str)
    kept: set[Path] = set()
    for y, rows in dossiers.groupby(year, sort=True).indices.items():
        part = dossiers.iloc[rows].sort_values(["unit_id", "code"]).reset_index(drop=True)
        path = folder / f"year={y}" / "part-0.parquet"
        write_if_changed(path, _parquet_bytes(part, row_group_size=100_000, schema=schema))
        kept.add(path)
    for old in folder.glob("year=*/*.parquet"):
        if old not in kept:
            old.unlink()
    for empty in folder.glob("year=*"):
        if empty.is_dir() and not any(empty.iterdir()):
            empty.rmdir()


@cache
def _dossier_arrow_schema():
    """The stored dossier table's columns and types, the same in every partition: a column empty in one
    province's rows would otherwise be stored there as Arrow's null type and as text elsewhere, which a reader
    taking the first file's schema (DuckDB, pyarrow datasets) cannot reconcile."""
    import pyarrow as pa

    ns = pa.timestamp("ns")
    types = {
        **dict.fromkeys(("received_at", "due_at", "processed_at", "result_at", "handed_at"), ns),
        **dict.fromkeys(("export_start", "export_end"), ns),
        "fee": pa.float64(),
        "source_row": pa.int64(),
        "due_has_time": pa.bool_(),
        "digitised": pa.bool_(),
    }
    return pa.schema([(c, types.get(c, pa.large_string())) for c in (*OUTPUT_COLUMNS, *LINK_COLUMNS)])


def _unit_or_none(registry: UnitRegistry, unit_id: str) -> Unit | None:
    try:
        return registry.get(unit_id)
    except UnitLookupError:
        return None


def _ingest_file(path: Path, run: _Run, sha: str):
    raw_dir = run.raw_dir
    rel = path.relative_to(raw_dir).as_posix()
    report = FileReport(file=rel, sha256="", kind="unknown")  # until the content says what it is
    fmap = run.mapping.for_file(rel) if run.mapping else FileMapping()
    assume_unit = run.assume_unit
    try:
        grids = read_grids(path, beside=_ready_schema)
        kind = classify(grids, fmap)
        report.kind = kind
        if kind == "unknown":
            raise InputFileError(_unknown_message(path, grids))
        reader = READERS.get(kind)
        if reader is None:
            report.warnings.append(f"{KINDS[kind]}: bộ đọc loại tệp này chưa có trong phiên bản này; bỏ qua.")
            return report, None, None
        if not reader.columnar and any(isinstance(g, ColumnarGrid) for g in grids):
            grids = read_grids(path, columnar=False)  # only a columnar reader works on columns of text
        to_read = FileToRead(path, raw_dir, run.registry, run.pseudonymiser, fmap, assume_unit, grids, sha, run.rules)
        result = reader.read(to_read)
        result.report.sha256 = ""
        return result.report, result.dossiers, result.rejects
    except NotATable as exc:
        report.kind = "not_table"
        report.warnings.append(str(exc))
        return report, None, None
    except CchcError as exc:
        report.error = str(exc)
        log.error("%s", exc)
        return report, None, None
    except Exception as exc:  # one unreadable file must not stop the others (logged, reported, skipped)
        report.error = f"{path}: lỗi không mong đợi khi đọc tệp ({type(exc).__name__}: {exc}); tệp bị bỏ qua."
        log.error("%s", report.error)
        log.debug("Chi tiết lỗi khi đọc %s", path, exc_info=True)
        return report, None, None


TABLES = tuple(READERS)  # the kinds of file whose rows the store keeps


def _rows_of(kind: str, frames: dict[str, list[pd.DataFrame]]) -> pd.DataFrame:
    """Every file's rows of one kind in one table (an empty one with the reader's columns when there are none)."""
    parts = [f for f in frames[kind] if len(f)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(READERS[kind].columns))


def _unknown_message(path: Path, grids) -> str:
    from .ingest.headers import detect_header, missing_fields_message

    if all(g.is_blank() for g in grids):
        return f"{path}: tệp không có dữ liệu (mọi trang tính đều trống)."
    grid = max(grids, key=lambda g: g.height)
    return (
        f"{path}: không nhận ra loại tệp (không phải danh sách hồ sơ, danh mục TTHC, báo cáo ngân sách hay bảng điểm "
        f"chỉ số CCHC). Nếu đây là danh sách hồ sơ: " + missing_fields_message(grid, detect_header(grid))
    )


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy(deep=False)  # copy-on-write: the columns set below never reach the caller's frame
    for name in ("received_at", "due_at", "processed_at", "result_at", "handed_at", "export_start", "export_end"):
        frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
    frame["fee"] = pd.to_numeric(frame["fee"]).astype("float64")
    frame["source_row"] = frame["source_row"].astype("int64")
    frame["due_has_time"] = frame["due_has_time"].astype("boolean")
    frame["digitised"] = frame["digitised"].astype("boolean")
    return frame[OUTPUT_COLUMNS]


def _summary(report: FileReport) -> str:
    if report.error:
        return "BỊ TỪ CHỐI"
    if report.kind != "dossier_list":
        return f"{KINDS.get(report.kind, report.kind)}, {report.rows_kept} dòng, {len(report.warnings)} cảnh báo"
    return (
        f"{report.unit_name or '?'}, {report.rows_kept} hồ sơ giữ lại, {report.rows_rejected} bị loại, "
        f"{len(report.warnings)} cảnh báo"
    )


# --- Python API --------------------------------------------------------------------------------------------------


def load_ingest_report(processed: Path) -> dict:
    """The ingest report of a processed folder (``{"files": []}`` before the first ingest)."""
    path = Path(processed) / "ingest_report.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"files": []}


# --- the read side: what computations read from the store ---------------------------------------------------


def open_store(data_dir: Path | str | None) -> tuple[Settings, Path, UnitRegistry]:
    """Settings, the processed folder (which must hold an ingested store) and the unit registry."""
    settings = Settings.resolve(data_dir)
    processed = settings.processed_dir
    if not settings.data_dir.is_dir():
        raise InputFileError(
            f"Không có thư mục dữ liệu {settings.data_dir.absolute()} (đang chạy từ {Path.cwd()}). Hãy ghi đường dẫn "
            "đầy đủ của thư mục dữ liệu, hoặc đặt biến môi trường CCHC_DATA_DIR."
        )
    if dossier_path(processed) is None:
        raise InputFileError(
            f"Chưa có dữ liệu đã xử lý trong {processed.absolute()}. Hãy chạy `cchc ingest --data-dir "
            f"{settings.data_dir}` trước (hoặc `make demo` cho dữ liệu mẫu)."
        )
    _check_finished(processed, settings.data_dir)
    return settings, processed, UnitRegistry.load(settings.data_dir)


def read_table(processed: Path, name: str, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A table of the store (``dossiers``, ``catalogue``, ``budget``, ``par``, ``manual``), only ``columns`` of it
    when given (those the file has); an empty frame when the store has no such table."""
    if name == DOSSIER_DATASET:
        return read_dossiers(processed, columns)
    path = processed / f"{name}.parquet"
    if not path.is_file():
        return pd.DataFrame()
    if columns is None:
        return pd.read_parquet(path)
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    columns = [c for c in columns if c in schema.names]
    # text columns come as dictionary-encoded (pandas categorical): filters and row selections then move small
    # integer codes instead of millions of strings
    text = [
        c for c in columns if pa.types.is_string(schema.field(c).type) or pa.types.is_large_string(schema.field(c).type)
    ]
    return pq.read_table(path, columns=columns, read_dictionary=text).to_pandas()


def read_dossiers(processed: Path, columns: tuple[str, ...] | list[str] | None = None, where=None) -> pd.DataFrame:
    """The dossier table (dataset or single file), only ``columns`` of it when given (those it has; text columns
    as categoricals), only the rows ``where`` (a ``pyarrow.dataset`` expression, which may name the partition
    keys ``province`` and ``year``) may hold: partitions and row groups that cannot are never read."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    path = dossier_path(processed)
    if path is None:
        return pd.DataFrame()
    partitioned = path.is_dir()
    schema = ds.dataset(path, format="parquet", partitioning="hive" if partitioned else None).schema
    stored = [c for c in schema.names if not (partitioned and c in _PARTITIONS)]
    wanted = stored if columns is None else [c for c in columns if c in stored]
    text = [
        c for c in wanted if pa.types.is_string(schema.field(c).type) or pa.types.is_large_string(schema.field(c).type)
    ]
    form = ds.ParquetFileFormat(read_options=ds.ParquetReadOptions(dictionary_columns=text if columns else []))
    dataset = ds.dataset(path, format=form, partitioning="hive" if partitioned else None)
    return dataset.to_table(columns=wanted, filter=where).to_pandas()


def load_dossiers(
    data_dir: Path | str | None = None,
    period: Period | tuple | str | None = None,
    units: str | list[str] | None = None,
    *,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """The clean dossier table from the processed store, one row per dossier, with the unit's name.

    Parameters
    ----------
    data_dir
        The data folder (default: ``CCHC_DATA_DIR`` or ``./data``; from notebooks/, the project's); run
        ``cchc ingest`` first.
    period
        A period in any form a command accepts ("2023Q3", "Quý III/2023", "2023-07", "2023-01-01..2023-08-31", a
        ``Period`` or ``(start, end)`` dates): keep the dossiers the period handles, as the indicators count them
        (received in it, or received before it and not finished before its first day; never "not accepted"; a
        withdrawn dossier without an end date ended on its receipt).
    units
        One unit or a list: names, codes or ids (matched like ``cchc units``, on the period's last day).
    columns
        The columns wanted (``unit_id`` and ``unit_name`` always come); only these are read from the store.

    The unit filter is pushed down to the Parquet reader: the rows of other units are never loaded. A dossier that
    an old commune's and its successor's exports both hold (the same dossier code, handed over on the 2025 reform)
    is the successor's row alone when both units are loaded.
    """
    _settings, processed, registry = open_store(data_dir)
    if isinstance(period, str):
        period = parse_period(period)  # every form the CLI accepts
    elif period is not None and not isinstance(period, Period):
        start, end = (pd.Timestamp(p).date() for p in period)
        period = Period(start, end, f"{start}_{end}", "range")
    ids = None
    if units:
        on = period.end if period is not None else None
        wanted = [units] if isinstance(units, str) else list(units)
        ids = sorted({registry.lookup(u, on=on).unit_id for u in wanted})
    read = None
    if columns is not None:
        stored = dossier_columns(processed)
        unknown = [c for c in columns if c not in stored and c != "unit_name"]
        if unknown:
            raise InputFileError(f"Bảng hồ sơ không có cột {', '.join(unknown)}. Các cột: {', '.join(stored)}.")
        needed = {"unit_id", "code", *columns}  # the code: a dossier handed over on the reform is kept once
        if period is not None:  # the columns the period's rule reads
            needed |= {"status", "received_at", "processed_at", "result_at", "handed_at"}
        read = [c for c in stored if c in needed]
    where = _dossier_rows(processed, registry, ids, period)
    frame = read_dossiers(processed, read, where)
    if not frame.empty:
        on = period.end if period is not None else dt.date.today()
        present = frame["unit_id"].unique()
        frame = frame[~handed_over_copies(frame, handover_pairs(processed, registry, present, on))]
    if period is not None:
        frame = frame[may_count_in(frame, period)]
    if columns is not None:
        frame = frame[[c for c in ["unit_id", *columns] if c in frame.columns and c != "unit_name"]]
    names = {u.unit_id: u.full_name for u in registry.units()}
    frame = frame.reset_index(drop=True)
    frame.insert(frame.columns.get_loc("unit_id") + 1, "unit_name", frame["unit_id"].map(names))
    return frame


def _dossier_rows(processed: Path, registry: UnitRegistry, ids: list[str] | None, period: Period | None):
    """The filter of :func:`read_dossiers` for some units and a period: the units' rows (and, in the dataset,
    only their provinces' folders); for a period, the rows it may count: received by its last day (years after it
    not read) and not finished before its first (a finish date on or after it, or none): a superset of the
    period's rule, which :func:`states.may_count_in` then applies."""
    import pyarrow.dataset as ds

    path = dossier_path(processed)
    partitioned = path is not None and path.is_dir()
    where = None

    def both(a, b):
        return b if a is None else a & b

    if ids is not None:
        where = ds.field("unit_id").isin(ids)
        if partitioned:
            provinces = _partitions(_unit_or_none(registry, u) for u in ids)
            where = both(where, ds.field("province").isin(provinces))
    if period is not None:
        where = both(where, period_rows(period, finished_in=False))
        if partitioned:
            where = both(where, ds.field("year") <= period.end.year)
    return where


def handover_holders(processed: Path, registry: UnitRegistry, present) -> set[str]:
    """The new communes among ``present`` that hold a dossier received before their first day, of the units they
    replaced that are ``present`` too: only these can share a dossier (handed over on the reform: a copy keeps its
    receipt date) with an old commune, so a store whose new communes' exports begin on 1 July 2025 compares no
    dossier codes at all (``UnitRegistry.handovers``). One query over the new communes' rows."""
    first = registry.first_days(present)
    if not first or "code" not in dossier_columns(processed):
        return set()
    return received_before(store_rows(processed), first)


def handover_pairs(processed: Path, registry: UnitRegistry, present, on: dt.date) -> list[tuple[str, str]]:
    """Which copy of a handed-over dossier counts with the boundaries of ``on`` (``UnitRegistry.handovers``, for
    the new communes that can hold one, ``handover_holders``)."""
    return registry.handovers(present, on, handover_holders(processed, registry, present))


def store_rows(
    processed: Path,
    period: Period | None = None,
    finished_in: bool = False,
    handed_over: list[tuple[str, str]] | None = None,
    units: list[Unit] | None = None,
) -> StoreRows:
    """The store's dossier rows as the source of a DuckDB query (:mod:`states`): all of them, or only those
    ``period`` may count (:func:`states.may_count_sql`; years of receipt after it never opened); with
    ``finished_in``, also any dossier with a finish date in the period, whenever received (the consistency checks
    look at those). ``handed_over``: (left out, kept) unit pairs (``UnitRegistry.handovers``) whose shared
    dossiers count once. ``units``: only these units' rows (their provinces' partitions alone opened)."""
    path = dossier_path(processed)
    columns = dossier_columns(processed)
    # only some units: their ids, and their provinces' partitions alone opened
    only = {} if units is None else {"unit_ids": [u.unit_id for u in units], "provinces": _partitions(units)}
    if period is None:
        return StoreRows(path, columns, handed_over=handed_over, **only)
    where = may_count_sql(period)
    if finished_in:
        return StoreRows(path, columns, f"({where} OR {finished_in_sql(period)})", handed_over=handed_over, **only)
    return StoreRows(path, columns, where, max_year=period.end.year, handed_over=handed_over, **only)


def _partitions(units) -> list[str]:
    """The province partitions holding the rows of ``units`` (registry units; None for an id it does not know)."""
    return sorted({province_key(u) for u in units})


def period_rows(period: Period, finished_in: bool = True):
    """A ``pyarrow.dataset`` filter keeping every dossier ``period`` may count: received by its last day and not
    finished before its first (a finish date on or after it, or none), a superset of :func:`states.may_count_in`;
    with ``finished_in``, also any dossier with a finish date in the period (the consistency checks look at those,
    even when received after it)."""
    import pyarrow.dataset as ds

    first = pd.Timestamp(period.start)
    after = pd.Timestamp(period.end) + pd.Timedelta(days=1)
    finished = [ds.field(c) for c in ("processed_at", "result_at", "handed_at")]
    not_before = (finished[0] >= first) | (finished[1] >= first) | (finished[2] >= first)
    unfinished = finished[0].is_null() & finished[1].is_null() & finished[2].is_null()
    where = (ds.field("received_at") < after) & (not_before | unfinished)
    if finished_in:
        where = where | ((finished[0] >= first) & (finished[0] < after))
        where = where | ((finished[1] >= first) & (finished[1] < after))
        where = where | ((finished[2] >= first) & (finished[2] < after))
    return where


def dossier_columns(processed: Path) -> list[str]:
    """The columns of the dossier table (the partition keys are folders, not columns)."""
    import pyarrow.dataset as ds

    path = dossier_path(processed)
    if path is None:
        return []
    partitioned = path.is_dir()
    names = ds.dataset(path, format="parquet", partitioning="hive" if partitioned else None).schema.names
    return [c for c in names if not (partitioned and c in _PARTITIONS)]


__all__ = [
    "KEY_FILE_NAME",
    "IngestOutcome",
    "dossier_schema",
    "ingest",
    "load_dossiers",
    "open_store",
    "read_table",
]
