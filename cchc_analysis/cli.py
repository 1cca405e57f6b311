"""The ``cchc`` command line: subcommands, shared options, logging set up once, exit codes.

Conventions every subcommand follows: ``--data-dir`` and ``--reports-dir`` mean the same before or after
the subcommand; results go to stdout (or ``-o FILE``), logs and messages to stderr; exit 0 when everything
asked was done, 1 when an input was refused or an output could not be produced, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import CchcError, ConfigError, UsageError
from .registry import UnitRegistry
from .settings import Settings
from .text import format_table, vn_decimal, vn_int

log = logging.getLogger("cchc_analysis")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

_LEVEL_NAMES = {"DEBUG": "GỠ LỖI", "INFO": "THÔNG TIN", "WARNING": "CẢNH BÁO", "ERROR": "LỖI", "CRITICAL": "LỖI"}


class _VietnameseFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        label = _LEVEL_NAMES.get(record.levelname, record.levelname)
        text = f"{label}: {record.getMessage()}"
        if record.exc_info:  # only with --debug
            text += "\n" + self.formatException(record.exc_info)
        return text


def configure_logging(verbosity: int = 0, quiet: bool = False) -> None:
    """Send the package's log records to stderr, once; ``-v`` shows details, ``-q`` only problems."""
    level = logging.WARNING if quiet else (logging.DEBUG if verbosity > 1 else logging.INFO)
    root = logging.getLogger("cchc_analysis")
    for handler in list(root.handlers):
        if getattr(handler, "_cchc", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._cchc = True  # type: ignore[attr-defined]
    handler.setFormatter(_VietnameseFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


# --- argument parsing -------------------------------------------------------------------------------


PERIOD_HELP = (
    "Kỳ: 2023Q3 hoặc Quý III/2023, 2023-08 hoặc Tháng 8/2023, 2023H1 hoặc 6 tháng đầu năm 2023, 2023, "
    "8 tháng năm 2023, 2023-01-01..2023-08-31 hoặc 01/01/2023-31/08/2023. / Period."
)

# argparse's own messages, in Vietnamese (with the English kept after a slash, as in the help)
_ARGPARSE_VI = [
    (r"unrecognized arguments: (.*)", r"không hiểu các tham số: \1"),
    (r"the following arguments are required: (.*)", r"thiếu tham số bắt buộc: \1"),
    (r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)", r"tham số \1: giá trị \2 không hợp lệ (chọn: \3)"),
    (r"argument (\S+): expected one argument", r"tham số \1 cần một giá trị"),
    (r"argument (\S+): invalid \S+ value: (.*)", r"tham số \1: giá trị \2 không hợp lệ"),
    (r"argument (\S+): (.*)", r"tham số \1: \2"),
]
_HELP_VI = (("usage: ", "cách dùng / usage: "), ("\noptions:", "\ntùy chọn / options:"))


class VietnameseParser(argparse.ArgumentParser):
    """An argument parser whose own messages (usage, errors) are in Vietnamese too."""

    def format_usage(self) -> str:
        return _help_vi(super().format_usage())

    def format_help(self) -> str:
        return _help_vi(super().format_help())

    def error(self, message: str):
        import re

        vi = next((re.sub(p, r, message) for p, r in _ARGPARSE_VI if re.fullmatch(p, message)), message)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: lỗi: {vi}" + (f" / error: {message}" if vi != message else "") + "\n")


def _help_vi(text: str) -> str:
    for en, vi in _HELP_VI:
        text = text.replace(en, vi, 1) if en.startswith("usage") and text.startswith(en) else text.replace(en, vi)
    return text


def _add_common(parser: argparse.ArgumentParser, in_subcommand: bool) -> None:
    default = argparse.SUPPRESS if in_subcommand else None
    parser.add_argument("-h", "--help", action="help", help="Hiện trợ giúp này. / Show this help.")
    group = parser.add_argument_group("tùy chọn chung / common options")
    group.add_argument(
        "--data-dir",
        metavar="DIR",
        default=default,
        help="Thư mục dữ liệu (chứa raw/ và processed/); mặc định ./data hoặc biến CCHC_DATA_DIR. "
        "/ Data folder (holds raw/ and processed/); default ./data or $CCHC_DATA_DIR.",
    )
    group.add_argument(
        "--reports-dir",
        metavar="DIR",
        default=default,
        help="Thư mục báo cáo; mặc định ./reports hoặc biến CCHC_REPORTS_DIR. "
        "/ Reports folder; default ./reports or $CCHC_REPORTS_DIR.",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default,
        help="Ghi nhật ký chi tiết hơn. / More detailed log messages.",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default,
        help="Chỉ báo cảnh báo và lỗi. / Only warnings and errors.",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default,
        help="Hiện chi tiết kỹ thuật (traceback) khi có lỗi. / Show tracebacks on errors.",
    )


def _add_output(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    """--format (one of ``formats``) and -o FILE, as every result-producing command has them."""
    note = " (xlsx cần -o)" if "xlsx" in formats else ""
    parser.add_argument(
        "--format",
        choices=formats,
        default=formats[0],
        help=f"Định dạng{note}. / Output format{' (xlsx needs -o)' if note else ''}.",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="Ghi ra tệp thay vì màn hình. / Write to FILE.")


def _subcommand(sub, name: str, **kwargs) -> argparse.ArgumentParser:
    """A subcommand with the shared options (which mean the same before or after it)."""
    parser = sub.add_parser(name, add_help=False, **kwargs)
    _add_common(parser, in_subcommand=True)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The ``cchc`` argument parser (bilingual help: Vietnamese / English)."""
    parser = VietnameseParser(
        prog="cchc",
        description=(
            "Bộ công cụ phân tích cải cách hành chính cấp xã: đọc dữ liệu xuất từ hệ thống một cửa, "
            "kho bạc và bảng chấm điểm chỉ số CCHC; tính chỉ số, xếp hạng và xuất bản báo cáo.\n"
            "Administrative-reform analysis for Vietnamese communes: reads one-stop-shop, treasury and "
            "PAR-index exports; computes indicators, rankings and briefs."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"cchc-analysis {__version__}",
        help="Hiện phiên bản. / Show the version.",
    )
    _add_common(parser, in_subcommand=False)
    sub = parser.add_subparsers(dest="command", metavar="LỆNH/COMMAND")

    _add_data_commands(sub)
    _add_figure_commands(sub)
    _add_report_commands(sub)
    _add_demo_commands(sub)
    return parser


def _add_data_commands(sub) -> None:
    """Subcommands that read the exports: units, ingest, inspect."""
    p = _subcommand(
        sub,
        "units",
        help="Liệt kê danh mục đơn vị hành chính. / List the administrative-unit registry.",
        description="Liệt kê các đơn vị (kể cả đơn vị đã giải thể/sáp nhập), nhóm so sánh và đơn vị kế thừa. "
        "/ List units (historical ones included), their peer groups and successors.",
    )
    p.add_argument("--group", metavar="G", help="Chỉ một nhóm so sánh (huyện/tỉnh). / Only one peer group.")
    p.add_argument(
        "--groups",
        action="store_true",
        help="Liệt kê các nhóm so sánh (huyện đến 30/06/2025, tỉnh từ 01/07/2025) thay cho các đơn vị. "
        "/ List the peer groups (districts until 30/06/2025, provinces since) instead of the units.",
    )
    _add_output(p, ("table", "json"))
    p.set_defaults(handler=cmd_units)

    p = _subcommand(
        sub,
        "ingest",
        help="Đọc, làm sạch và lưu mọi tệp xuất trong DIR/raw/. / Read, clean and store every export in DIR/raw/.",
        description="Đọc mọi tệp trong DIR/raw/ (kể cả thư mục con), nhận loại tệp, làm sạch, bí danh hóa dữ liệu cá "
        "nhân và lưu vào DIR/processed/ (Parquet), kèm bảng dòng bị loại và báo cáo nhập liệu. Tệp không đổi được "
        "bỏ qua. / Read every file under DIR/raw/, classify, clean, pseudonymise and store as Parquet in "
        "DIR/processed/, with rejected rows and an ingest report. Unchanged files are skipped.",
    )
    p.add_argument(
        "--assume-unit",
        metavar="NAME|CODE",
        help="Đơn vị của mọi tệp, ghi đè mọi suy luận (tiêu đề, thư mục, tên tệp, cột đơn vị); cho một tệp riêng: khóa "
        "unit trong tệp --mapping. / The unit of every file, over every inference (per file: the mapping file).",
    )
    p.add_argument(
        "--mapping",
        metavar="FILE",
        help="Tệp YAML khai báo cách đọc các bố cục lạ: dòng tiêu đề, cột của từng trường, cách viết giá trị, đơn vị, "
        "thứ tự ngày (xem docs/mapping.md). / YAML file stating how to read unusual layouts (see docs/mapping.md).",
    )
    p.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="Số tiến trình đọc tệp (mặc định: CCHC_JOBS hoặc số lõi). / Processes reading files (default: cores).",
    )
    _add_output(p, ("table", "json"))
    p.set_defaults(handler=cmd_ingest)

    p = _subcommand(
        sub,
        "inspect",
        help="Xem bộ đọc hiểu một tệp thế nào; ghi tệp ánh xạ mẫu. / Show what the reader sees in one file.",
        description="Cho biết loại tệp, dòng tiêu đề, trường của từng cột và bằng chứng, giá trị mẫu (che dữ liệu cá "
        "nhân), đơn vị, kỳ, thứ tự ngày và kết quả đọc thử; không ghi gì vào kho. --write-mapping ghi tệp ánh xạ mẫu "
        "để sửa rồi dùng với cchc ingest --mapping. / Show a file's kind, header rows, each column's field with its "
        "evidence, masked samples, unit, period, date order and a trial read; write a starter mapping file.",
    )
    p.add_argument("file", metavar="FILE", help="Tệp cần xem. / The file to inspect.")
    p.add_argument("--assume-unit", metavar="NAME|CODE", help="Như cchc ingest. / As for cchc ingest.")
    p.add_argument("--mapping", metavar="FILE", help="Tệp ánh xạ đang dùng. / A mapping file to apply.")
    p.add_argument(
        "--write-mapping",
        metavar="OUT",
        help="Ghi tệp ánh xạ mẫu (YAML) theo cách bộ đọc hiểu tệp. / Write a starter mapping file.",
    )
    p.add_argument("--format", choices=("table", "json"), default="table", help="Định dạng. / Output format.")
    p.set_defaults(handler=cmd_inspect)


def _add_figure_commands(sub) -> None:
    """Subcommands that compute figures: indicators, rank."""
    p = _subcommand(
        sub,
        "indicators",
        help="Tính các chỉ số của một kỳ. / Compute a period's indicators.",
        description="Tính các chỉ số (hồ sơ TTHC, thanh toán trực tuyến, thủ tục trực tuyến, ngân sách, chỉ số CCHC, "
        "số liệu nhập tay) của một kỳ từ dữ liệu đã nhập (cchc ingest). / Compute a period's indicators from the "
        "processed store.",
    )
    p.add_argument("--period", required=True, metavar="P", help=PERIOD_HELP)
    p.add_argument("--unit", action="append", metavar="NAME|CODE", help="Đơn vị (có thể lặp lại). / Unit (repeatable).")
    p.add_argument("--group", metavar="G", help="Mọi đơn vị của một nhóm. / Every unit of a group.")
    p.add_argument("--methodology", metavar="FILE", help="Tệp phương pháp (YAML). / Methodology file.")
    p.add_argument(
        "--cutoff",
        choices=("calendar", "official"),
        default="calendar",
        help="Kỳ theo lịch hoặc theo thời điểm chốt số liệu báo cáo định kỳ. / Calendar or official cut-off.",
    )
    _add_output(p, ("table", "json", "csv", "xlsx"))
    p.set_defaults(handler=cmd_indicators)

    p = _subcommand(
        sub,
        "rank",
        help="Xếp hạng các đơn vị trong nhóm. / Rank the units of a group.",
        description="Xếp hạng các đơn vị cùng nhóm theo từng chỉ số, kèm khoảng tin cậy Wilson 95%, đánh giá tốt "
        "hơn/tương đương/kém hơn mức chung của nhóm (biểu đồ phễu) và khoảng hạng mô phỏng Monte Carlo; đơn vị có "
        "quá ít hồ sơ được đánh dấu, không xếp hạng. / Rank a group's units per indicator, with Wilson intervals, "
        "funnel flags and Monte Carlo rank ranges; low-volume units are flagged, not ranked.",
    )
    p.add_argument("--period", required=True, metavar="P", help="Kỳ. / Period.")
    p.add_argument("--group", metavar="G", help="Nhóm so sánh. / Peer group.")
    p.add_argument("--indicator", action="append", metavar="KEY", help="Chỉ số (có thể lặp lại). / Indicator.")
    p.add_argument("--methodology", metavar="FILE", help="Tệp phương pháp (YAML). / Methodology file.")
    _add_output(p, ("table", "json", "csv", "xlsx"))
    p.set_defaults(handler=cmd_rank)

    p = _subcommand(
        sub,
        "rollup",
        help="Tổng hợp theo tỉnh: phân bố các chỉ số 766 của các xã. / Province rollup of the 766 indicators.",
        description="Với mỗi tỉnh/thành phố có dữ liệu: số xã, số xã có số liệu, trung vị, khoảng tứ phân vị và giá "
        "trị thấp nhất/cao nhất của từng chỉ số theo Quyết định 766 của các xã trong tỉnh. / For each province: "
        "its communes' median, quartiles and extremes of each Decision 766 indicator.",
    )
    p.add_argument("--period", required=True, metavar="P", help="Kỳ. / Period.")
    p.add_argument("--group", metavar="G", help="Chỉ một nhóm/tỉnh. / Only one group or province.")
    p.add_argument(
        "--publish",
        metavar="DIR",
        help="Ghi thêm báo cáo tổng hợp (HTML, PDF, Word) vào DIR. / Also write the country brief into DIR.",
    )
    _add_output(p, ("table", "json", "csv"))
    p.set_defaults(handler=cmd_rollup)


def _add_report_commands(sub) -> None:
    """Subcommands that produce reports: run, publish, template."""
    p = _subcommand(
        sub,
        "run",
        help="Chạy cả quy trình của một kỳ (định kỳ hằng quý). / Run a period end to end (the quarterly job).",
        description="Nhập dữ liệu (bỏ qua tệp không đổi), kiểm tra dữ liệu đủ kỳ, tính chỉ số và xếp hạng, chạy các "
        "notebook báo cáo cho từng đơn vị và từng nhóm trong nhiều tiến trình, ghi mọi kết quả vào REPORTS/<kỳ>/ kèm "
        "manifest.json. / Ingest, check coverage, compute indicators and rankings, execute the brief notebooks per "
        "unit and per group in worker processes, into REPORTS/<period>/ with a manifest.",
    )
    p.add_argument(
        "--period", metavar="P", help="Kỳ; mặc định quý gần nhất đã kết thúc. / Period (default: last quarter)."
    )
    p.add_argument("--group", metavar="G", help="Nhóm so sánh. / Peer group.")
    p.add_argument("--unit", action="append", metavar="NAME|CODE", help="Chỉ báo cáo đơn vị này. / Only this unit.")
    p.add_argument("--jobs", type=int, metavar="N", help="Số tiến trình (mặc định: số lõi). / Worker processes.")
    cluster = p.add_mutually_exclusive_group()
    cluster.add_argument(
        "--cluster",
        choices=["local"],
        help="Dựng báo cáo trên một cụm Dask cục bộ (--jobs tiến trình); cần gói [cluster]. "
        "/ Render the briefs on a local Dask cluster (--jobs workers); needs the [cluster] extra.",
    )
    cluster.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="Địa chỉ bộ lập lịch Dask (tcp://máy:8786); các máy trạm phải thấy thư mục dữ liệu và báo cáo cùng đường "
        "dẫn. / A Dask scheduler's address; its workers see the data and reports folders at the same paths.",
    )
    p.add_argument(
        "--store-url",
        metavar="URL",
        help="Với --cluster/--scheduler: công bố kho đã xử lý lên URL này (s3://…, gs://…, qua fsspec) để các máy "
        "trạm không chung thư mục nạp về; báo cáo gửi lại máy chạy. / With --cluster/--scheduler: publish the "
        "processed store to this fsspec URL for workers that do not share the folders; briefs come back here.",
    )
    p.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="Vẫn xuất báo cáo khi thiếu dữ liệu, kèm cảnh báo. / Publish incomplete units with a notice.",
    )
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="Chỉ chạy lại các báo cáo lỗi của lần chạy trước. / Rerun only what failed last time.",
    )
    p.add_argument(
        "--formats",
        default="html,pdf,docx,xlsx",
        metavar="F,F",
        help="Định dạng xuất bản (mặc định: tất cả). / Published formats (default: html,pdf,docx,xlsx).",
    )
    p.set_defaults(handler=cmd_run)

    p = _subcommand(
        sub,
        "publish",
        help="Xuất bản một notebook đã chạy thành HTML, PDF. / Publish an executed notebook as HTML and PDF.",
        description="Xuất các kết quả (không có mã, không JavaScript, không tải gì từ mạng) của một notebook đã chạy "
        "thành trang HTML khổ A4 và tệp PDF (WeasyPrint, nhúng phông chữ). / Publish an executed notebook's outputs "
        "(no code, no JavaScript, nothing fetched) as A4 HTML and PDF (WeasyPrint, fonts embedded).",
    )
    p.add_argument("notebook", metavar="NOTEBOOK", help="Notebook đã chạy (.ipynb). / Executed notebook.")
    p.add_argument("--formats", default="html,pdf", metavar="F,F", help="html, pdf (mặc định cả hai). / Formats.")
    p.add_argument(
        "-o", "--output", metavar="BASE", help="Tên tệp ra, không đuôi (mặc định: cạnh notebook). / Output base name."
    )
    p.set_defaults(handler=cmd_publish)

    p = _subcommand(
        sub,
        "template",
        help="Tạo biểu nhập số liệu thủ công cho một kỳ. / Write the manual-input workbook for a period.",
        description="Tạo tệp Excel để nhập các số liệu không có trên hệ thống (văn bản điện tử, hòm thư công vụ, "
        "chữ ký số, kế hoạch CCHC, cán bộ đạt chuẩn, Đề án 06, PAKN, khảo sát...), mỗi đơn vị một dòng, có kiểm tra "
        "dữ liệu, và trang «Nội dung báo cáo» cho phần lời văn của từng mục báo cáo. Nhập xong, chép tệp vào "
        "DIR/raw/ rồi chạy cchc ingest. / Write the workbook for the figures no system exports, one row per unit, "
        "with data validation, and a sheet for the report's texts; put it in DIR/raw/ when filled and run cchc ingest.",
    )
    p.add_argument("--period", required=True, metavar="P", help=PERIOD_HELP)
    p.add_argument("--unit", action="append", metavar="NAME|CODE", help="Đơn vị (có thể lặp lại). / Unit (repeatable).")
    p.add_argument("--group", metavar="G", help="Mọi đơn vị của một nhóm. / Every unit of a group.")
    p.add_argument("-o", "--output", metavar="FILE", help="Tệp ra (.xlsx). / Output file.")
    p.add_argument(
        "--from-previous",
        metavar="FILE",
        help="Chép phần lời văn của biểu kỳ trước (đã điền) làm bản nháp, có đánh dấu cần cập nhật. / Carry the "
        "texts of the previous period's filled workbook over as a draft, marked as such.",
    )
    p.set_defaults(handler=cmd_template)


def _add_demo_commands(sub) -> None:
    """Subcommands of the demo district: demo-data, demo."""
    p = _subcommand(
        sub,
        "demo-data",
        help="Tạo dữ liệu mẫu của huyện Thanh Miện vào DIR/raw/. / Write the demo district's exports.",
        description="Tạo dữ liệu xuất mẫu (giả lập, không có người thật) cho 17 đơn vị của huyện Thanh Miện "
        "(01/2022–06/2025) và 5 xã mới của thành phố Hải Phòng (07/2025–09/2026) vào DIR/raw/; với --province: mọi "
        "xã, phường của Hải Phòng từ 01/07/2025. Chạy lại cho ra đúng từng byte như cũ. / Write deterministic, "
        "fictitious exports for the 17 units of Thanh Miện and their 5 successors (--province: all of Hải Phòng).",
    )
    p.add_argument(
        "--unit",
        action="append",
        metavar="NAME|CODE",
        help="Chỉ tạo cho đơn vị này (có thể lặp lại). / Only this unit (may repeat).",
    )
    _add_province_flag(p)
    p.set_defaults(handler=cmd_demo_data)

    p = _subcommand(
        sub,
        "demo",
        help="Chạy toàn bộ quy trình trên dữ liệu mẫu. / Run the pipeline on the demo data.",
        description="Tạo dữ liệu mẫu (mặc định trong data/demo) rồi chạy các bước đã có của quy trình và "
        "in ra nơi lưu kết quả; với --province: dữ liệu mẫu cả thành phố Hải Phòng (data/demo-hai-phong) và báo "
        "cáo quý gần nhất của mọi xã, phường. / Generate the demo data (default data/demo), run the pipeline's "
        "stages and print where the outputs are; --province: the Hải Phòng demo and its last quarter's run.",
    )
    _add_province_flag(p)
    p.set_defaults(handler=cmd_demo)


def _add_province_flag(p) -> None:
    p.add_argument(
        "--province",
        action="store_true",
        help="Dữ liệu mẫu của cả thành phố Hải Phòng (114 xã, phường, từ 01/07/2025). "
        "/ The province demo: every commune of Hải Phòng since 01/07/2025.",
    )


# --- commands --------------------------------------------------------------------------------------


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.resolve(getattr(args, "data_dir", None), getattr(args, "reports_dir", None))


def _write_output(text: str, output: str | None) -> None:
    if output:
        from .fileio import write_atomic

        log.info("Đã ghi %s", write_atomic(output, text.encode("utf-8")))
    else:
        sys.stdout.write(text)


def _period(text: str, cutoff: str = "calendar"):
    """A period from the command line; a malformed one is a usage error (exit 2)."""
    from .periods import parse_period

    try:
        return parse_period(text, cutoff)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def _records_json(records: list[dict]) -> str:
    """A JSON array with one record per line: as easy to read and to grep as an indented one, and written by the
    C encoder (the indented form takes Python's, about 40 µs a record: 0.8 s for a country's rankings)."""
    if not records:
        return "[]\n"
    lines = ",\n".join("  " + json.dumps(r, ensure_ascii=False, default=str) for r in records)
    return "[\n" + lines + "\n]\n"


def _csv(records: list[dict], keys: list[str]) -> str:
    """Records as CSV text with the given columns (nested values left out); text a spreadsheet would run as a
    formula is written as text (see :func:`text.csv_safe`), as in the Excel outputs."""
    import csv
    import io

    from .text import csv_safe

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=keys, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: csv_safe(v) for k, v in r.items()} for r in records)
    return buf.getvalue()


def _write_bytes(path: Path, data: bytes) -> None:
    """Write an output atomically (temporary file, then rename)."""
    from .fileio import write_atomic

    log.info("Đã ghi %s", write_atomic(path, data))


def cmd_units(args: argparse.Namespace) -> int:
    settings = _settings(args)
    registry = UnitRegistry.load(settings.data_dir)
    if args.groups:
        return _list_groups(registry, args)
    records = registry.to_records(group=args.group)
    if args.format == "json":
        text = _records_json(records)
    else:
        rows = []
        for r in records:
            succ = ", ".join(
                s["name"] + (f" ({s['share']:.0%})" if s["share"] not in (None, 1.0) else "") for s in r["successors"]
            )
            valid_to = r["valid_to"]
            rows.append([r["code"], r["name"], r["type"], r["group"], _vn_date(valid_to), succ])
        text = format_table(["Mã", "Tên đơn vị", "Loại", "Nhóm", "Hiệu lực đến", "Đơn vị kế thừa"], rows)
    _write_output(text, args.output)
    return EXIT_OK


def _list_groups(registry: UnitRegistry, args: argparse.Namespace) -> int:
    """``cchc units --groups``: each peer group with its province, its number of units and when they existed."""
    groups: dict[str, dict] = {}
    for unit in registry:
        g = groups.setdefault(unit.group, {"group": unit.group, "province": unit.province, "units": 0, "to": None})
        g["units"] += 1
        g["to"] = unit.valid_to.isoformat() if unit.valid_to else None
    records = sorted(groups.values(), key=lambda g: (g["to"] is None, g["province"], g["group"]))
    if args.format == "json":
        text = _records_json(records)
    else:
        rows = [
            [g["group"], g["province"] if g["province"] != g["group"] else "", vn_int(g["units"]), _vn_date(g["to"])]
            for g in records
        ]
        text = format_table(["Nhóm so sánh", "Tỉnh", "Số đơn vị", "Hiệu lực đến"], rows)
    _write_output(text, args.output)
    return EXIT_OK


def _vn_date(iso: str | None) -> str:
    if not iso:
        return ""
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


@contextlib.contextmanager
def _file_progress(args: argparse.Namespace):
    """A progress bar over the files on a terminal; elsewhere (cron, systemd, a pipe) no bar: the log has a line
    per file read, and no carriage-return frames."""
    if getattr(args, "quiet", False) or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=0, desc="Nhập dữ liệu", unit="tệp", leave=False, file=sys.stderr)

    def show(done: int, total: int, name: str) -> None:
        bar.total = total
        bar.n = done
        bar.set_postfix_str(name[-40:], refresh=True)

    try:
        yield show
    finally:
        bar.close()


def _dossier_table(settings: Settings) -> Path:
    """Where the store's dossier table is (the partitioned folder, or one file when there are no dossiers)."""
    from .store import DOSSIER_DATASET, dossier_path

    return dossier_path(settings.processed_dir) or settings.processed_dir / DOSSIER_DATASET


def _check_jobs(args: argparse.Namespace) -> None:
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs phải là số nguyên dương.")


def cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest.classify import KINDS
    from .store import ingest

    settings = _settings(args)
    _check_jobs(args)
    with _file_progress(args) as progress:
        outcome = ingest(
            settings.data_dir,
            assume_unit=args.assume_unit,
            mapping_file=args.mapping,
            progress=progress,
            jobs=args.jobs,
        )
    if args.format == "json":
        doc = {
            "pseudonym_key_id": outcome.key_id,
            "dossiers": outcome.dossiers,
            "duplicates_across_files": outcome.duplicates_across_files,
            "files": [r.as_dict() for r in outcome.reports],
            "skipped": outcome.skipped,
        }
        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    else:
        rows = []
        for r in outcome.reports:
            period = f"{_vn_date(r.period_start)}–{_vn_date(r.period_end)}" if r.period_start else ""
            status = "BỊ TỪ CHỐI" if r.error else (f"{len(r.warnings)} cảnh báo" if r.warnings else "")
            rows.append(
                [
                    r.file,
                    KINDS.get(r.kind, r.kind),
                    r.unit_name or "",
                    period,
                    r.rows_read,
                    r.rows_kept,
                    r.rows_rejected,
                    r.rows_skipped,
                    status,
                ]
            )
        text = format_table(["Tệp", "Loại", "Đơn vị", "Kỳ", "Đọc", "Giữ", "Loại bỏ", "Dòng khác", "Ghi chú"], rows)
        text += (
            f"\n{vn_int(outcome.dossiers)} hồ sơ trong kho ({_dossier_table(settings)}); "
            f"{outcome.duplicates_across_files} bản ghi trùng giữa các tệp đã gộp; "
            f"{len(outcome.refused)} tệp bị từ chối; khóa bí danh {outcome.key_id}.\n"
        )
        for r in outcome.reports:
            for w in r.warnings:
                text += f"  - {r.file}: {w}\n"
        for rel in outcome.skipped:
            if not any(r.file == rel for r in outcome.reports):
                text += f"  - {rel}: bỏ qua ({outcome.skipped_reasons.get(rel, 'không phải bảng dữ liệu')}).\n"
    _write_output(text, args.output)
    for r in outcome.refused:
        log.error("%s", r.error)
    if outcome.nothing_read:
        if not outcome.reports and not outcome.skipped:
            log.error(
                "Thư mục %s không có tệp nào: hãy chép nguyên trạng các tệp xuất từ hệ thống vào đó (mỗi đơn vị một "
                "thư mục, ví dụ raw/thanh-giang/), rồi chạy lại cchc ingest.",
                settings.raw_dir,
            )
        else:
            log.error(
                "Không đọc được dữ liệu nào từ %d tệp trong %s: xem lý do của từng tệp ở trên; sửa hoặc xuất lại các "
                "tệp bị từ chối (cchc inspect TỆP cho biết bộ đọc thấy gì), rồi chạy lại.",
                len(outcome.reports) + len(outcome.skipped),
                settings.raw_dir,
            )
    return outcome.exit_code


def cmd_inspect(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from .ingest.headers import onestop_vocabulary
    from .ingest.inspect import inspect_file, starter_mapping
    from .ingest.mapping import load_mapping
    from .registry import UnitRegistry

    settings = _settings(args)
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"Không có tệp {path}.")
    registry = UnitRegistry.load(settings.data_dir)
    if args.assume_unit:  # a misspelt unit is said at once, as by every command, not only if the file needs it
        registry.lookup(args.assume_unit)
    fields = {f.name for f in onestop_vocabulary().fields}
    mapping = load_mapping(args.mapping, fields=fields, registry=registry)
    raw = settings.raw_dir.resolve()
    view = inspect_file(
        path.resolve(),
        registry,
        raw_root=raw if path.resolve().is_relative_to(raw) else None,
        mapping=mapping,
        assume_unit=args.assume_unit,
    )
    if args.format == "json":
        _write_output(json.dumps(asdict(view), ensure_ascii=False, indent=2, default=str) + "\n", None)
    else:
        _write_output(view.text(), None)
    if args.write_mapping:
        if not view.mapping:
            raise CchcError("Không ghi được tệp ánh xạ mẫu: tệp không được đọc như danh sách hồ sơ.")
        Path(args.write_mapping).write_text(starter_mapping(view), encoding="utf-8")
        log.info("Đã ghi tệp ánh xạ mẫu %s: sửa cho đúng rồi dùng với cchc ingest --mapping.", args.write_mapping)
    return EXIT_FAILED if view.error else EXIT_OK


def cmd_indicators(args: argparse.Namespace) -> int:
    from .indicators import compute_indicators
    from .methodology import format_vn, indicator_catalogue, load_methodology

    settings = _settings(args)
    period = _period(args.period, args.cutoff)
    if args.format == "xlsx" and not args.output:
        raise UsageError("Định dạng xlsx cần tên tệp ra: thêm -o TỆP.xlsx.")
    methodology = load_methodology(args.methodology)
    records = compute_indicators(settings.data_dir, period, units=args.unit, group=args.group, methodology=methodology)
    # no dossier handled, no budget report and no manual figures of the period for any unit: the period has no data
    # (a PAR score is yearly and published later: alone, it does not make a period's report)
    if not records or all(not r["received_total"] and not r["budget_as_of"] and not r["manual"] for r in records):
        from .coverage import store_span

        raise CchcError(
            f"Không có số liệu nào của kỳ {period.label_vi} cho các đơn vị được chọn: {store_span(settings.data_dir)}. "
            "Hãy chọn kỳ khác, hoặc chép các tệp xuất của kỳ này vào raw/ rồi chạy cchc ingest."
        )
    catalogue = indicator_catalogue()
    mode = methodology.get("rounding", "mode")
    if args.format == "xlsx":
        from .workbook import indicators_workbook

        _write_bytes(Path(args.output), indicators_workbook(records, period, settings.data_dir, methodology))
        return EXIT_OK
    if args.format == "json":
        text = _records_json(records)
    elif args.format == "csv":
        text = _csv(records, [k for k in records[0] if k not in ("missing", "par_components", "manual")])
    else:
        keys = [k for k in catalogue if k in records[0]]
        headers = ["Chỉ số", "Đơn vị tính", *[r["unit_name"] for r in records]]
        rows = []
        for key in keys:
            spec = catalogue[key]
            values = [format_vn(r[key], spec["decimals"], mode) if r[key] is not None else "—" for r in records]
            rows.append([spec["label"], spec["unit"], *values])
        text = f"Kỳ {period.label_vi} (phương pháp {methodology.version})\n" + format_table(headers, rows)
        for r in records:
            for comp in r["par_components"]:
                if comp["self_review_required"]:
                    text += (
                        f"* {r['unit_name']}: chỉ số CCHC năm {r['par_year']} «{comp['component']}» đạt "
                        f"{format_vn(comp['score'], 3, mode)}/{vn_decimal(comp['max_score'], 3)} điểm = "
                        f"{format_vn(comp['pct'], 2, mode)}% (xếp thứ {comp['rank']}/{comp['rank_of']}): dưới 75%, "
                        "phải tự kiểm điểm.\n"
                    )
            s766 = r["score_766"]
            if s766["max_points"]:
                text += (
                    f"Điểm theo QĐ 766 ({r['unit_name']}): {format_vn(s766['points'], 2, mode)}/"
                    f"{format_vn(s766['max_points'], 0)} điểm của các nhóm tính được\n"
                )
            for g in s766["groups"]:
                shown = f"{format_vn(g['points'], 2, mode)}/{g['max_points']}" if g["points"] is not None else g["note"]
                text += f"  · {g['label']}: {shown}\n"
            for key, reason in r["missing"].items():
                text += f"- {r['unit_name']}: chưa tính được «{catalogue.get(key, {}).get('label', key)}»: {reason}.\n"
            for w in r["warnings"]:
                text += f"! {r['unit_name']}: {w}\n"
            for c in r["corrections"]:
                text += (
                    f"✎ {r['unit_name']}: «{catalogue.get(c['indicator'], {}).get('label', c['indicator'])}» "
                    f"hiệu chỉnh {c['computed']} → {c['value']} ({c['reason']}; {c['approved_by']}, {c['date']})\n"
                )
    _write_output(text, args.output)
    return EXIT_OK


def cmd_rank(args: argparse.Namespace) -> int:
    from .methodology import format_vn, indicator_catalogue, load_methodology
    from .ranking import FLAGS_VI, compute_rankings

    settings = _settings(args)
    period = _period(args.period)
    methodology = load_methodology(args.methodology)
    records = compute_rankings(
        settings.data_dir, period, group=args.group, indicators=args.indicator, methodology=methodology
    )
    if not records:
        raise CchcError(f"Không có dữ liệu nào để xếp hạng cho kỳ {period.id}.")
    if args.format == "xlsx":
        from .workbook import rankings_workbook

        if not args.output:
            raise UsageError("Định dạng xlsx cần tên tệp ra: thêm -o TỆP.xlsx.")
        _write_bytes(Path(args.output), rankings_workbook(records, period))
        return EXIT_OK
    if args.format == "json":
        text = _records_json(records)
    elif args.format == "csv":
        keys = list(dict.fromkeys(k for r in records for k in r))  # every column, first record's order first
        text = _csv(records, keys)
    else:
        catalogue = indicator_catalogue()
        text = f"Xếp hạng kỳ {period.label_vi}\n"
        text += (
            f"Nhóm so sánh: {args.group or 'mọi đơn vị có dữ liệu'}; ranh giới đơn vị hành chính ngày "
            f"{period.end:%d/%m/%Y}.\n"
        )
        here, country = UnitRegistry.load(settings.data_dir).coverage(args.group, period.end) if args.group else (0, 0)
        if here < country:  # the data folder's area holds part of the group: say so beside every "k/N"
            text += (
                f"Khu vực của thư mục dữ liệu chỉ gồm {here}/{country} đơn vị của nhóm: thứ hạng k/N là trong các đơn "
                "vị có số liệu ở đây, không phải trong cả nhóm.\n"
            )
        if any(r.get("predecessors_added") for r in records):
            text += (
                "Đơn vị thành lập trong kỳ hoặc kỳ trước: số liệu trước ngày thành lập là số cộng của các đơn vị cũ "
                "hợp thành (theo danh mục đơn vị kế thừa).\n"
            )
        for key in dict.fromkeys(r["indicator"] for r in records if r["indicator"] != "par_component"):
            rows = sorted(
                (r for r in records if r["indicator"] == key), key=lambda r: (r["rank"] is None, r["rank"] or 0)
            )
            text += f"\n{catalogue.get(key, {}).get('label', key)}\n"
            places = catalogue.get(key, {}).get("decimals", 1)
            table = []
            for r in rows:
                ci = f"{format_vn(r['ci_low'], 1)}–{format_vn(r['ci_high'], 1)}" if r["ci_low"] is not None else ""
                rng_text = (
                    f"{format_vn(r['rank_p05'], 0)}–{format_vn(r['rank_p95'], 0)}" if r["rank_p05"] is not None else ""
                )
                rank = f"{r['rank']}/{r['rank_of']}" if r["rank"] is not None else f"—/{r['rank_of']} (ít hồ sơ)"
                table.append(
                    [r["unit_name"], format_vn(r["value"], places), rank, ci, rng_text, FLAGS_VI.get(r["flag"], "—")]
                )
            text += format_table(
                ["Đơn vị", "Giá trị", "Hạng", "Khoảng tin cậy 95%", "Khoảng hạng", "So với nhóm"], table
            )
    _write_output(text, args.output)
    return EXIT_OK


def cmd_rollup(args: argparse.Namespace) -> int:
    from .methodology import format_vn
    from .rollup import ROLLUP_COLUMNS, compute_rollup

    settings = _settings(args)
    period = _period(args.period)
    rows = compute_rollup(settings.data_dir, period, group=args.group)
    if not rows:
        raise CchcError(f"Không có dữ liệu nào để tổng hợp cho kỳ {period.id}.")
    if args.format == "json":
        text = _records_json(rows)
    elif args.format == "csv":
        text = _csv(rows, list(ROLLUP_COLUMNS))
    else:

        def num(v):
            return "—" if v is None else format_vn(v, 1)

        table = [
            [
                r["province"],
                r["label"],
                f"{r['units_with_value']}/{r['units']}",
                num(r["median"]),
                "—" if r["p25"] is None else f"{num(r['p25'])}–{num(r['p75'])}",
                "—" if r["min"] is None else f"{num(r['min'])}–{num(r['max'])}",
            ]
            for r in rows
        ]
        text = f"Tổng hợp theo tỉnh, kỳ {period.label_vi} (các chỉ số theo Quyết định 766, đơn vị %)\n"
        text += format_table(
            ["Tỉnh/thành phố", "Chỉ số", "Số xã có số liệu", "Trung vị", "Tứ phân vị 25–75%", "Thấp nhất–cao nhất"],
            table,
        )
    _write_output(text, args.output)
    if args.publish:
        from .run import publish_country

        for path in publish_country(settings.data_dir, period, args.group, Path(args.publish)):
            log.info("Đã ghi %s", path)
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from .run import exit_code, last_complete_quarter, run_period

    settings = _settings(args)
    period = _period(args.period or last_complete_quarter())
    _check_jobs(args)
    registry = UnitRegistry.load(settings.data_dir)
    for u in args.unit or []:  # before anything runs
        registry.lookup(u, on=period.end)
    if args.group:
        registry.units(group=args.group)
    if args.cluster or args.scheduler:
        import importlib.util

        if importlib.util.find_spec("distributed") is None:
            raise UsageError(
                "--cluster/--scheduler cần thư viện Dask distributed: pip install 'cchc-analysis[cluster]'."
            )
    manifest = run_period(
        settings.data_dir,
        settings.reports_dir,
        period,
        group=args.group,
        units=args.unit,
        jobs=args.jobs,
        allow_incomplete=args.allow_incomplete,
        retry_failed=args.retry_failed,
        formats=_formats(args.formats, ("html", "pdf", "docx", "xlsx")),
        cluster=args.cluster or args.scheduler,
        store_url=args.store_url,
    )
    status_vi = {"ok": "xong", "failed": "LỖI", "skipped": "bỏ qua", "pending": "chưa chạy"}
    rows = [
        [t["name"], status_vi.get(t["status"], t["status"]), f"{t['seconds']:.1f}", len(t["outputs"]), t["error"]]
        for t in manifest["tasks"]
    ]
    folder = settings.reports_dir / period.id
    text = format_table(["Đơn vị / nhóm", "Trạng thái", "Giây", "Tệp ra", "Lỗi"], rows)
    text += f"\nKết quả: {folder} (manifest.json); {manifest['seconds']:.1f} giây.\n"
    text += f"Trang mục lục: {folder / 'index.html'}\n"
    sys.stdout.write(text)
    return exit_code(manifest)


def _formats(text: str, allowed: tuple[str, ...]) -> list[str]:
    """A comma-separated list of formats; an unknown one is a usage error (exit 2)."""
    chosen = [f.strip().lower() for f in (text or "").split(",") if f.strip()]
    unknown = [f for f in chosen if f not in allowed]
    if unknown or not chosen:
        raise UsageError(
            f"Định dạng không hỗ trợ: {', '.join(unknown) or '(trống)'}. Chọn trong: {', '.join(allowed)}."
        )
    return chosen


def cmd_publish(args: argparse.Namespace) -> int:
    from .publish.exporter import publish_notebook

    formats = _formats(args.formats, ("html", "pdf"))
    notebook = Path(args.notebook)
    if not notebook.is_file():
        raise UsageError(f"Không tìm thấy notebook {notebook}.")
    base = Path(args.output) if args.output else notebook.with_suffix("")
    base.parent.mkdir(parents=True, exist_ok=True)
    try:
        written = publish_notebook(notebook, base, formats)
    except (ValueError, OSError) as exc:
        raise CchcError(f"Không xuất bản được {notebook}: {exc}") from None
    sys.stdout.write("".join(f"{w}\n" for w in written))
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    from .ingest.manual import carried_texts, write_template

    settings = _settings(args)
    period = _period(args.period)
    registry = UnitRegistry.load(settings.data_dir)
    if args.unit:
        units = [registry.lookup(u, on=period.end) for u in args.unit]
    else:
        units = registry.units(group=args.group, on=period.end)
    if not units:
        raise CchcError(f"Không có đơn vị nào còn hiệu lực vào {period.end:%d/%m/%Y} để lập biểu.")
    carried = None
    if args.from_previous:
        previous = Path(args.from_previous)
        if not previous.is_file():
            raise UsageError(f"Không có tệp biểu kỳ trước {previous}.")
        carried = carried_texts(previous, registry)
        log.info("Chép %d mục lời văn từ %s (đánh dấu «cần cập nhật»).", len(carried), previous)
    output = Path(args.output) if args.output else settings.reports_dir / f"bieu-nhap-lieu_{period.id}.xlsx"
    _write_bytes(output, write_template(period, units, carried))
    sys.stdout.write(f"{output}\n")
    log.info("Đã tạo biểu nhập số liệu kỳ %s cho %d đơn vị: %s", period.id, len(units), output)
    return EXIT_OK


def cmd_demo_data(args: argparse.Namespace) -> int:
    from .demo import generate_demo_data
    from .demo.generate import DEMO_GROUP, PROVINCE, generate_province_demo

    settings = _settings(args)
    area = PROVINCE if args.province else DEMO_GROUP
    only = None
    if args.unit:
        registry = UnitRegistry.shipped(scope=area)  # the demo's units, whatever the data folder's area
        group = area if args.province else None
        only = [registry.lookup(u, group=group).name for u in args.unit]
    started = time.perf_counter()
    result = (generate_province_demo if args.province else generate_demo_data)(settings.data_dir, only=only)
    log.info(
        "Dữ liệu mẫu: %d tệp mới/ghi lại, %d tệp không đổi, trong %s (%.1f giây).",
        len(result.written),
        len(result.unchanged),
        settings.raw_dir,
        time.perf_counter() - started,
    )
    return EXIT_OK


def demo_file_kinds(files: list[Path], raw_dir: Path) -> dict[str, int]:
    """How many exports of each kind the demo wrote under ``raw_dir`` (its units.yaml beside raw/ is not one)."""
    counts: dict[str, int] = {}
    for path in files:
        if not path.is_relative_to(raw_dir):
            continue
        rel = path.relative_to(raw_dir)
        kind = rel.parts[1] if len(rel.parts) > 2 else rel.name
        kind = {"mot-cua": "Danh sách hồ sơ một cửa", "ngan-sach": "Báo cáo thu, chi ngân sách"}.get(kind, kind)
        if kind == "danh-muc-tthc.xlsx":
            kind = "Danh mục thủ tục hành chính"
        elif kind.startswith("ChiSoCCHC"):
            kind = "Bảng điểm chỉ số CCHC"
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import generate_demo_data

    if getattr(args, "province", False):
        return _demo_province(args)
    data_dir = getattr(args, "data_dir", None) or str(Path("data") / "demo")
    reports_dir = getattr(args, "reports_dir", None) or str(Path("reports") / "demo")
    settings = Settings.resolve(data_dir, reports_dir)
    started = time.perf_counter()
    result = generate_demo_data(settings.data_dir)
    counts = demo_file_kinds(result.files, settings.raw_dir)
    generated = time.perf_counter() - started
    from .store import ingest

    outcome = ingest(settings.data_dir)
    out = [
        f"1. Dữ liệu mẫu (17 đơn vị của huyện Thanh Miện 01/2022–06/2025 và 5 xã mới của thành phố Hải Phòng "
        f"07/2025–09/2026): {settings.raw_dir}",
        *(f"   - {kind}: {n} tệp" for kind, n in sorted(counts.items())),
        f"2. Nhập liệu: {vn_int(outcome.dossiers)} hồ sơ sạch trong {_dossier_table(settings)}",
        f"   - báo cáo nhập liệu: {settings.processed_dir / 'ingest_report.json'}",
        f"   - dòng bị loại: {settings.processed_dir / 'rejects.parquet'}",
        f"   - {outcome.duplicates_across_files} bản ghi trùng giữa các tệp xuất đã gộp; "
        f"{len(outcome.refused)} tệp bị từ chối",
    ]
    from .indicators import compute_indicators
    from .methodology import format_vn
    from .periods import parse_period

    period = parse_period("2023-01-01..2023-08-31")  # the seed report's period
    records = compute_indicators(settings.data_dir, period, group="Huyện Thanh Miện")
    out_file = settings.reports_dir / f"chi-so_{period.id}.json"
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(records, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    tg = next(r for r in records if r["unit_id"] == "30-11287")
    egov = next((c for c in tg["par_components"] if c["self_review_required"]), None)
    out += [
        f"3. Chỉ số kỳ {period.label_vi} của {len(records)} đơn vị: {out_file}",
        f"   - Xã Thanh Giang: tiếp nhận {vn_int(tg['received_total'])} hồ sơ "
        f"(trực tuyến {vn_int(tg['received_online'])}, trực tiếp {vn_int(tg['received_direct'])}, "
        f"từ kỳ trước {vn_int(tg['carried_over'])}); giải quyết "
        f"{vn_int(tg['resolved_total'])}, trước hạn {format_vn(tg['resolved_early_pct'], 1)}%; thanh toán trực tuyến "
        f"{vn_int(tg['fee_paid_online'])}/{vn_int(tg['fee_dossiers'])}; thu ngân sách "
        f"{format_vn(tg['revenue_execution_pct'], 2)}%, chi {format_vn(tg['expenditure_execution_pct'], 2)}%",
    ]
    if egov:
        out.append(
            f"   - Chỉ số CCHC {tg['par_year']}: «{egov['component']}» {format_vn(egov['score'], 3)}/"
            f"{vn_decimal(egov['max_score'], 3)} điểm = {format_vn(egov['pct'], 2)}% "
            f"(xếp thứ {egov['rank']}/{egov['rank_of']})"
        )
    # 4. the scheduled run for the latest complete quarter of the demo data
    from .run import exit_code, run_period

    quarter = parse_period("2023Q4")
    sys.stdout.write("\n".join(out) + "\n")
    out = []
    manifest = run_period(settings.data_dir, settings.reports_dir, quarter, group="Huyện Thanh Miện")
    done = sum(t["status"] == "ok" for t in manifest["tasks"])
    out += [
        f"4. Chạy định kỳ quý {quarter.id}: {done}/{len(manifest['tasks'])} báo cáo (HTML, PDF, Word, Excel); "
        f"{settings.reports_dir / quarter.id / 'manifest.json'}",
        f"Thời gian: tạo dữ liệu {generated:.1f} giây, các bước còn lại {time.perf_counter() - started - generated:.1f}"
        " giây.",
        f"Trang mục lục các báo cáo: {(settings.reports_dir / quarter.id / 'index.html').resolve()}",
        "",
    ]
    sys.stdout.write("\n".join(out))
    return max(outcome.exit_code, exit_code(manifest))


def _demo_province(args: argparse.Namespace) -> int:
    """``cchc demo --province``: the Hải Phòng demo, its ingest and the run of its last quarter for the province."""
    from .demo.generate import END, PROVINCE, generate_province_demo
    from .periods import parse_period
    from .run import exit_code, run_period
    from .store import ingest

    data_dir = getattr(args, "data_dir", None) or str(Path("data") / "demo-hai-phong")
    reports_dir = getattr(args, "reports_dir", None) or str(Path("reports") / "demo-hai-phong")
    settings = Settings.resolve(data_dir, reports_dir)
    started = time.perf_counter()
    result = generate_province_demo(settings.data_dir)
    generated = time.perf_counter() - started
    counts = demo_file_kinds(result.files, settings.raw_dir)
    outcome = ingest(settings.data_dir)
    quarter = parse_period(f"{END.year}Q{(END.month - 1) // 3 + 1}")
    sys.stdout.write(
        "\n".join(
            [
                f"1. Dữ liệu mẫu ({PROVINCE}, mọi xã, phường từ 01/07/2025): {settings.raw_dir}",
                *(f"   - {kind}: {n} tệp" for kind, n in sorted(counts.items())),
                f"2. Nhập liệu: {vn_int(outcome.dossiers)} hồ sơ; {len(outcome.refused)} tệp bị từ chối",
                "",
            ]
        )
    )
    manifest = run_period(settings.data_dir, settings.reports_dir, quarter, group=PROVINCE)
    done = sum(t["status"] == "ok" for t in manifest["tasks"])
    sys.stdout.write(
        f"3. Chạy định kỳ quý {quarter.id} cho {PROVINCE}: {done}/{len(manifest['tasks'])} báo cáo; "
        f"{settings.reports_dir / quarter.id / 'index.html'}\n"
        f"Thời gian: tạo dữ liệu {generated:.1f} giây, các bước còn lại "
        f"{time.perf_counter() - started - generated:.1f} giây.\n"
    )
    return max(outcome.exit_code, exit_code(manifest))


# --- entry point ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``cchc``; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help / --version (0) or usage error (2)
        return int(exc.code or 0)
    configure_logging(getattr(args, "verbose", 0) or 0, bool(getattr(args, "quiet", False)))
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        with _group_scope(getattr(args, "group", None)):
            return int(args.handler(args))
    except CchcError as exc:
        if getattr(args, "debug", False):
            log.exception("%s", exc)
        else:
            log.error("%s", exc)
        return EXIT_USAGE if isinstance(exc, UsageError) or _typed_unit(exc, args) else EXIT_FAILED
    except KeyboardInterrupt:
        log.error("Đã dừng theo yêu cầu người dùng.")
        return 130
    except Exception as exc:
        if getattr(args, "debug", False):
            log.exception("Lỗi không mong đợi: %s", exc)
        else:
            log.error(
                "Lỗi không mong đợi (%s: %s). Chạy lại với --debug để xem chi tiết và báo cho nhóm phát triển.",
                type(exc).__name__,
                exc,
            )
        return EXIT_FAILED


@contextlib.contextmanager
def _group_scope(group: str | None):
    """``--group`` also names the area where unit names are looked up, for this command only, unless the data
    folder (``scope`` in units.yaml) or ``CCHC_SCOPE`` already names one: "Xã Tân Thành" is seven communes in the
    country and one in ``--group "Tỉnh Lạng Sơn"``."""
    from .registry import ENV_SCOPE

    if not group or os.environ.get(ENV_SCOPE):
        yield
        return
    os.environ[ENV_SCOPE] = group
    try:
        yield
    finally:
        os.environ.pop(ENV_SCOPE, None)


def _typed_unit(exc: CchcError, args: argparse.Namespace) -> bool:
    """A unit or group typed on the command line that matches no unit (or several): a usage error, exit 2, in
    every command alike; one read from a file is a data error (1)."""
    from .errors import UnitLookupError

    if not isinstance(exc, UnitLookupError) or exc.query is None:
        return False
    typed = [*(getattr(args, "unit", None) or []), getattr(args, "group", None), getattr(args, "assume_unit", None)]
    return exc.query in typed


def console() -> None:
    """The ``cchc`` executable (and ``python -m cchc_analysis``): :func:`main`, then a prompt exit. The two
    process-wide choices of the package are made here, for the ``cchc`` process only: Arrow's allocator, and the exit.

    A finished run has written and closed everything; what is left is the interpreter's teardown, which frees
    every object and module one by one (0.2-0.3 s after a large ingest). So once the exit handlers have run and
    the output is flushed, the process ends at once, unless a thread is still working (then the normal exit
    waits for it)."""
    # Arrow's system allocator unless the user chose one: with mimalloc, Arrow's default, a 1M-row ingest spends
    # 0.6 s more in the kernel (benchmarks/history.md). pyarrow reads this when it loads (no command has loaded it
    # yet); chosen here, for this process, not by the library for its callers.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    code = main()
    atexit._run_exitfuncs()  # logging's shutdown, temporary directories' cleanup and any library's handlers
    sys.stdout.flush()
    sys.stderr.flush()
    if threading.active_count() > 1:
        sys.exit(code)
    os._exit(code)
