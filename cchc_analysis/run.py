"""The period run: ingest, coverage gate, indicators and rankings, the brief notebooks executed per unit and per
group in worker processes, a run folder with a manifest. One unit's failure never stops the others."""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import json
import logging
import multiprocessing as mp
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__
from .errors import CchcError
from .fileio import file_sha256, write_atomic
from .periods import Period, period_spec
from .registry import Unit, UnitRegistry
from .remote import redact
from .settings import Settings
from .text import slugify

log = logging.getLogger(__name__)

UNIT_NOTEBOOK = "04_unit_brief.ipynb"
GROUP_NOTEBOOK = "05_group_brief.ipynb"
FORMATS = ("html", "pdf", "docx", "xlsx")


@dataclass
class Task:
    """One notebook to execute: a unit's brief or a group's."""

    kind: str  # unit or group
    name: str  # unit or group name, shown in the summary
    slug: str
    notebook: str
    parameters: dict
    output: str
    publish_base: str = ""  # published files: <publish_base>.html, .pdf, .docx
    status: str = "pending"  # ok, failed, skipped
    seconds: float = 0.0
    error: str = ""
    outputs: list[str] = field(default_factory=list)
    timings: dict = field(default_factory=dict)  # seconds: kernel (start-up and overhead), cells, html, pdf


def notebooks_dir() -> Path:
    """The notebooks: ./notebooks when run from the repository root, else the repository of the package."""
    for candidate in (Path.cwd() / "notebooks", Path(__file__).resolve().parents[1] / "notebooks"):
        if (candidate / UNIT_NOTEBOOK).is_file():
            return candidate
    raise CchcError("Không tìm thấy thư mục notebooks/ (chạy lệnh từ thư mục gốc của dự án).")


def _kernel_transport() -> dict:
    """Kernels talk to papermill over Unix sockets where the system has them: no TCP port is opened on the machine
    (a shared server) and a kernel has no "running over TCP without encryption" warning to log. Windows: TCP.
    Each kernel's sockets get a name of their own: two kernels started at once by two workers would otherwise pick
    the same (jupyter_client numbers them from 1 under one shared name)."""
    if os.name == "nt":
        return {}
    import uuid

    from jupyter_client import AsyncKernelManager
    from traitlets import CaselessStrEnum, default

    class SocketKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("ip")
        def _ip_default(self) -> str:
            return os.path.join(tempfile.gettempdir(), f"cchc-kernel-{uuid.uuid4().hex[:16]}")

    return {"kernel_manager_class": SocketKernelManager}


_KERNEL = None  # this worker process's kernel, reused from one brief to the next

# Between two briefs the kernel forgets every name (as a new kernel would) and closes its figures; the modules it
# imported stay loaded, which is the saving: pandas, matplotlib and the package are imported once per worker. The
# names are dropped as IPython's `%reset -f` drops them; what survives the collection that follows (modules, caches)
# is frozen out of the collector, so later collections scan only what the last brief made (a full collection of
# the kernel took a quarter of a second per brief). A kernel that grows anyway is replaced.
_RESET = """def _cchc_reset(ip):
    for name in [k for k in ip.user_ns if k not in ("__builtin__", "__builtins__", "__name__")]:
        del ip.user_ns[name]
    ip.user_ns_hidden.clear()
    ip.history_manager.output_hist.clear()
    ip.displayhook._ = ip.displayhook.__ = ip.displayhook.___ = ""
    ip.init_user_ns()
    import gc
    import sys
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    gc.collect()
    gc.freeze()
_cchc_reset(get_ipython())"""
_RESET_TAG = "cchc-reset"


