"""support inbox: ticket tags, canned replies, merged tickets, full-text search over subjects and messages

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 07:00:00

Search is the database's own: on PostgreSQL GIN indexes over to_tsvector('simple', …) of subjects and
message bodies; on SQLite FTS5 tables kept by triggers (external content: the text lives once, in the
tables; an erasure's UPDATE rewrites the index too). 'simple' on both sides: no stemming, so a word in any
language matches the same way on both backends.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import shared.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (FTS table, content table, indexed column)
SQLITE_SEARCH = (("tickets_fts", "tickets", "subject"), ("ticket_messages_fts", "ticket_messages", "body"))


def upgrade() -> None:
    op.create_table(
        "ticket_tags",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("tag", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("ticket_id", "tag"),
    )
    op.create_index("ix_ticket_tags_tag", "ticket_tags", ["tag", "ticket_id"], unique=False)
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_tickets_merged_into_id", "tickets", ["merged_into_id"], ["id"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_tickets_subject_search ON tickets USING gin (to_tsvector('simple', subject))"
        )
        op.execute(
            "CREATE INDEX ix_ticket_messages_body_search ON ticket_messages "
            "USING gin (to_tsvector('simple', body))"
        )
        return
    for fts, table, column in SQLITE_SEARCH:
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 0')"
        )
        op.execute(f"INSERT INTO {fts}(rowid, {column}) SELECT id, {column} FROM {table}")
        op.execute(
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {column} ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); "
            f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_ticket_messages_body_search")
        op.execute("DROP INDEX ix_tickets_subject_search")
    else:
        for fts, _table, _column in SQLITE_SEARCH:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {fts}_{event}")
            op.execute(f"DROP TABLE {fts}")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint("fk_tickets_merged_into_id", type_="foreignkey")
        batch_op.drop_column("merged_into_id")
    op.drop_table("canned_replies")
    op.drop_index("ix_ticket_tags_tag", table_name="ticket_tags")
    op.drop_table("ticket_tags")
