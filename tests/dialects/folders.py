"""Small migration folders written in each tool's convention (our own, modelled on the tools'
documentation), and the history tables as each tool leaves a file at a middle version (built from
the tool's documented DDL: the same statements engine/runtime/dialect_history.py names)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

# 14-digit timestamps beyond 2^31: ordered as numbers, never refused as "too large".
DBMATE = {
    "20240101120000_create_users.sql": (
        "-- migrate:up\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\n"
        "-- migrate:down\nDROP TABLE users;\n"
    ),
    "20240215093000_add-email.sql": (
        "-- migrate:up\nALTER TABLE users ADD COLUMN email TEXT;\n\n"
        "-- migrate:down\nALTER TABLE users DROP COLUMN email;\n"
    ),
    "20240301000000_index_email.sql": (
        "-- migrate:up transaction:false\nCREATE INDEX users_email ON users (email);\n\n"
        "-- migrate:down\nDROP INDEX users_email;\n"
    ),
    "20240302000000_nothing_yet.sql": "-- migrate:up\n-- only a comment: a no-op\n\n-- migrate:down\n",
}
GOLANG = {
    "000001_create_users.up.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n",
    "000001_create_users.down.sql": "DROP TABLE users;\n",
    "000002_add_email.up.sql": "ALTER TABLE users ADD COLUMN email TEXT;\n",
    "000002_add_email.down.sql": "ALTER TABLE users DROP COLUMN email;\n",
    "000003_create_posts.up.sql": "CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT);\n",
    "000003_create_posts.down.sql": "DROP TABLE posts;\n",
}
GOOSE = {
    "00001_create_users.sql": (
        "-- +goose Up\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n\n"
        "-- +goose Down\nDROP TABLE users;\n"
    ),
    "00002_touch_trigger.sql": (
        "-- +goose Up\n-- +goose StatementBegin\n"
        "CREATE TRIGGER users_name AFTER INSERT ON users BEGIN\n"
        "  UPDATE users SET name = trim(NEW.name) WHERE id = NEW.id;\nEND;\n"
        "-- +goose StatementEnd\n\n"
        "-- +goose Down\n-- +goose StatementBegin\nDROP TRIGGER users_name;\n"
        "-- +goose StatementEnd\n"
    ),
    "00003_create_posts.sql": (
        "-- +goose Up\nCREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT);\n\n"
        "-- +goose Down\nDROP TABLE users;\n"  # would lose the users table if it ever ran
    ),
    "00004_vacuum_free.sql": (
        "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX posts_body ON posts (body);\n\n"
        "-- +goose Down\nDROP INDEX posts_body;\n"
    ),
}
SQLX = {
    "20240101000000_create users.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n",
    "20240102000000_add_email.up.sql": "ALTER TABLE users ADD COLUMN email TEXT;\n",
    "20240102000000_add_email.down.sql": "ALTER TABLE users DROP COLUMN email;\n",
    "20240103000000_create_posts.sql": "CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT);\n",
}
FLYWAY = {
    "V1__create_users.sql": "CREATE TABLE ${prefix}users (id INTEGER PRIMARY KEY, name TEXT);\n",
    "V1.9__add_email.sql": "ALTER TABLE ${prefix}users ADD COLUMN email TEXT;\n",
    "V1.10__create_posts.sql": "CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT);\n",
    "U1.10__create_posts.sql": "DROP TABLE posts;\n",
    "V2__add_phone.sql": "ALTER TABLE ${prefix}users ADD COLUMN phone TEXT;\n",
    "R__users_view.sql": "CREATE VIEW IF NOT EXISTS user_names AS SELECT name FROM users;\n",
}
FLYWAY_CONFIG = 'convention = "flyway"\n\n[placeholders]\nprefix = "app_"\n'
FOLDERS = {"dbmate": DBMATE, "golang-migrate": GOLANG, "goose": GOOSE, "sqlx": SQLX,
           "flyway": FLYWAY}


def write_folder(folder: Path, files: dict[str, str], config: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8", newline="")
    if config is not None:
        (folder / "sqlmig.toml").write_text(config, encoding="utf-8")
    return folder


def make_folder(tmp_path: Path, convention: str) -> Path:
    config = {"flyway": FLYWAY_CONFIG, "sqlx": 'convention = "sqlx"\n',
              "golang-migrate": 'convention = "golang-migrate"\n'}.get(convention)
    return write_folder(tmp_path / convention, FOLDERS[convention], config)


def empty_db(tmp_path: Path) -> Path:
    db = tmp_path / "app.db"
    db.touch()
    return db


def run(db: Path, *statements: str, params: tuple[object, ...] = ()) -> None:
    conn = sqlite3.connect(db)
    try:
        for statement in statements:
            conn.execute(statement, params if "?" in statement else ())
        conn.commit()
    finally:
        conn.close()


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def at_middle_version(tmp_path: Path, convention: str, folder: Path) -> Path:
    """A file as the other tool leaves it after its first migration(s): the schema and the
    tool's history table made with the tool's documented DDL and rows."""
    db = empty_db(tmp_path)
    if convention == "dbmate":
        run(db, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
            "create table if not exists schema_migrations (version varchar(128) primary key)",
            "insert into schema_migrations (version) values ('20240101120000')")
    elif convention == "golang-migrate":
        run(db, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)",
            "ALTER TABLE users ADD COLUMN email TEXT",
            "CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool)",
            "CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON schema_migrations (version)",
            "INSERT INTO schema_migrations (version, dirty) VALUES (2, false)")
    elif convention == "goose":
        run(db, "CREATE TABLE goose_db_version (\n\t\tid INTEGER PRIMARY KEY AUTOINCREMENT,\n"
            "\t\tversion_id INTEGER NOT NULL,\n\t\tis_applied INTEGER NOT NULL,\n"
            "\t\ttstamp TIMESTAMP DEFAULT (datetime('now'))\n\t)",
            "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1)",
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)",
            "INSERT INTO goose_db_version (version_id, is_applied) VALUES (1, 1)")
    elif convention == "sqlx":
        text = (folder / "20240101000000_create users.sql").read_bytes()
        run(db, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)",
            "CREATE TABLE IF NOT EXISTS _sqlx_migrations (\n    version BIGINT PRIMARY KEY,\n"
            "    description TEXT NOT NULL,\n"
            "    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
            "    success BOOLEAN NOT NULL,\n    checksum BLOB NOT NULL,\n"
            "    execution_time BIGINT NOT NULL\n)")
        run(db, "INSERT INTO _sqlx_migrations (version, description, success, checksum, "
            "execution_time) VALUES (20240101000000, 'create users', TRUE, ?, 1000)",
            params=(hashlib.sha384(text).digest(),))
    elif convention == "flyway":
        from engine.scripts.conventions.flyway import crc32_checksum

        crc = crc32_checksum((folder / "V1__create_users.sql").read_bytes())
        run(db, "CREATE TABLE app_users (id INTEGER PRIMARY KEY, name TEXT)",
            'CREATE TABLE "flyway_schema_history" (\n"installed_rank" INT NOT NULL PRIMARY KEY,\n'
            '"version" VARCHAR(50),\n"description" VARCHAR(200) NOT NULL,\n'
            '"type" VARCHAR(20) NOT NULL,\n"script" VARCHAR(1000) NOT NULL,\n"checksum" INT,\n'
            '"installed_by" VARCHAR(100) NOT NULL,\n"installed_on" TEXT NOT NULL DEFAULT '
            "(strftime('%Y-%m-%d %H:%M:%f','now')),\n\"execution_time\" INT NOT NULL,\n"
            '"success" BOOLEAN NOT NULL\n)',
            'CREATE INDEX "flyway_schema_history_s_idx" ON "flyway_schema_history" ("success")',
            "INSERT INTO flyway_schema_history (installed_rank, version, description, type, "
            "script, checksum, installed_by, execution_time, success) VALUES (1, '1', "
            f"'create users', 'SQL', 'V1__create_users.sql', {crc}, 'dev', 5, 1)")
    return db