def _engine() -> str:
    """A papermill engine that closes the notebook client's channels when the notebook is done. papermill's own
    leaves them open when the kernel is ours (nbclient cleans up only a kernel it started): every old client's
    iopub socket would then keep receiving, and holding, every later brief's outputs, charts included (3.5 GiB per
    worker over a province's 125 briefs each)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class ChannelClosingEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None, start_timeout=60,
            execution_timeout=None, **kwargs,
        ):  # fmt: skip
            # the arguments as NBClientEngine passes them (papermill 2.6)
            kwargs = remove_args(["input_path"], **kwargs)
            safe = remove_args(["timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(
                safe, timeout=execution_timeout or kwargs.get("timeout"), startup_timeout=start_timeout,
                kernel_name=kernel_name, log=logger, log_output=log_output, stdout_file=stdout_file,
                stderr_file=stderr_file,
            )  # fmt: skip
            client = PapermillNotebookClient(nb_man, **final)
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    papermill_engines.register("cchc-keep-kernel", ChannelClosingEngine)
    return "cchc-keep-kernel"


def _worker_kernel():
    """The worker's kernel manager and whether its kernel ran a brief before; a new manager where there is none or
    its kernel died. Kernels are started lazily by papermill on first use."""
    global _KERNEL
    if _KERNEL is not None and _KERNEL.has_kernel:
        return _KERNEL, True
    _stop_kernel()
    _KERNEL = _kernel_transport().get("kernel_manager_class", _default_manager())(kernel_name="python3")
    return _KERNEL, False


def _default_manager():
    from jupyter_client import AsyncKernelManager

    return AsyncKernelManager


def _with_reset(path: Path):
    """The notebook with a first cell that wipes the previous brief's names (as its own cell: one round trip to the
    kernel, where a separate client would wait half a second for the kernel to be ready)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(_RESET, metadata={"tags": [_RESET_TAG]}))
    return nb


def _without_reset(path: str) -> None:
    """The executed notebook as the analyst's copy: without the reset cell."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if _RESET_TAG not in c.metadata.get("tags", [])]
    nbformat.write(nb, path)


KERNEL_RSS_LIMIT = 1 << 30  # a reused kernel above 1 GiB is replaced before the next brief


def _recycle_if_large(km) -> None:
    """Shut the worker's kernel down when it holds more than ``KERNEL_RSS_LIMIT``: memory a brief leaves behind in
    its libraries (not in its names, which are wiped) grows over a province's hundreds of briefs."""
    try:
        import psutil

        pid = getattr(km.provisioner, "pid", None)
        if pid and psutil.Process(pid).memory_info().rss > KERNEL_RSS_LIMIT:
            log.info("Kernel dùng quá %d MiB: khởi động lại trước báo cáo sau.", KERNEL_RSS_LIMIT >> 20)
            _stop_kernel()
    except Exception:  # noqa: BLE001 - psutil missing or the kernel already gone: nothing to recycle
        return


def _stop_kernel() -> None:
    """Shut the worker's kernel down (after a failed brief, so the next starts clean; at the worker's exit)."""
    global _KERNEL
    km, _KERNEL = _KERNEL, None
    if km is not None and km.has_kernel:
        from jupyter_core.utils import run_sync

        try:
            run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - already gone
            pass


