"""What several verbs share: the stderr console, the option declarations (``--db``, ``--output``,
``--country`` ...), opening the database, and reading a YYYY-MM-DD option."""
from __future__ import annotations

from datetime import date
from typing import Optional

import typer
from rich.console import Console

#: stderr, one line per message (never wrapped)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DB_HELP = "Database: a SQLite file path (default sitroom.db) or a postgresql:// URL."
#: the formats of the listing verbs (events, figures, claims, ceasefires)
TABLE_FORMATS = ("table", "csv", "json")


def db_option():
    return typer.Option(None, "--db", envvar="SITROOM_DB", help=DB_HELP, show_envvar=True)


def output_option():
    return typer.Option(None, "--output", "-o", help="Write to this file instead of standard output.")


def table_format_option():
    return typer.Option("table", "--format", "-f", help="table | csv | json")


def country_option(help: str = "ISO code (SY) or country name."):  # noqa: A002
    return typer.Option(None, "--country", help=help)


def admin1_option(help: str = "First-level region, e.g. Idlib."):  # noqa: A002
    return typer.Option(None, "--admin1", help=help)


def since_option(help: str = "Events on or after this date (YYYY-MM-DD)."):  # noqa: A002
    return typer.Option(None, "--since", help=help)


def until_option(help: str = "Events on or before this date (YYYY-MM-DD)."):  # noqa: A002
    return typer.Option(None, "--until", help=help)


def type_option(help: str = 'Sub-event or event type, e.g. "Air/drone strike".'):  # noqa: A002
    return typer.Option(None, "--type", help=help)


def actor_option(help: str = "Actor name or part of it, e.g. Russia."):  # noqa: A002
    return typer.Option(None, "--actor", help=help)


def min_confidence_option(help: str):  # noqa: A002
    return typer.Option(None, "--min-confidence", min=0.0, max=1.0, help=help)


def parse_date(value: Optional[str], hint: str) -> Optional[date]:
    """A YYYY-MM-DD option value as a date (None stays None); a bad one is a usage error
    naming the option ``hint``."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form", param_hint=hint)


def check_format(fmt: str, formats: tuple[str, ...] = TABLE_FORMATS) -> None:
    if fmt not in formats:
        raise typer.BadParameter(f"{fmt!r}; choose one of {', '.join(formats)}", param_hint="--format")


def open_db(db: Optional[str]):
    """The store named by ``--db`` (migrated); a database that cannot be opened is one line on
    stderr and exit code 2."""
    from ..store import open_store
    try:
        return open_store(db)
    except Exception as exc:  # noqa: BLE001 - a bad URL or unreachable server: one clear line
        err.print(f"sitroom: cannot open database {db or 'sitroom.db'}: {type(exc).__name__}: {exc}", markup=False)
        raise typer.Exit(2)


def query(db: Optional[str], method: str, **kw):
    """Open the database, run one ``Store`` query, close it."""
    store = open_db(db)
    try:
        return getattr(store, method)(**kw)
    finally:
        store.close()
