"""The published warehouse opened for people's queries: read-only, out of reach of files and the
network, its settings locked, and only queries run.

Read-only alone refuses writes to the warehouse's tables, not the rest of what SQL can do:
COPY ... TO over the warehouse file, ATTACH of another file for writing, EXPORT DATABASE,
read_csv('/etc/passwd'), INSTALL and LOAD. With external access off, DuckDB refuses every file
and network access beyond the warehouse it opened; with the configuration locked, no SET or
PRAGMA turns that back on. Statements are screened before any runs: only queries pass, so a
PRAGMA that changes a setting of the session (enable_profiling) is refused too.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

CONFINED = {"enable_external_access": False, "lock_configuration": True}
# DESCRIBE, SHOW, SUMMARIZE, VALUES and the PRAGMAs that read (table_info, show_tables,
# database_size ...) parse as SELECT.
COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
QUERIES = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN})


class Refused(Exception):
    """SQL that is not run; the message says why."""


def connect_confined(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse, read-only, with no file or network access and its settings locked."""
    return duckdb.connect(str(warehouse), read_only=True, config=CONFINED)


def keyword(statement: duckdb.Statement) -> str:
    """The word a statement starts with (INSTALL, which DuckDB files under LOAD), comments
    aside; else its type."""
    text = COMMENTS.sub(" ", statement.query)
    first = re.search(r"[A-Za-z_]+", text)
    return first[0].upper() if first else statement.type.name


def query_statements(sql: str) -> list[str]:
    """Each statement of sql, in order, when every one of them is a query; else Refused naming
    the first that is not, so that none runs. Raises duckdb.ParserException for bad SQL."""
    statements = duckdb.extract_statements(sql)
    if not statements:
        raise Refused("no SQL statement given")
    for number, statement in enumerate(statements, start=1):
        if statement.type not in QUERIES:
            which = f"statement {number} is" if len(statements) > 1 else "this is"
            raise Refused(
                f"{which} {keyword(statement)}, not a query: the warehouse is read-only, and "
                "fazhi sql runs "
                "queries only (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PRAGMA "
                "table_info ...)"
            )
    return [statement.query for statement in statements]


def refusal(error: duckdb.Error) -> str | None:
    """Why DuckDB refused a query by the confinement, in words, or None for any other error."""
    if isinstance(error, duckdb.PermissionException):
        detail = str(error).split("\n")[0].removeprefix("Permission Error: ")
        return f"fazhi sql reads the warehouse only, never files or the network ({detail})"
    return None
