"""The full-text index of knowledge items, one per database (see ``knowledge.fts``):
an FTS5 table on SQLite, a weighted ``tsvector`` column with a GIN index on PostgreSQL."""

from django.db import migrations

SQLITE_UP = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_fts USING fts5("
    "title, summary, body, tokenize = 'unicode61 remove_diacritics 2')"
)
SQLITE_DOWN = "DROP TABLE IF EXISTS knowledge_fts"
PG_UP = (
    "ALTER TABLE knowledge_knowledgeitem ADD COLUMN IF NOT EXISTS search_vector tsvector",
    "CREATE INDEX IF NOT EXISTS knowledge_search_gin ON knowledge_knowledgeitem "
    "USING gin (search_vector)",
)
PG_DOWN = (
    "DROP INDEX IF EXISTS knowledge_search_gin",
    "ALTER TABLE knowledge_knowledgeitem DROP COLUMN IF EXISTS search_vector",
)


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    elif vendor == "postgresql":
        for statement in PG_UP:
            schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)
    elif vendor == "postgresql":
        for statement in PG_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