def _execute(task: dict, nb_dir: str, formats: list[str]) -> dict:  # runs in a worker process
    import papermill as pm

    from .publish.exporter import publish_notebook

    started = time.perf_counter()
    base = Path(task["publish_base"]) if task.get("publish_base") else None
    parameters = dict(task["parameters"])
    if base is not None and "docx" in formats:
        parameters["docx"] = str(base.with_name(base.name + ".docx"))
    step = "chạy sổ"
    try:
        km, reused = _worker_kernel()
        source = Path(nb_dir) / task["notebook"]
        pm.execute_notebook(
            _with_reset(source) if reused else str(source),
            task["output"],
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            km=km,
            engine_name=_engine(),
        )
        if reused:
            _without_reset(task["output"])
        _recycle_if_large(km)
        executed = time.perf_counter() - started
        cells = _cell_seconds(task["output"])
        task["timings"] = {"kernel": round(executed - cells, 2), "cells": round(cells, 2)}
        outputs = [task["output"]]
        if base is not None:
            step = "xuất báo cáo"
            for fmt in [f for f in formats if f in ("html", "pdf")]:
                t0 = time.perf_counter()
                outputs += publish_notebook(task["output"], base, [fmt])
                task["timings"][fmt] = round(time.perf_counter() - t0, 2)
            if "docx" in formats and base.with_name(base.name + ".docx").is_file():
                outputs.append(str(base.with_name(base.name + ".docx")))
        task["status"] = "ok"
        task["outputs"] = outputs
    except Exception as exc:  # noqa: BLE001 - a failed brief is reported, the run goes on
        if step == "chạy sổ":
            _stop_kernel()  # whatever the failed notebook left in its kernel, the next brief does not see it
        task["status"] = "failed"
        last = (str(exc).strip().splitlines() or [type(exc).__name__])[-1][:300]
        task["error"] = last if step == "chạy sổ" else f"{step}: {last}"
        task["outputs"] = [task["output"]] if Path(task["output"]).is_file() else []
    task["seconds"] = round(time.perf_counter() - started, 2)
    return task


