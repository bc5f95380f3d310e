"""Sample rows for the builders: what the app's API would have written, in many scripts.

`populate()` looks at the columns the file actually has and fills only those, so the same code
serves every legacy era, the tracked layouts and damaged files. Defaults follow the fixtures'
MANIFEST (3 worlds plus `default-world`, 4 chats, 5 agents with 40 memory rows each, archives with
archived messages, events) plus rows no fixture has (filled legacy `archive_statistics`,
`chat_snapshots`, `event_sequences`, the camelCase `message_queue`).
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

TEXTS = (
    "Hello, world! 👋",
    "Привет, как дела? Всё хорошо.",
    "你好，世界！今天天气很好。",
    "مرحبا بالعالم — كيف حالك؟",
    "こんにちは、元気ですか？ユニコード",
    "Γειά σου Κόσμε",
    "שלום עולם",
    "नमस्ते दुनिया",
    "안녕하세요 세계",
    "Ça va? Très bien, merci — «citation»",
    "Zażółć gęślą jaźń",
    "emoji 🚀🔥✨ and ZWJ 👩‍💻",
    "combining: e\u0301 a\u0308 n\u0303",
    "quotes ' \" ` and a; semicolon -- not a comment",
    "line one\nline two\ttabbed",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math 𝟙𝟚𝟛",
    "",  # empty text is valid content
)

DEFAULT_WORLD = ("default-world", "Default World", "The default world for Agent World system.", 100)


@dataclass(frozen=True)
class DataSpec:
    """How many rows of each kind. Counts are per file unless the name says otherwise."""

    worlds: int = 3  # besides default-world
    default_world: bool = True
    chats: int = 4
    agents: int = 5
    memory_per_agent: int = 40
    archives: int = 1
    archived_per_archive: int = 10
    orphan_archived: int = 0  # archived messages whose archive is gone
    archive_statistics: int = 3
    chat_snapshots: int = 2
    events: int = 6
    orphan_events: int = 0  # events whose world is gone (only meaningful without FKs)
    event_sequences: int = 2
    message_queue: int = 3
    extra_rows: int = 5  # rows per extra user table when the builder generates them
    texts: tuple[str, ...] = ()  # extra text values mixed into every text column (e.g. drawn)

    @classmethod
    def make(cls, data: DataSpec | Mapping[str, Any] | None) -> DataSpec:
        if data is None:
            return cls()
        if isinstance(data, DataSpec):
            return data
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown data keys: {sorted(unknown)}; known: {sorted(known)}")
        return replace(cls(), **dict(data))


EMPTY = DataSpec(
    worlds=0, default_world=False, chats=0, agents=0, memory_per_agent=0, archives=0,
    archived_per_archive=0, archive_statistics=0, chat_snapshots=0, events=0, event_sequences=0,
    message_queue=0, extra_rows=0,
)  # fmt: skip


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')]


def has_table(conn: sqlite3.Connection, table: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return row is not None


def insert(conn: sqlite3.Connection, table: str, row: Mapping[str, Any]) -> None:
    """Insert the values whose columns exist in `table` (others are silently left out)."""
    present = set(columns(conn, table))
    keep = {k: v for k, v in row.items() if k in present}
    names = ", ".join(f'"{k}"' for k in keep)
    marks = ", ".join("?" for _ in keep)
    conn.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', tuple(keep.values()))


_POOL: list[tuple[str, ...]] = [TEXTS]


def text(rng: random.Random, tag: str) -> str:
    return f"[{tag}] {rng.choice(_POOL[0])}"


def stamp(rng: random.Random, day: int = 0) -> str:
    return (
        f"2025-{8 + day // 28 % 4:02d}-{1 + day % 28:02d}T"
        f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:00.000Z"
    )


def populate(conn: sqlite3.Connection, spec: DataSpec, rng: random.Random) -> None:
    """Fill the app tables that exist in `conn` (foreign keys ON, like the app)."""
    _POOL[0] = TEXTS + tuple(spec.texts)
    try:
        _populate(conn, spec, rng)
    finally:
        _POOL[0] = TEXTS


def _populate(conn: sqlite3.Connection, spec: DataSpec, rng: random.Random) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    worlds: list[str] = []
    if has_table(conn, "worlds"):
        if spec.default_world:
            conn.execute(
                "INSERT OR IGNORE INTO worlds (id, name, description, turn_limit) VALUES (?,?,?,?)",
                DEFAULT_WORLD,
            )
        for i in range(spec.worlds):
            wid = f"world-{i}"
            insert(
                conn,
                "worlds",
                {
                    "id": wid,
                    "name": f"World {i} {rng.choice(_POOL[0])[:12]}",
                    "description": None if i % 3 == 2 else text(rng, f"world {i}"),
                    "turn_limit": rng.randrange(1, 50),
                    "chat_llm_provider": rng.choice(["openai", "anthropic", None]),
                    "chat_llm_model": rng.choice(["gpt-4o-mini", "claude-3-5-haiku", None]),
                    "mcp_config": json.dumps(
                        {"servers": {"fs": {"command": "npx", "args": ["/srv/数据", str(i)]}}},
                        ensure_ascii=False,
                    )
                    if i % 2 == 0
                    else None,
                },
            )
            worlds.append(wid)
        if not worlds and spec.default_world:
            worlds.append("default-world")
    chats: dict[str, list[str]] = {w: [] for w in worlds}
    if worlds and has_table(conn, "world_chats"):
        for i in range(spec.chats):
            wid = worlds[i % len(worlds)]
            cid = f"chat-{i}"
            insert(
                conn,
                "world_chats",
                {
                    "id": cid,
                    "world_id": wid,
                    "name": f"Chat {i} — {rng.choice(_POOL[0])[:10]}",
                    "description": None if i % 2 else "first chat",
                    "message_count": rng.randrange(0, 40),
                    "summary": text(rng, f"summary chat {i}") if i % 2 == 0 else None,
                    "tags": json.dumps(["fixture", "ユニコード"], ensure_ascii=False),
                },
            )
            chats[wid].append(cid)
        if "current_chat_id" in columns(conn, "worlds"):
            for wid, ids in chats.items():
                if ids:
                    conn.execute(
                        "UPDATE worlds SET current_chat_id = ? WHERE id = ?", (ids[-1], wid)
                    )
    agents: list[tuple[str, str]] = []
    if worlds and has_table(conn, "agents"):
        for i in range(spec.agents):
            wid = worlds[i % len(worlds)]
            aid = f"agent-{i}"
            insert(
                conn,
                "agents",
                {
                    "id": aid,
                    "world_id": wid,
                    "name": f"Agent {i} {rng.choice(['🤖', 'Ålice', 'Бob', '智能'])}",
                    "type": "conversational",
                    "status": rng.choice(["active", "inactive", None]),
                    "provider": rng.choice(["openai", "anthropic", "ollama"]),
                    "model": rng.choice(["gpt-4o-mini", "claude-3-5-haiku", "llama3.2:3b"]),
                    "system_prompt": None if i % 3 == 1 else text(rng, f"prompt {i}"),
                    "temperature": None if i % 2 else 0.7,
                    "max_tokens": None if i % 2 else 1024,
                    "llm_call_count": rng.randrange(0, 9),
                    "last_llm_call": None if i % 2 else stamp(rng, i),
                },
            )
            agents.append((aid, wid))
    if agents and has_table(conn, "agent_memory"):
        roles = ["system", "user", "assistant"]
        for aid, wid in agents:
            previous: str | None = None
            for k in range(spec.memory_per_agent):
                mid = None if k % 7 == 3 else f"msg-{aid}-{k:03d}"
                world_chats = chats.get(wid) or []
                insert(
                    conn,
                    "agent_memory",
                    {
                        "agent_id": aid,
                        "world_id": wid,
                        "message_id": mid,
                        "reply_to_message_id": previous if k % 2 else None,
                        "role": roles[k % 3],
                        "content": text(rng, f"{aid} #{k}"),
                        "sender": None if k % 5 == 0 else rng.choice(["human", aid, "HUMAN"]),
                        "chat_id": rng.choice(world_chats) if world_chats and k % 4 else None,
                        "created_at": stamp(rng, k),
                    },
                )
                previous = mid
    archive_ids: list[tuple[int, str, str]] = []
    if agents and has_table(conn, "memory_archives"):
        for i in range(spec.archives):
            aid, wid = agents[i % len(agents)]
            insert(
                conn,
                "memory_archives",
                {
                    "agent_id": aid,
                    "world_id": wid,
                    "session_name": None if i % 2 else f"Session {i} ☕",
                    "archive_reason": rng.choice([None, "manual", "auto"]),
                    "message_count": spec.archived_per_archive,
                    "start_time": stamp(rng, i),
                    "end_time": stamp(rng, i + 1),
                    "participants": json.dumps(["human", aid]),
                    "tags": "[]",
                    "summary": text(rng, f"archive summary {i}") if i % 2 == 0 else None,
                },
            )
            rowid = int(conn.execute("SELECT last_insert_rowid()").fetchone()[0])
            archive_ids.append((rowid, aid, wid))
    if has_table(conn, "archived_messages"):
        legacy = "original_created_at" in columns(conn, "archived_messages")
        n = 0
        for rowid, aid, wid in archive_ids:
            for k in range(spec.archived_per_archive):
                n += 1
                insert(
                    conn,
                    "archived_messages",
                    {
                        "archive_id": rowid,
                        "agent_id": aid,
                        "world_id": wid,
                        "role": ["user", "assistant", "system"][k % 3],
                        "content": text(rng, f"archived {n}"),
                        "sender": None if k % 4 == 0 else rng.choice(["human", aid]),
                        "original_created_at": stamp(rng, k),
                        "original_timestamp": stamp(rng, k),
                    },
                )
        if spec.orphan_archived and legacy:
            # The archive was deleted while foreign keys were off (or by a tool that ignores them).
            conn.execute("PRAGMA foreign_keys = OFF")
            for k in range(spec.orphan_archived):
                insert(
                    conn,
                    "archived_messages",
                    {
                        "archive_id": 9000 + k,
                        "role": "assistant",
                        "content": text(rng, f"orphan archived {k}"),
                        "sender": "ghost",
                        "original_created_at": stamp(rng, k),
                        "archived_at": "2025-09-09 09:09:09",
                    },
                )
            conn.execute("PRAGMA foreign_keys = ON")
    if worlds and has_table(conn, "archive_statistics"):
        legacy = "stat_type" in columns(conn, "archive_statistics")
        for i in range(spec.archive_statistics):
            aid, awid = agents[i % len(agents)] if agents else (None, worlds[0])
            if not legacy and aid is None:
                break
            insert(
                conn,
                "archive_statistics",
                {
                    "world_id": awid,
                    "agent_id": None if legacy and i % 2 else aid,
                    "stat_type": ["daily", "weekly", "agent"][i % 3],
                    "stat_date": f"2025-08-{1 + i % 28:02d}",
                    "archive_count": i,
                    "message_count": 10 * i,
                    "session_length_avg": 1.5 * i,
                    "most_active_agent": aid,
                    "data": json.dumps({"note": rng.choice(_POOL[0])}, ensure_ascii=False),
                    "total_archives": i,
                    "total_messages": 10 * i,
                    "average_session_length": 1.5 * i,
                    "archive_frequency": "daily",
                },
            )
    all_chats = [(c, w) for w, ids in chats.items() for c in ids]
    if all_chats and has_table(conn, "chat_snapshots"):
        for i in range(spec.chat_snapshots):
            cid, wid = all_chats[i % len(all_chats)]
            insert(
                conn,
                "chat_snapshots",
                {
                    "chat_id": cid,
                    "world_id": wid,
                    "snapshot_data": json.dumps(
                        {"messages": [rng.choice(_POOL[0])], "n": i}, ensure_ascii=False
                    ),
                    "version": "1.0",
                },
            )
    if worlds and has_table(conn, "events"):
        for i in range(spec.events):
            cid, wid = all_chats[i % len(all_chats)] if all_chats else (None, worlds[0])
            meta = {"sender": "human", "ownerAgentIds": [a for a, _ in agents[:2]],
                    "messageDirection": "broadcast", "isMemoryOnly": False,
                    "threadRootId": None, "hasToolCalls": i % 3 == 0}  # fmt: skip
            insert(
                conn,
                "events",
                {
                    "id": f"evt-{i}",
                    "world_id": wid,
                    "chat_id": cid,
                    "seq": None if i % 4 == 3 else i + 1,  # the app stopped writing seq (§5.14)
                    "type": rng.choice(["message", "sse", "tool"]),
                    "payload": json.dumps({"content": rng.choice(_POOL[0])}, ensure_ascii=False),
                    "meta": json.dumps(meta),
                    "created_at": stamp(rng, i),
                },
            )
        if spec.orphan_events:
            conn.execute("PRAGMA foreign_keys = OFF")
            for i in range(spec.orphan_events):
                insert(
                    conn,
                    "events",
                    {
                        "id": f"evt-orphan-{i}",
                        "world_id": "world-gone",
                        "chat_id": None,
                        "seq": i + 1,
                        "type": "message",
                        "payload": json.dumps({"content": "orphan"}),
                        "meta": None,
                    },
                )
            conn.execute("PRAGMA foreign_keys = ON")
    if worlds and has_table(conn, "event_sequences"):
        keys = [(w, c) for c, w in all_chats] or [(worlds[0], None)]
        for i in range(min(spec.event_sequences, len(keys))):
            wid, cid = keys[i]
            conn.execute(
                "INSERT OR IGNORE INTO event_sequences (world_id, chat_id, last_seq) VALUES (?,?,?)",
                (wid, cid, i + 3),
            )
    if worlds and has_table(conn, "message_queue"):
        camel = "worldId" in columns(conn, "message_queue")
        for i in range(spec.message_queue):
            cid, wid = all_chats[i % len(all_chats)] if all_chats else (None, worlds[0])
            if camel:
                insert(
                    conn,
                    "message_queue",
                    {
                        "id": f"q-{i}",
                        "worldId": wid,
                        "messageId": f"qmsg-{i}",
                        "content": text(rng, f"queued {i}"),
                        "sender": "human",
                        "chatId": cid,
                        "status": ["pending", "processing", "completed", "failed"][i % 4],
                        "priority": i % 3,
                        "createdAt": 1761990000000 + i,
                        "error": "timeout" if i % 4 == 3 else None,
                    },
                )
            elif cid is not None:
                insert(
                    conn,
                    "message_queue",
                    {
                        "world_id": wid,
                        "chat_id": cid,
                        "message_id": f"qmsg-{i}",
                        "content": text(rng, f"queued {i}"),
                        "status": "queued",
                    },
                )
