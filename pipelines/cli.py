"""The fazhi command line: what a user runs by hand.

Every bad argument and every failure is one line on stderr, naming what and why, with exit code
2 for a bad argument and 1 for a failure; the commands that read the warehouse open it confined
(read-only, no file or network access, settings locked).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import duckdb

from pipelines.output import FORMATS, render
from pipelines.settings import (
    PROJECT_ROOT,
    Settings,
    SettingsError,
    convert_timeout,
    dagster_storage,
    load_settings,
    publish_copy_below,
    seal_after_rows,
)
from pipelines.signals import ending_on_signals
from pipelines.warehouse.build_lock import FolderShared, check_sole_warehouse

BAD_ARGUMENT = 2
FAILED = 1


class CommandError(Exception):
    """What a command could not do, as one line for the user, and the exit code to end with."""

    def __init__(self, message: str, code: int = FAILED) -> None:
        super().__init__(message)
        self.code = code


class Parser(argparse.ArgumentParser):
    """argparse, with a bad argument told in one line rather than the usage and a line."""

    def error(self, message: str) -> NoReturn:
        self.exit(BAD_ARGUMENT, f"{self.prog}: {message} (see {self.prog} --help)\n")


# The most rows or sentences a command prints.
MOST = 10**9


def positive_int(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= MOST:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MOST:,}, not {text!r}")
    return number


DAY = 86_400


def seconds(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    # Not NaN, and not past a day: a pause between two requests.
    if not 0 <= number <= DAY:
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds from 0 to {DAY:,}, not {text!r}"
        )
    return number


def regular_expression(text: str) -> str:
    try:
        re.compile(text)
    except re.error as error:
        raise argparse.ArgumentTypeError(f"not a regular expression: {error}") from None
    return text


def http_url(text: str) -> str:
    parts = urlsplit(text)
    try:
        # A port that is not a number (or past 65535) is told here, not by the fetcher.
        parts.port  # noqa: B018
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an http(s) URL (its port): {text!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}")
    return text


def dagster_instance():
    """The project's persistent Dagster instance (dagster.yaml), so runs show up in `make ui`, as
    `fazhi build` runs it (and bench/build_run.py after it)."""
    # Set empty, as unset (a script's DAGSTER_HOME=): the project's.
    for name, default in (
        ("DAGSTER_HOME", PROJECT_ROOT),
        ("FAZHI_DAGSTER_STORAGE", PROJECT_ROOT / ".dagster"),
    ):
        os.environ[name] = os.environ.get(name) or str(default)
    from dagster import DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    # A run by hand does not capture its process's output for the UI: the compute log
    # manager sends stdout and stderr through `tail -F` processes of its own, which a Ctrl-C
    # at the terminal reaches too (each printed a trace, and the line saying the build stopped
    # went to the log file, not the terminal). The run's events, warnings included, are kept
    # as always; fazhi's steps print nothing else.
    return DagsterInstance.from_ref(
        InstanceRef.from_dir(os.environ["DAGSTER_HOME"], overrides={"compute_logs": NO_CAPTURE})
    )


NO_CAPTURE = {
    "module": "dagster._core.storage.noop_compute_log_manager",
    "class": "NoOpComputeLogManager",
}


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _first_line(error: BaseException) -> str:
    return str(error).strip().split("\n")[0]


def _read_only_warehouse() -> duckdb.DuckDBPyConnection:
    """The published warehouse, confined; CommandError when there is none or it is damaged."""
    from pipelines.marts.confined import connect_confined

    warehouse = load_settings().warehouse
    if not warehouse.exists():
        raise CommandError(f"no warehouse at {warehouse}: run `fazhi build` first")
    try:
        return connect_confined(warehouse)
    except duckdb.Error as error:
        raise CommandError(
            f"the warehouse {warehouse} cannot be opened, it is damaged or not a DuckDB file "
            f"({_first_line(error)}); `fazhi build` publishes a new one"
        ) from error


def check_build_target(settings: Settings) -> None:
    """Before a build starts: the corpus folder is there and the folders it writes can be
    written, so a wrong setting is one line now rather than a failed run later."""
    if not settings.sources.is_dir():
        what = "is a file, not a folder" if settings.sources.exists() else "does not exist"
        raise CommandError(
            f"the corpus folder {settings.sources} {what} (FAZHI_SOURCES)", BAD_ARGUMENT
        )
    folders = [
        (folder, "the warehouse", "FAZHI_WAREHOUSE")
        for folder in (
            settings.warehouse.parent,
            settings.staging.parent,
            settings.store,
            settings.report_page.parent,
        )
    ]
    folders.append((dagster_storage(), "the Dagster runs' storage", "FAZHI_DAGSTER_STORAGE"))
    for folder, what, setting in folders:
        if folder.exists() and not folder.is_dir():
            raise CommandError(
                f"{folder} is a file, where fazhi writes a folder of {what}: move it "
                f"({setting} names where it goes)",
                BAD_ARGUMENT,
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as error:
            raise CommandError(
                f"cannot write {what} to {folder}: {error.strerror or error} "
                f"({setting} names where it goes)"
            ) from error
    dagster_home = os.environ.get("DAGSTER_HOME")
    if dagster_home and not Path(dagster_home).is_dir():
        raise CommandError(
            f"DAGSTER_HOME {dagster_home} is no folder: Dagster reads its instance's settings "
            "(dagster.yaml) there; unset it for the project's",
            BAD_ARGUMENT,
        )
    # Imported here: publishing's module brings polars, which no other check needs.
    from pipelines.warehouse.publish import NotOurs, check_target

    # A bad FAZHI_COPY_BELOW_MB, FAZHI_CONVERT_TIMEOUT or FAZHI_SEAL_AFTER_ROWS is told now,
    # not after the whole run.
    publish_copy_below()
    convert_timeout()
    seal_after_rows()

    try:
        check_sole_warehouse(settings.staging, settings.work_database)
        check_target(settings.warehouse)
    except (FolderShared, NotOurs) as error:
        raise CommandError(str(error), BAD_ARGUMENT) from error


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_option(parser: argparse.ArgumentParser) -> None:
    """--format for a command that prints rows: a table for people, csv or json for programs."""
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (for people, Chinese labels above English ones), csv or json (for programs)",
    )


def print_rows(
    columns: Sequence[str], rows: Sequence[Sequence[object]], form: str, labelled: bool = True
) -> None:
    """Print rows as the command's --format asks: every command that prints rows goes here."""
    print(render(columns, rows, form, labelled))