def _cell_seconds(notebook: str) -> float:
    """Seconds spent executing cells, from papermill's per-cell metadata (the rest is kernel start-up)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return sum(float(c.metadata.get("papermill", {}).get("duration") or 0) for c in nb.cells)


def run_period(
    data_dir: Path | str | None,
    reports_dir: Path | str | None,
    period: Period,
    *,
    group: str | None = None,
    units: list[str] | None = None,
    jobs: int | None = None,
    allow_incomplete: bool = False,
    retry_failed: bool = False,
    notebooks: Path | None = None,
    formats: list[str] | None = None,
    cluster: str | None = None,
    store_url: str | None = None,
) -> dict:
    """Run a period end to end into ``<reports dir>/<period id>/`` and return the manifest (see the README).

    ``cluster``: render the briefs on a Dask cluster instead of local processes: ``"local"`` (a LocalCluster of
    ``jobs`` workers on this machine) or a scheduler's address (``"tcp://host:8786"``), whose workers see the data
    and reports folders at the same paths (docs/operations.md). ``store_url``: an fsspec URL the store is published
    to for cluster workers that do not see the data folder (``remote.py``); their briefs come back as bytes."""
    from .brief import comparison_inputs
    from .coverage import coverage_table
    from .indicators import compute_indicators
    from .methodology import load_methodology
    from .publish.index import run_index_html
    from .ranking import rankings_by_group
    from .store import ingest
    from .workbook import indicators_workbook

    formats = _checked_options(formats, cluster, store_url)
    settings = Settings.resolve(data_dir, reports_dir)
    registry = UnitRegistry.load(settings.data_dir)
    chosen: list[Unit] = [registry.lookup(u, on=period.end) for u in units or []]
    if group:
        registry.units(group=group)  # an unknown group fails here, before anything runs
    nb_dir = notebooks or notebooks_dir()
    folder = settings.reports_dir / period.id
    folder.mkdir(parents=True, exist_ok=True)
    lock = _lock(folder)
    started = time.perf_counter()
    run_log = logging.FileHandler(folder / "run.log", encoding="utf-8")
    run_log.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    run_log.setLevel(logging.INFO)
    package_log = logging.getLogger("cchc_analysis")
    package_log.addHandler(run_log)
    if package_log.level == logging.NOTSET or package_log.level > logging.INFO:
        package_log.setLevel(logging.INFO)
    try:
        previous = _read_manifest(folder) if retry_failed else None
        outcome = ingest(settings.data_dir)
        methodology = load_methodology()
        records = compute_indicators(settings.data_dir, period, units=units or None, group=group)
        records = [r for r in records if _has_data(r)]
        if not records:
            raise CchcError(f"Không có dữ liệu nào của kỳ {period.id} cho các đơn vị được chọn.")
        groups = sorted({r["group"] for r in records})
        coverage = coverage_table(settings.data_dir, period).set_index("unit_id") if records else None
        wanted = {u.unit_id for u in chosen} if chosen else {r["unit_id"] for r in records}
        out_nb = folder / "notebooks"
        out_nb.mkdir(exist_ok=True)
        tasks, gaps = _plan(records, groups, coverage, wanted, registry, settings, period, folder, allow_incomplete)
        # indicators, rankings and comparisons once for the whole run: the briefs read them instead of recomputing
        rankings = rankings_by_group(settings.data_dir, period, groups)
        briefed = [t.parameters["unit"] for t in tasks if t.kind == "unit" and t.status == "pending"]
        _write_precomputed(folder, records, rankings, comparison_inputs(settings.data_dir, period, briefed), registry)
        remote = _publish(settings.data_dir, folder, store_url) if store_url else None
        for t in tasks:
            t.parameters["run_dir"] = str(folder)
        if previous is not None:
            done = {t["output"]: t for t in previous.get("tasks", []) if t["status"] == "ok"}
            for t in tasks:
                if t.output in done and t.status == "pending":
                    t.status = "ok"
                    t.outputs = [o for o in done[t.output].get("outputs", [t.output]) if Path(o).is_file()]
        pending = [t for t in tasks if t.status == "pending"]
        workers = max(1, min(jobs or os.cpu_count() or 1, len(pending) or 1))
        log.info("Chạy %d báo cáo bằng %d tiến trình.", len(pending), workers)
        if pending and cluster:
            _run_on_cluster(pending, nb_dir, workers, formats, out_nb / "kernels.log", cluster, remote)
        elif pending:
            _run_tasks(pending, nb_dir, workers, formats, out_nb / "kernels.log")
        if "xlsx" in formats:
            write_atomic(
                folder / f"chi-so_{period.id}.xlsx",
                indicators_workbook(
                    records, period, settings.data_dir, methodology, rankings=[r for g in groups for r in rankings[g]]
                ),
            )
        summary = {
            "period": {"id": period.id, "start": str(period.start), "end": str(period.end)},
            "methodology": methodology.version,
            "package_version": __version__,
            "seconds": round(time.perf_counter() - started, 2),
            "finished_at": dt.datetime.now().isoformat(timespec="seconds"),
            "coverage_gaps": gaps,
            "refused_inputs": [r.file for r in outcome.refused],
        }
        write_atomic(
            folder / "index.html", run_index_html(folder, summary, [asdict(t) for t in tasks], records).encode()
        )
        manifest = _manifest(
            period, summary, methodology, outcome, records, tasks, folder, workers, group, units, allow_incomplete,
            retry_failed, formats, cluster, store_url,
        )  # fmt: skip
        write_atomic(folder / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
        return manifest
    finally:
        package_log.removeHandler(run_log)
        run_log.close()
        lock.unlink(missing_ok=True)


def _checked_options(formats: list[str] | None, cluster: str | None, store_url: str | None) -> list[str]:
    """The run's formats, once the options are known to work together (before anything runs)."""
    from .errors import UsageError

    formats = list(formats or FORMATS)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UsageError(f"Định dạng không hỗ trợ: {', '.join(unknown)}. Các định dạng: {', '.join(FORMATS)}.")
    if "pdf" in formats:
        _check_pdf_renderer()
    if store_url and not cluster:
        raise UsageError("--store-url chỉ dùng với --cluster hoặc --scheduler (các máy trạm nạp kho từ đó).")
    if store_url:
        from .remote import filesystem

        filesystem(store_url)  # its protocol's package is installed
    return formats


def _publish(data_dir: Path, folder: Path, url: str) -> dict:
    """The store and the run's precomputed figures published to ``url`` for the cluster's workers."""
    from .brief import COMPARED_FILE, RUN_UNITS_DIR
    from .remote import publish_store

    extra = {f"run/{name}": folder / name for name in ("chi-so.json", "xep-hang.json", COMPARED_FILE)}
    extra |= {f"run/{RUN_UNITS_DIR}/{p.name}": p for p in sorted((folder / RUN_UNITS_DIR).glob("*.json"))}
    listing, uploaded = publish_store(data_dir, url, extra)
    log.info("Đã công bố kho cho các máy trạm tại %s: %d tệp, %d tệp mới tải lên.", redact(url), len(listing), uploaded)
    return {"url": url, "listing": listing, "run_folder": str(folder)}


