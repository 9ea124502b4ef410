"""The fazhi command line: what a user runs by hand."""

from __future__ import annotations

import argparse
import os
import sys

import duckdb

from pipelines.settings import PROJECT_ROOT, load_settings


def _dagster_instance():
    """The project's persistent Dagster instance (dagster.yaml), so runs show up in `make ui`."""
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT))
    os.environ.setdefault("FAZHI_DAGSTER_STORAGE", str(PROJECT_ROOT / ".dagster"))
    from dagster import DagsterInstance

    return DagsterInstance.get()


def build(_: argparse.Namespace) -> int:
    """Materialize every asset, then print the cross-district summary."""
    from pipelines.definitions import defs

    job = defs().resolve_job_def("build_warehouse")
    with _dagster_instance() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            # Warnings (rejected inputs, failed checks) reach the terminal; step chatter does not.
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
    if not result.success:
        failed = [event.step_key for event in result.all_events if event.is_step_failure]
        print(f"fazhi build failed in: {', '.join(failed) or 'the run'}", file=sys.stderr)
        for event in result.all_events:
            if event.is_step_failure and event.step_failure_data.error:
                print(event.step_failure_data.error.to_string(), file=sys.stderr)
        return 1
    return summary(_)


def summary(_: argparse.Namespace) -> int:
    """Print the cross-district summary of the published warehouse."""
    from pipelines.summary import cross_district_summary

    settings = load_settings()
    if not settings.warehouse.exists():
        print(f"no warehouse at {settings.warehouse}: run `fazhi build` first", file=sys.stderr)
        return 1
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        print(cross_district_summary(conn))
    print(f"\nwarehouse: {settings.warehouse}")
    return 0


def search(args: argparse.Namespace) -> int:
    """Search every sentence of every report, best first (BM25)."""
    from pipelines.terms.search import search as search_sentences

    settings = load_settings()
    if not settings.warehouse.exists():
        print(f"no warehouse at {settings.warehouse}: run `fazhi build` first", file=sys.stderr)
        return 1
    query = " ".join(args.query)
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        hits = search_sentences(conn, query, args.region, args.year, args.limit)
    if hits.is_empty():
        print(f"no sentence matches {query!r}")
        return 0
    for rank, hit in enumerate(hits.iter_rows(named=True), start=1):
        sentence = hit["sentence"]
        for term in hit["matched_terms"].split(" "):
            sentence = sentence.replace(term, f"【{term}】")
        section = hit["section"] or "(before the first heading)"
        print(f"{rank:>2}. {hit['region']} {hit['report_year']} · {section}  [{hit['score']:.2f}]")
        print(f"    {sentence}")
        print(
            f"    reports.report_id = '{hit['report_id']}', "
            f"text[{hit['char_start']}:{hit['char_end']}] (sentence {hit['sentence_no']})"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fazhi", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help=build.__doc__).set_defaults(run=build)
    commands.add_parser("summary", help=summary.__doc__).set_defaults(run=summary)
    searching = commands.add_parser("search", help=search.__doc__)
    searching.add_argument("query", nargs="+", help="words to look for, e.g. 行政复议")
    searching.add_argument("--region", help="only this region (any spelling) or its sub-regions")
    searching.add_argument("--year", type=int, help="only reports covering this year")
    searching.add_argument("--limit", type=int, default=10, help="how many sentences (10)")
    searching.set_defaults(run=search)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