def build(args: argparse.Namespace) -> int:
    """Materialize every asset, then print the cross-district summary."""
    from pipelines import up_to_date

    settings = load_settings()
    check_build_target(settings)
    from_scratch = getattr(args, "from_scratch", False)
    before = up_to_date.before_build(settings)
    last = up_to_date.current_build(settings, before)
    if last and not from_scratch and not getattr(args, "force", False):
        print(
            f"没有新内容 · nothing new since the build of {last['finished_at']}: no input, code, "
            "rule or setting changed, the published warehouse is current "
            "(fazhi build --force builds anyway)\n"
        )
        return summary(args)
    up_to_date.forget_build(settings)
    from pipelines.definitions import defs
    from pipelines.defs.runs import FROM_SCRATCH_TAG, STARTED_BY_TAG
    from pipelines.defs.stopping import run_until_stopped

    job = defs().resolve_job_def("build_warehouse")
    # The run itself waits for any other build of the warehouse and, once it holds the build
    # lock, forgets the cached results if asked to (pipelines/defs/runs.py).
    tags = {STARTED_BY_TAG: "by hand (fazhi build)"}
    if from_scratch:
        tags[FROM_SCRATCH_TAG] = "true"
    with dagster_instance() as instance:
        result = run_until_stopped(
            lambda run_id: job.execute_in_process(
                instance=instance,
                run_id=run_id,
                raise_on_error=False,
                tags=tags,
                # Warnings (rejected inputs, failed checks) and errors reach the terminal, one
                # line each (pipelines/defs/console.py); step chatter does not.
                run_config={"loggers": {"one_line_console": {}}},
            ),
            instance,
        )
    if not result.success:
        failed = [event.step_key for event in result.all_events if event.is_step_failure]
        print(
            f"fazhi build failed in: {', '.join(failed) or 'the run'} (each error is told above; "
            f"with its trace, in the log of run {result.run_id}, which `make ui` shows)",
            file=sys.stderr,
        )
        return 1
    up_to_date.record_build(settings, before, result.run_id)
    return summary(args)


