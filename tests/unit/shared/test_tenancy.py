"""scoped_to_caller: the rows a caller may read, decided once for every readable_* statement."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, select

from shared.auth import Principal
from shared.tenancy import scoped_to_caller

ROWS = Table(
    "rows", MetaData(), Column("id", Integer), Column("vendor_id", Integer), Column("owner_id", Integer)
)


def _where(principal: Principal, **columns) -> str:
    stmt = scoped_to_caller(select(ROWS), principal, readers=("ops",), **columns)
    compiled = stmt.compile(compile_kwargs={"literal_binds": True})
    return str(compiled).partition("WHERE")[2].strip()


def _caller(*roles: str, **ids) -> Principal:
    return Principal(subject="u", roles=frozenset(roles), **ids)


TENANT_COLUMNS = {"vendor_column": ROWS.c.vendor_id, "contributor_column": ROWS.c.owner_id}


def test_a_reader_sees_every_row():
    assert _where(_caller("ops"), **TENANT_COLUMNS) == ""


def test_a_vendor_user_sees_its_vendors_rows():
    assert _where(_caller("vendor", vendor_id=7), **TENANT_COLUMNS) == "rows.vendor_id = 7"


def test_a_contributor_sees_its_own_rows():
    assert _where(_caller("contributor", contributor_id=3), **TENANT_COLUMNS) == "rows.owner_id = 3"


def test_a_vendor_user_without_a_vendor_sees_none():
    assert _where(_caller("vendor"), **TENANT_COLUMNS) == "false"


def test_a_tenant_without_a_column_sees_none():
    assert _where(_caller("contributor", contributor_id=3), vendor_column=ROWS.c.vendor_id) == "false"