def _write_precomputed(folder: Path, records: list[dict], rankings: dict, compared: dict, registry) -> None:
    """What the briefs of a run read instead of recomputing: the whole run's figures (``brief.precomputed``) and
    one file per briefed unit (``brief.unit_inputs``; files of units not briefed this time are removed, so that
    none outlives the figures it was cut from)."""
    from .brief import COMPARED_FILE, RUN_UNITS_DIR, unit_inputs

    for name, content in (("chi-so.json", records), ("xep-hang.json", rankings)):
        write_atomic(folder / name, json.dumps(content, ensure_ascii=False, indent=2, default=str).encode("utf-8"))
    write_atomic(folder / COMPARED_FILE, json.dumps(compared, ensure_ascii=False, default=str).encode("utf-8"))
    units = folder / RUN_UNITS_DIR
    units.mkdir(exist_ok=True)
    written = set()
    for uid, content in unit_inputs(records, rankings, compared).items():
        path = units / f"{registry.get(uid).slug}.json"
        write_atomic(path, json.dumps(content, ensure_ascii=False, default=str).encode("utf-8"))
        written.add(path.name)
    for stale in units.glob("*.json"):
        if stale.name not in written:
            stale.unlink()


def _lock(folder: Path) -> Path:
    """Take the period folder for this run (a lock file holding the process id); refuse when another run holds it."""
    lock = folder / ".lock"
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        raise CchcError(
            f"Một lần chạy khác đang dùng {folder} (xóa {lock} nếu chắc chắn không còn lần chạy nào)."
        ) from None
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    return lock


def _check_pdf_renderer() -> None:
    """PDF needs WeasyPrint and the system's Pango: say so before any work starts, not once per brief."""
    try:
        import weasyprint  # noqa: F401 - loads Pango through cffi
    except (ImportError, OSError) as exc:
        raise CchcError(
            f"Không xuất được PDF: WeasyPrint không nạp được ({type(exc).__name__}: {str(exc)[:200]}). WeasyPrint cần "
            "Pango của hệ thống (Debian: libpango-1.0-0 libpangoft2-1.0-0; Windows: bộ cài GTK runtime, xem "
            "docs/windows.md). Hoặc chạy không có PDF: --formats html,docx,xlsx."
        ) from None


def _has_data(record: dict) -> bool:
    """A unit the run briefs: it received dossiers, has a budget report or a PAR score for the period, or its
    dossier figures are missing for a reason other than having none in the period (a commune whose predecessors'
    shares are unknown, an old commune's data absent): its brief says why, it is never silently left out."""
    from .rates import missing_reason

    why = record["missing"].get("received_total")
    # no dossier, or no export of the unit spans the period: nothing of the period to brief
    explained = why is not None and why != missing_reason("no_dossiers") and not record.get("uncovered")
    return (record["received_total"] or 0) > 0 or explained or bool(record["budget_as_of"] or record["par_year"])