def verify(_: argparse.Namespace) -> int:
    """Rehash every stored input and report any that is missing or changed (a build checks
    only the newest arrivals this way)."""
    from pipelines.landing.store import ContentStore

    store = ContentStore(load_settings().store)
    lines = store.damaged_log_lines()
    for number in lines[:MOST_LINES_NAMED]:
        print(f"{store.log} line {number}: no arrival record", file=sys.stderr)
    if len(lines) > MOST_LINES_NAMED:
        print(f"{store.log}: {len(lines) - MOST_LINES_NAMED} more such lines", file=sys.stderr)
    checked, damaged = store.damaged_objects()
    for sha256 in damaged:
        print(f"missing or changed: {sha256}", file=sys.stderr)
    print(
        f"{checked} stored inputs checked, {len(damaged)} missing or changed; "
        f"{len(lines)} lines of the arrivals log damaged"
    )
    return 1 if damaged or lines else 0


# How many damaged lines of a log `fazhi verify` names one by one.
MOST_LINES_NAMED = 20


def summary(_: argparse.Namespace) -> int:
    """Print the cross-district summary of the published warehouse."""
    from pipelines.summary import cross_district_summary

    settings = load_settings()
    with _read_only_warehouse() as conn:
        print(cross_district_summary(conn))
    print(f"\n数据库文件 warehouse: {settings.warehouse}")
    if settings.report_page.exists():
        print(f"报告页面   report:    {settings.report_page} (在浏览器中打开 open it in a browser)")
    return 0


def search(args: argparse.Namespace) -> int:
    """Search every sentence of every report, best first (BM25)."""
    from pipelines.terms.search import search as search_sentences

    query = " ".join(" ".join(args.query).split())
    if not query:
        raise CommandError(
            "nothing to search for: give one or more words, e.g. fazhi search 行政复议",
            BAD_ARGUMENT,
        )
    with _read_only_warehouse() as conn:
        hits = search_sentences(conn, query, args.region, args.year, args.limit)
    if args.format != "table":
        print_rows(hits.columns, hits.rows(), args.format)
        return 0
    if hits.is_empty():
        print(f"没有匹配的句子 · no sentence matches {query!r}")
        return 0
    for rank, hit in enumerate(hits.iter_rows(named=True), start=1):
        sentence = hit["sentence"]
        for term in hit["matched_terms"].split(" "):
            sentence = sentence.replace(term, f"【{term}】")
        section = hit["section"] or "（第一个标题之前 before the first heading）"
        print(f"{rank:>2}. {hit['region']} {hit['report_year']} · {section}  [{hit['score']:.2f}]")
        print(f"    {sentence}")
        print(
            f"    reports.report_id = '{hit['report_id']}', "
            f"text[{hit['char_start']}:{hit['char_end']}] (sentence {hit['sentence_no']})"
        )
    return 0


