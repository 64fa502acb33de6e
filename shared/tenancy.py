"""Reads scoped by the caller: the common shape of every service's `readable_*` statements."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, false

from shared.auth import Principal


def scoped_to_caller(
    stmt: Select,
    principal: Principal,
    *,
    readers: Sequence[str],
    vendor_column: ColumnElement | None = None,
    contributor_column: ColumnElement | None = None,
) -> Select:
    """`stmt` narrowed to what the caller may read: every row for a holder of one of `readers`; a vendor
    user the rows of its vendor (by `vendor_column`); a contributor its own (by `contributor_column`);
    anyone else none. A tenant column left out means that tenant reads none of these rows."""
    if principal.has_any(*readers):
        return stmt
    if vendor_column is not None and principal.has_any("vendor") and principal.vendor_id is not None:
        return stmt.where(vendor_column == principal.vendor_id)
    if (
        contributor_column is not None
        and principal.has_any("contributor")
        and principal.contributor_id is not None
    ):
        return stmt.where(contributor_column == principal.contributor_id)
    return stmt.where(false())
