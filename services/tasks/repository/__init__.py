"""Every query of the tasks service, by resource in the modules of this package; here the helpers they share."""

from sqlalchemy import JSON, Boolean, ColumnElement, TextClause, bindparam, case, func, text

from shared.db import UTCDateTime

_UTC = UTCDateTime()


def typed_sql(
    statement: str,
    *,
    times: tuple[str, ...] = (),
    json_cols: tuple[str, ...] = (),
    out_times: tuple[str, ...] = (),
    bools: tuple[str, ...] = (),
) -> TextClause:
    """A `text()` statement for the ORM session with its parameter and column types declared: on SQLite
    times, JSON and booleans are stored as text and integers, and only the declared type converts them."""
    clause = text(statement)
    if times:
        clause = clause.bindparams(*(bindparam(name, type_=_UTC) for name in times))
    columns = {c: JSON() for c in json_cols} | {c: _UTC for c in out_times} | {c: Boolean() for c in bools}
    if columns:
        clause = clause.columns(**columns)
    return clause


def sum_if(condition: ColumnElement, value: ColumnElement | int = 1) -> ColumnElement:
    """SUM(CASE WHEN condition THEN value ELSE 0 END), and 0 over no rows."""
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)