def compare(args: argparse.Namespace) -> int:
    """Regions side by side for one indicator, with the sentence behind every figure."""
    from pipelines.marts.compare import UnknownIndicator, compare, resolve_indicator

    with _read_only_warehouse() as conn:
        try:
            indicator, name, unit = resolve_indicator(conn, args.indicator)
        except UnknownIndicator as error:
            raise CommandError(str(error), BAD_ARGUMENT) from error
        rows = compare(conn, indicator, args.year)
    if args.format != "table":
        print_rows(rows.columns, rows.rows(), args.format)
        return 0
    year = f" in {args.year}" if args.year else ""
    n = rows["report_id"].n_unique()
    print(f"{name} ({indicator}, {unit}){year}: {n} 份报告有此数字 · {n} reports state it\n")
    if rows.is_empty():
        return 0
    table = [
        (
            row["region"],
            row["report_year"],
            f"{row['value']:g} {row['unit']}",
            row["surface"],
            f"{row['figure_no']}/{row['figures']}",
            _clip(row["sentence"], 48),
            f"{row['report_id']}[{row['char_start']}:{row['char_end']}]",
        )
        for row in rows.iter_rows(named=True)
    ]
    columns = ["region", "year", "value", "as written", "figure", "evidence", "where"]
    print_rows(columns, table, "table")
    return 0


def sql(args: argparse.Namespace) -> int:
    """Run SQL against the warehouse, read-only, and print each result as a table (or as CSV
    or JSON)."""
    from pipelines.marts.confined import Refused, query_statements, refusal

    try:
        statements = query_statements(args.query)
    except Refused as error:
        raise CommandError(f"refused: {error}", BAD_ARGUMENT) from error
    except duckdb.Error as error:
        raise CommandError(f"SQL error: {error}", BAD_ARGUMENT) from error
    with _read_only_warehouse() as conn:
        for number, statement in enumerate(statements):
            try:
                result = conn.execute(statement)
                headers = [column[0] for column in result.description or []]
                rows = result.fetchmany(args.max_rows + 1) if headers else []
            except duckdb.Error as error:
                why = refusal(error)
                raise CommandError(
                    f"refused: {why}" if why else f"SQL error: {error}", BAD_ARGUMENT
                ) from error
            if number and args.format != "json":
                print()
            if headers:
                print_rows(headers, rows[: args.max_rows], args.format, labelled=False)
            if len(rows) > args.max_rows:
                # Beside the rows, not among them, where a program reads CSV or JSON.
                print(
                    f"(first {args.max_rows} rows; --max-rows shows more)",
                    file=sys.stdout if args.format == "table" else sys.stderr,
                )
    return 0


def export(args: argparse.Namespace) -> int:
    """Write every marts view as Parquet (zstd) and CSV files, and all of them as one Excel
    workbook, into a folder."""
    from pipelines.marts.export import WORKBOOK, NotAFolder, export_marts

    with _read_only_warehouse() as conn:
        try:
            counts = export_marts(conn, args.folder)
        except NotAFolder as error:
            raise CommandError(f"{error}: give a folder to export into", BAD_ARGUMENT) from error
        except OSError as error:
            raise CommandError(
                f"cannot write to {args.folder}: {error.strerror or error}"
                + (f" ({error.filename})" if error.filename else "")
            ) from error
    for view, n in counts.items():
        print(f"{args.folder / view}.parquet and .csv: {n} rows")
    print(f"{args.folder / WORKBOOK}: 每个数据集一页 a sheet per mart ({len(counts)})")
    return 0