def _plan(records, groups, coverage, wanted, registry, settings, period, folder, allow_incomplete):
    """The notebooks to run: one brief per unit wanted (skipped, with the gaps, when its exports do not cover the
    period unless ``allow_incomplete``) and one per group. Returns the tasks and the coverage gaps by unit name."""
    out_nb = folder / "notebooks"
    tasks: list[Task] = []
    gaps: dict[str, list[str]] = {}
    for r in records:
        if r["unit_id"] not in wanted:
            continue
        unit = registry.get(r["unit_id"])
        cov = coverage.loc[unit.unit_id] if coverage is not None and unit.unit_id in coverage.index else None
        complete = cov is not None and bool(cov["complete"])
        if not complete:
            gaps[unit.full_name] = list(cov["missing"]) if cov is not None else ["không có tệp xuất hồ sơ nào"]
        task = Task(
            "unit",
            unit.full_name,
            unit.slug,
            UNIT_NOTEBOOK,
            {
                "data_dir": str(settings.data_dir),
                "period": period_spec(period),
                "unit": unit.unit_id,
                "group": unit.group,
                "incomplete": not complete,
            },
            str(out_nb / f"{unit.slug}_{period.id}.ipynb"),
            str(folder / f"{unit.slug}_{period.id}"),
        )
        if not complete and not allow_incomplete:
            task.status, task.error = "skipped", "thiếu dữ liệu: " + "; ".join(gaps[unit.full_name])
        tasks.append(task)
    for g in groups:
        slug = slugify(g)
        tasks.append(
            Task(
                "group",
                g,
                slug,
                GROUP_NOTEBOOK,
                {"data_dir": str(settings.data_dir), "period": period_spec(period), "group": g},
                str(out_nb / f"{slug}_{period.id}.ipynb"),
                str(folder / f"{slug}_{period.id}"),
            )
        )
    return tasks, gaps


def _manifest(
    period, summary, methodology, outcome, records, tasks, folder, workers, group, units, allow_incomplete,
    retry_failed, formats, cluster=None, store_url=None,
) -> dict:  # fmt: skip
    """What a run used and produced: parameters, methodology, inputs with digests, gaps, warnings, tasks, outputs."""
    outputs = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.name not in (".lock", "manifest.json", "run.log") and p.suffix != ".tmp"
    )
    return {
        "period": {"id": period.id, "start": str(period.start), "end": str(period.end)},
        "parameters": {
            "group": group,
            "units": units,
            "jobs": workers,
            "cluster": cluster,
            "store_url": redact(store_url) if store_url else None,
            "allow_incomplete": allow_incomplete,
            "retry_failed": retry_failed,
            "formats": formats,
        },
        "methodology": {"version": methodology.version, "digest": methodology.digest},
        "package_version": __version__,
        "environment": environment_versions(),
        "pseudonym_key_id": outcome.key_id,
        "inputs": [{"file": r.file, "sha256": r.sha256, "kind": r.kind} for r in outcome.reports],
        "refused_inputs": [r.file for r in outcome.refused],
        "coverage_gaps": summary["coverage_gaps"],
        # what the briefs say next to the figures: unknown inputs, file warnings, consistency checks
        "indicator_warnings": {r["unit_name"]: r["warnings"] for r in records if r["warnings"]},
        "missing_indicators": {r["unit_name"]: r["missing"] for r in records if r["missing"]},
        "tasks": [asdict(t) for t in tasks],
        "outputs": [{"file": p.relative_to(folder).as_posix(), "sha256": file_sha256(p)} for p in outputs],
        "seconds": summary["seconds"],
        "finished_at": summary["finished_at"],
    }


LOCK_FILE = "requirements.lock"  # the pinned versions `make setup` and CI install (pip constraints)


def environment_versions() -> dict:
    """What computed and rendered the figures: Python and the libraries that shape them, and the digest of the lock
    file of the project the run was started from (None outside a project checkout)."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from .paths import project_root

    def v(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    root = project_root()
    lock = root / LOCK_FILE if root is not None else None
    return {
        "python": platform.python_version(),
        **{name: v(name) for name in ("pandas", "numpy", "pyarrow", "matplotlib", "weasyprint", "papermill")},
        "lock_sha256": file_sha256(lock) if lock is not None and lock.is_file() else None,
    }


def _init_worker(path: str) -> None:  # worker initializer
    import atexit

    if Path(path).parent.is_dir():  # a Dask worker on another machine may not see the run folder
        _redirect_stderr(path)
    atexit.register(_stop_kernel)


def _redirect_stderr(path: str) -> None:
    """Kernels inherit the worker's stderr: their start-up chatter goes to the run folder's kernels.log, not the
    terminal of the person running ``cchc run``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)


