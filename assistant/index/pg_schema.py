"""The shared database's schema as numbered migrations. Opening a database applies the ones it lacks, in order and
under an advisory lock, so an existing database is upgraded in place and two processes never migrate at once.

A build's rows live in tables of their own generation (pa_g<N>_chunk, _posting, _term, _vec<i>): publishing a build
is one UPDATE of pa_live, and dropping an old generation is dropping its tables, with its HNSW indexes."""

from __future__ import annotations

from psycopg import Connection, sql

from assistant.errors import IndexIncompatibleError

# Advisory lock keys ("pa" and a number): one migrator, one builder per database.
LOCK_MIGRATE = 0x70610001
LOCK_BUILD = 0x70610002
LOCK_SHARD = 0x70620000  # + the shard's number: one builder per shard

MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "index generations", (
        "CREATE EXTENSION IF NOT EXISTS vector",
        """CREATE TABLE pa_generation (
               id bigserial PRIMARY KEY,
               state text NOT NULL CHECK (state IN ('building', 'live', 'retired')),
               created timestamptz NOT NULL DEFAULT now(),
               published timestamptz,
               manifest jsonb NOT NULL,
               bm25 jsonb NOT NULL)""",
        """CREATE TABLE pa_live (
               one boolean PRIMARY KEY DEFAULT true CHECK (one),
               generation bigint NOT NULL REFERENCES pa_generation (id))""",
    )),
    (2, "accounts, tokens, feedback and the audit log", (
        "CREATE SCHEMA IF NOT EXISTS pa_app",
        # Usernames compare case-insensitively (as SQLite's COLLATE NOCASE does in the file store): one per lower().
        """CREATE TABLE pa_app.users (
               username text PRIMARY KEY, password_hash text NOT NULL, role text NOT NULL,
               clearance text NOT NULL, created text NOT NULL, disabled integer NOT NULL DEFAULT 0)""",
        "CREATE UNIQUE INDEX users_nocase ON pa_app.users (lower(username))",
        """CREATE TABLE pa_app.tokens (
               token_hash text PRIMARY KEY, username text NOT NULL, created text NOT NULL,
               expires text NOT NULL, label text NOT NULL DEFAULT '')""",
        "CREATE INDEX tokens_by_user ON pa_app.tokens (username)",
        """CREATE TABLE pa_app.feedback (
               id bigserial PRIMARY KEY, created text NOT NULL, "user" text NOT NULL DEFAULT '',
               rating integer NOT NULL CHECK (rating IN (-1, 1)), comment text NOT NULL DEFAULT '',
               question text NOT NULL, answer text NOT NULL, citations text NOT NULL)""",
        """CREATE TABLE pa_app.events (
               id bigserial PRIMARY KEY, at text NOT NULL, actor text NOT NULL, action text NOT NULL,
               target text NOT NULL DEFAULT '', detail text NOT NULL DEFAULT '{}')""",
        "CREATE INDEX events_by_actor ON pa_app.events (actor, id)",
        # Append-only, enforced by the database as the SQLite file's triggers do: no update, delete or truncate.
        """CREATE FUNCTION pa_app.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'the audit log is append-only: events cannot be changed or deleted'; END $$""",
        """CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON pa_app.events
           FOR EACH ROW EXECUTE FUNCTION pa_app.append_only()""",
        """CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON pa_app.events
           FOR EACH STATEMENT EXECUTE FUNCTION pa_app.append_only()""",
    )),
    (3, "build shards staged before one publishes them", (
        """CREATE TABLE pa_stage (
               shard int PRIMARY KEY, shards int NOT NULL, params jsonb NOT NULL, embedders jsonb NOT NULL,
               files jsonb NOT NULL, skipped jsonb NOT NULL, staged timestamptz NOT NULL DEFAULT now())""",
        """CREATE TABLE pa_stage_chunk (
               shard int NOT NULL REFERENCES pa_stage (shard) ON DELETE CASCADE, doc_id text NOT NULL,
               ord int NOT NULL, record jsonb NOT NULL, tokens text[] NOT NULL, vector real[] NOT NULL,
               PRIMARY KEY (doc_id, ord))""",
        "CREATE INDEX pa_stage_chunk_shard ON pa_stage_chunk (shard)",
    )),
)
LATEST = MIGRATIONS[-1][0]


def migrate(conn: Connection) -> list[int]:
    """Apply the migrations this database lacks; returns their numbers. A database migrated by a newer version of
    the assistant is refused rather than misread."""
    applied = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_MIGRATE,))
        conn.execute("""CREATE TABLE IF NOT EXISTS pa_schema_migration (
                            version int PRIMARY KEY, name text NOT NULL,
                            applied timestamptz NOT NULL DEFAULT now())""")
        done = {row[0] for row in conn.execute("SELECT version FROM pa_schema_migration")}
        if done and max(done) > LATEST:
            raise IndexIncompatibleError(
                f"the database has schema version {max(done)}; this version of the assistant knows up to {LATEST}: "
                "upgrade the assistant")
        for version, name, statements in MIGRATIONS:
            if version in done:
                continue
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO pa_schema_migration (version, name) VALUES (%s, %s)", (version, name))
            applied.append(version)
    return applied


def table(generation: int, part: str) -> sql.Identifier:
    """One generation's table: chunk, posting, term or vec<i> (the i-th embedder of its manifest)."""
    return sql.Identifier(f"pa_g{int(generation)}_{part}")