def evaluate(args: argparse.Namespace) -> int:
    """Score the warehouse's facts against hand-labelled quantities (gold TSV files)."""
    import polars as pl

    from pipelines.evaluation.score import (
        GOLD_COLUMNS,
        SCORE_HEADERS,
        evaluate,
        load_gold,
        score_line,
    )
    from pipelines.preview import aligned_table

    missing = [str(path) for path in args.gold if not path.is_file()]
    if missing:
        raise CommandError(f"no such gold file: {', '.join(missing)}", BAD_ARGUMENT)
    try:
        gold = load_gold(args.gold)
    # Empty, not TSV, other columns, a line or value that is no number.
    except (pl.exceptions.PolarsError, ValueError) as error:
        raise CommandError(
            f"cannot read the gold files as labelled quantities (TSV with columns "
            f"{', '.join(GOLD_COLUMNS)}): {_first_line(error)}",
            BAD_ARGUMENT,
        ) from error
    with _read_only_warehouse() as conn:
        result = evaluate(conn, gold)
    rows = [score_line(doc, scores) for doc, scores in result.per_report.items()]
    print(aligned_table(SCORE_HEADERS, [*rows, score_line("all", result.overall)]))
    if not result.mismatches.is_empty():
        counts = result.mismatches["category"].value_counts(sort=True).rows()
        print("\nmismatches: " + ", ".join(f"{category} {n}" for category, n in counts))
        print(aligned_table(result.mismatches.columns, result.mismatches.rows()))
    return 0


def compliance(args: argparse.Namespace) -> int:
    """Each report against the reporting rules: the mandated parts it has, and whether it was
    published by 1 April of the following year."""
    with _read_only_warehouse() as conn:
        result = conn.execute(
            "SELECT region, report_year AS year, has_measures AS measures, "
            "has_leadership AS leadership, has_shortcomings AS shortcomings, has_plans AS plans, "
            "missing_parts AS missing, published_date AS published, "
            "published_on_time AS by_1_april, n_chars AS chars, n_figures AS figures "
            "FROM marts.report_compliance WHERE $year IS NULL OR report_year = $year "
            "ORDER BY region, report_year",
            {"year": args.year},
        )
        columns = [column[0] for column in result.description]
        rows = result.fetchall()
    if args.format != "table":
        print_rows(columns, rows, args.format)
        return 0

    def mark(value: object) -> object:
        return (
            "" if value is None else ("✓" if value else "✗") if isinstance(value, bool) else value
        )

    print_rows(columns, [[mark(value) for value in row] for row in rows], "table")
    complete = sum(1 for row in rows if row[columns.index("missing")] is None)
    print(f"\n{complete} of {len(rows)} reports contain all four mandated parts 四个法定部分齐全")
    return 0


def crawl(args: argparse.Namespace) -> int:
    """Crawl listing pages (or report pages) now and land the reports they link."""
    from pipelines.crawling.crawl import crawl as crawl_sites
    from pipelines.crawling.fetch import Fetcher, FetchPolicy
    from pipelines.landing.store import ContentStore
    from pipelines.preview import aligned_table

    settings = load_settings()
    fetcher = Fetcher(FetchPolicy(min_interval=args.interval))
    try:
        log = crawl_sites(
            [(url, args.pattern) for url in args.urls],
            fetcher,
            ContentStore(settings.store),
            started_by="fazhi crawl",
        )
    finally:
        fetcher.close()
    rows = log.select("outcome", "kind", "url", "reason").rows()
    print(aligned_table(["outcome", "kind", "url", "reason"], rows))
    if not log["outcome"].is_in(["landed", "unchanged", "skipped"]).any():
        reasons = "; ".join(dict.fromkeys(log["reason"].drop_nulls()))
        raise CommandError(f"nothing could be fetched: {reasons}")
    landed = log.filter(log["kind"] != "listing")["outcome"].is_in(["landed", "unchanged"]).sum()
    print(f"\n{landed} documents in the store from this crawl; `fazhi build` takes them in.")
    return 0


