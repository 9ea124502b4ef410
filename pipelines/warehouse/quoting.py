"""Names spelled into SQL where DuckDB takes no parameter: the path ATTACH opens, and a
database's name, which DuckDB takes from its file's name. Both come from the user's settings,
and a quote in them (a folder under /home/o'neil) must not end the string or the name early."""


def sql_string(value: str) -> str:
    """value as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def sql_name(name: str) -> str:
    """name as an SQL quoted identifier."""
    return '"' + name.replace('"', '""') + '"'