def _longest_first(tasks: list[Task]) -> list[Task]:
    """The order briefs are handed to the workers: a group's brief first (its ranking tables and charts take two to
    six unit briefs' time), so that the last brief to finish is a short one and no worker waits idle at the end."""
    return sorted(tasks, key=lambda t: t.kind != "group")


def _run_tasks(tasks: list[Task], nb_dir: Path, workers: int, formats: list[str], kernel_log: Path) -> None:
    from tqdm import tqdm

    ctx = mp.get_context("spawn")
    with cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(str(kernel_log),)
    ) as pool:
        futures = {pool.submit(_execute, asdict(t), str(nb_dir), formats): t for t in _longest_first(tasks)}
        # a bar on a terminal only; in cron or a service log, a line per brief instead of carriage-return frames
        on_terminal = sys.stderr.isatty()
        done = tqdm(cf.as_completed(futures), total=len(futures), desc="Báo cáo", unit="bc", disable=not on_terminal)
        for n, future in enumerate(done, start=1):
            task = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - the worker itself died
                result = {
                    "status": "failed",
                    "error": f"tiến trình con dừng bất thường: {exc}"[:300],
                    "seconds": 0,
                    "outputs": [],
                }
            _record(task, result)
            if not on_terminal:
                log.info("Báo cáo %d/%d: %s (%s)", n, len(futures), task.name, task.status)


def _record(task: Task, result: dict) -> None:
    """A brief's outcome into its task (as the manifest records it)."""
    task.status, task.error = result["status"], result.get("error", "")
    task.seconds, task.outputs = result.get("seconds", 0.0), result.get("outputs", [])
    task.timings = result.get("timings", {})


def _cluster_execute(
    task: dict, nb_dir: str | None, formats: list[str], scope: tuple[str, ...], remote: dict | None = None
) -> dict:
    """``_execute`` on a Dask worker: the notebooks of the worker's own installation where the run's path does not
    exist there, and the run's unit area (``CCHC_SCOPE``) for the kernel the worker starts. With ``remote`` (the
    store published by ``_publish``), the store staged into the worker's cache and the brief returned as bytes."""
    from .registry import ENV_SCOPE

    if scope:
        os.environ[ENV_SCOPE] = ";".join(scope)
    folder = nb_dir if nb_dir and Path(nb_dir).is_dir() else str(notebooks_dir())
    return _execute_staged(task, folder, formats, remote) if remote else _execute(task, folder, formats)


def _execute_staged(task: dict, nb_dir: str, formats: list[str], remote: dict) -> dict:
    """A brief on a worker that does not see the run machine's folders: the data folder is the store staged from
    ``remote["url"]``, the brief is written to a temporary folder and returned in ``files`` (path in the run
    folder -> content), for the run machine to write."""
    from .remote import stage_store

    run_folder = Path(remote["run_folder"])
    try:
        data = stage_store(remote["url"], remote["listing"])
    except Exception as exc:  # noqa: BLE001 - the brief fails, reported as any other failure
        message = (str(exc).strip().splitlines() or [type(exc).__name__])[-1][:300]
        return {**task, "status": "failed", "error": f"nạp kho: {message}", "outputs": [], "seconds": 0.0}
    with tempfile.TemporaryDirectory(prefix="cchc-brief-") as tmp:

        def here(path: str) -> str:
            return str(Path(tmp) / Path(path).relative_to(run_folder)) if path else path

        local = {**task, "output": here(task["output"]), "publish_base": here(task["publish_base"])}
        local["parameters"] = {**task["parameters"], "data_dir": str(data), "run_dir": str(data / "run")}
        Path(local["output"]).parent.mkdir(parents=True, exist_ok=True)
        result = _execute(local, nb_dir, formats)
        files = {str(run_folder / Path(o).relative_to(tmp)): Path(o).read_bytes() for o in result["outputs"]}
    return {
        **result,
        "output": task["output"],
        "publish_base": task["publish_base"],
        "outputs": [*files],
        "files": files,
    }