def reader_gone() -> int:
    """The program reading our output stopped reading (fazhi ... | head -1): it has what it
    wanted, so end quietly, with success. What is still buffered goes to /dev/null, or Python
    would report the broken pipe again as it exits."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="fazhi", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    building = commands.add_parser("build", help=build.__doc__)
    building.add_argument(
        "--from-scratch",
        action="store_true",
        help="forget every cached result and redo all per-report work (the store is kept)",
    )
    building.add_argument(
        "--force",
        action="store_true",
        help="build even when nothing changed since the last build",
    )
    building.set_defaults(run=build)
    commands.add_parser("summary", help=summary.__doc__).set_defaults(run=summary)
    commands.add_parser("verify", help=verify.__doc__).set_defaults(run=verify)
    searching = commands.add_parser("search", help=search.__doc__)
    searching.add_argument("query", nargs="+", help="words to look for, e.g. 行政复议")
    searching.add_argument("--region", help="only this region (any spelling) or its sub-regions")
    searching.add_argument("--year", type=int, help="only reports covering this year")
    searching.add_argument("--limit", type=positive_int, default=10, help="how many sentences (10)")
    format_option(searching)
    searching.set_defaults(run=search)
    comparing = commands.add_parser("compare", help=compare.__doc__)
    comparing.add_argument(
        "indicator", help="an indicator id or Chinese name, e.g. 行政复议案件受理数"
    )
    comparing.add_argument("--year", type=int, help="only reports covering this year")
    format_option(comparing)
    comparing.set_defaults(run=compare)
    querying = commands.add_parser("sql", help=sql.__doc__)
    querying.add_argument("query", help='e.g. "SELECT * FROM marts.indicator_matrix"')
    querying.add_argument("--max-rows", type=positive_int, default=100, help="rows to print (100)")
    format_option(querying)
    querying.set_defaults(run=sql)
    exporting = commands.add_parser("export", help=export.__doc__)
    exporting.add_argument("folder", type=Path, help="where the .parquet, .csv and .xlsx files go")
    exporting.set_defaults(run=export)
    evaluating = commands.add_parser("eval", help=evaluate.__doc__)
    evaluating.add_argument(
        "gold", nargs="+", type=Path, help="TSV files: doc, line, surface, value, unit, ..."
    )
    evaluating.set_defaults(run=evaluate)
    complying = commands.add_parser("compliance", help=compliance.__doc__)
    complying.add_argument("--year", type=int, help="only reports covering this year")
    format_option(complying)
    complying.set_defaults(run=compliance)
    crawling = commands.add_parser("crawl", help=crawl.__doc__)
    crawling.add_argument(
        "urls", nargs="+", type=http_url, help="listing pages of a 法治政府建设 column"
    )
    crawling.add_argument(
        "--pattern", type=regular_expression, help="a regular expression for report URLs"
    )
    crawling.add_argument(
        "--interval", type=seconds, default=1.0, help="seconds between requests to one host (1)"
    )
    crawling.set_defaults(run=crawl)
    args = parser.parse_args(argv)
    # Linux hands arguments over as bytes: one that is not UTF-8 reaches Python half-decoded,
    # and no query, name or path takes it.
    for value in sys.argv[1:] if argv is None else argv:
        if not value.isascii() and not _is_text(value):
            print(
                f"fazhi {args.command}: an argument is not text (UTF-8): {value!r}", file=sys.stderr
            )
            return BAD_ARGUMENT
    if sys.stdout is None:
        # Started with its standard output closed (fazhi summary >&-): what it prints would be
        # lost without a word.
        if sys.stderr is not None:
            print(f"fazhi {args.command}: its standard output is closed", file=sys.stderr)
        return FAILED
    try:
        with ending_on_signals(args.command):
            code = args.run(args)
        # Written out here, not as Python exits, where a reader gone could not be told apart.
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        return reader_gone()
    except CommandError as error:
        # One line, whatever the message quotes (DuckDB's point at the error, a path).
        print(f"fazhi {args.command}: {' '.join(str(error).split())}", file=sys.stderr)
        return error.code
    except SettingsError as error:
        print(f"fazhi {args.command}: {error}", file=sys.stderr)
        return BAD_ARGUMENT
    except (duckdb.Error, OSError) as error:
        # A warehouse that opens but cannot be read, a store that cannot be written ...
        print(f"fazhi {args.command}: {_first_line(error)}", file=sys.stderr)
        return FAILED


if __name__ == "__main__":
    sys.exit(main())