def _run_on_cluster(
    tasks: list[Task], nb_dir: Path, workers: int, formats: list[str], kernel_log: Path, cluster: str,
    remote: dict | None = None,
) -> None:  # fmt: skip
    """The briefs as Dask tasks: ``local`` starts a LocalCluster of ``workers`` single-threaded worker processes,
    anything else is a running scheduler's address. Each brief is one task (retried never: a failed brief is
    reported as locally), each worker keeps one kernel across its briefs, and a worker that dies fails only the
    briefs it held."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        from .errors import UsageError

        raise UsageError(
            "--cluster cần thư viện Dask distributed: pip install 'cchc-analysis[cluster]'. "
            "/ --cluster needs Dask distributed: pip install 'cchc-analysis[cluster]'."
        ) from None
    from .registry import env_scope

    local = None
    if cluster == "local":
        local = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
        )
        client = Client(local)
    else:
        client = Client(cluster, timeout="30s")
    try:
        client.run(_init_worker, str(kernel_log))  # kernels' chatter to the run's log where the worker sees it
        futures = {
            client.submit(
                _cluster_execute,
                asdict(t),
                str(nb_dir),
                formats,
                env_scope(),
                remote,
                key=f"brief-{t.output}",
                retries=0,
            ): t
            for t in _longest_first(tasks)
        }
        for n, future in enumerate(as_completed(futures), start=1):
            task = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - the worker holding the brief died
                result = {"status": "failed", "error": f"máy/tiến trình con dừng bất thường: {exc}"[:300]}
            for path, content in result.pop("files", {}).items():  # a brief rendered where the folder is not seen
                write_atomic(path, content)
            _record(task, result)
            log.info("Báo cáo %d/%d: %s (%s)", n, len(futures), task.name, task.status)
        client.run(_stop_kernel)
    finally:
        client.close()
        if local is not None:
            local.close()


def publish_country(
    data_dir, period: Period, group: str | None, folder: Path, formats: list[str] | None = None
) -> list:
    """The country brief (``07_country_brief``, one notebook run in its own kernel) published into ``folder`` as
    ``<slug>_<period id>`` in HTML, PDF and Word; the executed notebook beside them. Returns the files written."""
    import papermill as pm

    from .publish.exporter import publish_notebook
    from .text import slugify

    formats = formats or ["html", "pdf", "docx"]
    if "pdf" in formats:
        _check_pdf_renderer()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / f"{slugify(group or 'Cả nước')}_{period.id}"
    executed = base.with_suffix(".ipynb")
    docx = str(base.with_name(base.name + ".docx")) if "docx" in formats else ""
    parameters = {"data_dir": str(Path(data_dir).resolve()), "period": period_spec(period), "group": group or ""}
    pm.execute_notebook(
        str(notebooks_dir() / "07_country_brief.ipynb"),
        str(executed),
        parameters={**parameters, "docx": docx},
        kernel_name="python3",
        progress_bar=False,
        **_kernel_transport(),
    )
    outputs = [str(executed), *publish_notebook(executed, base, [f for f in formats if f in ("html", "pdf")])]
    return outputs + ([docx] if docx else [])


def _read_manifest(folder: Path) -> dict | None:
    path = folder / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def exit_code(manifest: dict) -> int:
    """0 when every brief was produced; 1 when one failed or was skipped for missing data."""
    return 0 if all(t["status"] == "ok" for t in manifest["tasks"]) else 1


def last_complete_quarter(today: dt.date | None = None) -> str:
    """The period id of the last quarter that ended before ``today``: 2026-11-27 -> "2026Q3"."""
    today = today or dt.date.today()
    q = (today.month - 1) // 3  # quarters completed this year
    return f"{today.year}Q{q}" if q else f"{today.year - 1}Q4"
