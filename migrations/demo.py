"""The demo database: a realistic legacy agent-world file (SPEC §7.13), for `sqlmig-gui --demo`
and for tests.

The file is what the app's v0.6.x (commit 2aafd789, legacy ``user_version`` 5, fresh era F8) leaves
behind on first start: ``worlds`` in order W-D, ``agent_memory`` in order M-B, the chat tables
without the ``summary`` columns, the legacy layouts of ``archived_messages`` and
``archive_statistics``, every index and trigger of that era (``legacy_schema.py``), WAL mode with
the WAL checkpointed. The sample data is ours and deterministic. Plain ``sqlite3``, no Qt: it ships
with the app's migrations (``sqlmig_migrations.demo``), which the catalog ignores (it reads only
``*.sql``).
"""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from sqlmig_migrations.legacy_schema import schema_statements

__all__ = ["DEMO_ERA", "DEMO_FILE_NAME", "DEMO_USER_VERSION", "build_demo_database"]

DEMO_FILE_NAME = "database.db"
DEMO_ERA = "F8"  # 2aafd789's initializeSchema()
DEMO_USER_VERSION = 5
_SEED = 20250815

# --- sample data ------------------------------------------------------------------------------

_SAMPLES = (
    "Hello! Could you summarise yesterday's notes?",
    "Bonjour ! Pouvez-vous vérifier la réunion de jeudi ?",
    "Guten Tag, die Übersicht für Größe und Maße ist fertig.",
    "Здравствуйте! Отчёт за неделю готов, посмотрите, пожалуйста.",
    "你好！请把会议记录整理成三点摘要。",
    "こんにちは、明日の予定を確認してください。",
    "안녕하세요, 프로젝트 일정이 변경되었습니다.",
    "مرحبا، هل يمكنك ترجمة هذا النص إلى الإنجليزية؟",
    "שלום! הקובץ עודכן הבוקר.",
    "नमस्ते, कृपया रिपोर्ट की समीक्षा करें।",
    "Γειά σου κόσμε — δοκιμή ελληνικού κειμένου.",
    "สวัสดีครับ ขอบคุณสำหรับความช่วยเหลือ",
    "Emoji check: 🚀✨ 👩\u200d🔬 🧑🏾\u200d💻 flags 🇫🇷🇯🇵 👍🏽",
    "Combining marks: e\u0301 vs é, n\u0303 vs ñ, Å vs A\u030a",
    'JSON in content: {"task": "résumé", "ids": [1, 2, 3], "ok": true}',
    "Multi-line reply:\n- first point\n- second point\twith a tab",
    "SQL-looking text: SELECT * FROM worlds; -- harmless; 50% done_",
    "Math: ∫₀¹ x² dx = ⅓, ∑ᵢ i = n(n+1)/2, √2 ≈ 1.414 ✓",
    "Quotes: 'single', \"double\", «guillemets», „Anführungszeichen“",
    "@team please review the draft before Friday 📝",
)

_WORLDS = (
    # id, name, description, turn_limit, provider, model, current chat, mcp_config
    ("default-world", "Default World", "The default world for Agent World system.", 100,
     None, None, None, None),
    ("world-north", "Northwind Lab 🧪", "Research notes — équipe « Nord »", 5,
     "openai", "gpt-4o-mini", "chat-north-2",
     {"servers": {"files": {"command": "npx", "args": ["-y", "@mcp/fs", "/srv/共有"]}}}),
    ("world-taiga", "Тайга", None, 8, None, None, "chat-taiga-1", None),
    ("world-sakura", "桜ワールド", "日本語と中文のテスト", 3,
     "anthropic", "claude-3-5-sonnet", "chat-sakura-1", None),
)

_CHATS = (
    ("chat-north-1", "world-north", "Planning 🗓️", "first planning session"),
    ("chat-north-2", "world-north", "Follow-up — «deux»", None),
    ("chat-taiga-1", "world-taiga", "Общий чат", "основной"),
    ("chat-sakura-1", "world-sakura", "会話 一", None),
)

_AGENTS = (
    # id, world, name, status, provider, model, system prompt, temperature, max tokens
    ("ada", "world-north", "Ada", "active", "openai", "gpt-4o-mini",
     "You are Ada, a careful research assistant.", 0.7, 1024),
    ("bruno", "world-north", "Bruno 🤖", "inactive", "anthropic", "claude-3-5-haiku",
     None, None, None),
    ("dmitri", "world-taiga", "Дмитрий", "active", "ollama", "llama3.1:8b",
     "Ты — Дмитрий. Отвечай кратко и по делу.", 0.2, 2048),
    ("elena", "world-taiga", "Elena", "inactive", "google", "gemini-1.5-pro",
     "You are Elena.", 1.0, 512),
    ("hana", "world-sakura", "花", "active", "openai", "gpt-4.1",
     "あなたは花です。丁寧に答えてください。", 0.5, 4096),
)

_MEMORY_PER_AGENT = 40
_CREATED = "2025-08-15 11:20:00"  # what CURRENT_TIMESTAMP gave on the app's first start


def _iso(moment: datetime) -> str:
    """JavaScript's Date.toISOString(), which the app stored in its own timestamp columns."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _insert_data(conn: sqlite3.Connection, rng: random.Random) -> None:
    for wid, name, desc, turns, provider, model, current, mcp in _WORLDS:
        conn.execute(
            "INSERT INTO worlds (id, name, description, turn_limit, chat_llm_provider,"
            " chat_llm_model, current_chat_id, mcp_config, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (wid, name, desc, turns, provider, model, current,
             json.dumps(mcp, ensure_ascii=False) if mcp else None, _CREATED, _CREATED),
        )
    chats_by_world: dict[str, list[str]] = {}
    for cid, wid, _name, _desc in _CHATS:
        chats_by_world.setdefault(wid, []).append(cid)

    start = datetime(2025, 8, 1, 9, 0, 0)
    chat_counts: dict[str, int] = {}
    for number, (aid, wid, name, status, provider, model, prompt, temp, tokens) in enumerate(
        _AGENTS
    ):
        base = start + timedelta(days=number, hours=rng.randrange(0, 12))
        moments = [base + timedelta(minutes=3 * i) for i in range(_MEMORY_PER_AGENT)]
        conn.execute(
            "INSERT INTO agents (id, world_id, name, type, status, provider, model, system_prompt,"
            " temperature, max_tokens, llm_call_count, created_at, last_active, last_llm_call)"
            " VALUES (?, ?, ?, 'conversational', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (aid, wid, name, status, provider, model, prompt, temp, tokens,
             rng.randrange(0, 20), _CREATED, _iso(moments[-1]),
             _iso(moments[-2]) if prompt else None),
        )
        chats = chats_by_world[wid]
        for i, moment in enumerate(moments):
            sender: str | None
            if i == 0:
                role, sender = "system", None
                content = prompt or "system prompt (default)"
            else:
                role = "user" if i % 2 else "assistant"
                sender = "human" if role == "user" else aid
                if rng.random() < 0.12:
                    sender = None
                elif role == "user" and rng.random() < 0.1:
                    sender = "HUMAN"
                content = f"[{name} #{i}] {rng.choice(_SAMPLES)}"
            chat_id = None if rng.random() < 0.25 else rng.choice(chats)
            if chat_id is not None:
                chat_counts[chat_id] = chat_counts.get(chat_id, 0) + 1
            conn.execute(
                "INSERT INTO agent_memory (agent_id, world_id, role, content, sender, chat_id,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (aid, wid, role, content, sender, chat_id, _iso(moment)),
            )

    for cid, wid, name, desc in _CHATS:
        conn.execute(
            "INSERT INTO world_chats (id, world_id, name, description, message_count, tags,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (cid, wid, name, desc, chat_counts.get(cid, 0),
             json.dumps(["demo"]) if desc else None, _CREATED, _CREATED),
        )
    for cid, wid in (("chat-north-1", "world-north"), ("chat-taiga-1", "world-taiga")):
        snapshot = {"chatId": cid, "worldId": wid, "messageCount": chat_counts.get(cid, 0),
                    "agents": [a[0] for a in _AGENTS if a[1] == wid]}
        conn.execute(
            "INSERT INTO chat_snapshots (chat_id, world_id, snapshot_data, captured_at)"
            " VALUES (?, ?, ?, ?)",
            (cid, wid, json.dumps(snapshot, ensure_ascii=False), _CREATED),
        )

    # Two archived sessions: 6 + 4 = 10 archived messages in the legacy layout.
    for aid, wid, session, count in (("ada", "world-north", "Kick-off notes", 6),
                                     ("dmitri", "world-taiga", None, 4)):
        first = datetime(2025, 7, 30, 14, 0, 0) + timedelta(hours=rng.randrange(0, 48))
        times = [first + timedelta(minutes=4 * i) for i in range(count)]
        cur = conn.execute(
            "INSERT INTO memory_archives (agent_id, world_id, session_name, archive_reason,"
            " message_count, start_time, end_time, participants, tags, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (aid, wid, session, "manual" if session else None, count, _iso(times[0]),
             _iso(times[-1]), json.dumps(["human", aid]), json.dumps([]), _CREATED),
        )
        archive_id = cur.lastrowid
        for i, moment in enumerate(times):
            role = "user" if i % 2 == 0 else "assistant"
            sender = "human" if role == "user" else aid
            conn.execute(
                "INSERT INTO archived_messages (archive_id, role, content, sender,"
                " original_created_at, archived_at) VALUES (?, ?, ?, ?, ?, ?)",
                (archive_id, role, f"[archived] {rng.choice(_SAMPLES)}",
                 None if i == 2 else sender, _iso(moment), _CREATED),
            )

    for stat_world, stat_agent, stat_type, day, archives, messages, avg in (
        ("world-north", None, "daily", "2025-08-01", 1, 6, 6.0),
        ("world-north", "ada", "agent", "2025-08-01", 1, 6, 6.0),
        ("world-taiga", "dmitri", "agent", "2025-08-02", 1, 4, 4.0),
    ):
        conn.execute(
            "INSERT INTO archive_statistics (world_id, agent_id, stat_type, stat_date,"
            " archive_count, message_count, session_length_avg, most_active_agent, data,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (stat_world, stat_agent, stat_type, day, archives, messages, avg,
             stat_agent or "ada",
             json.dumps({"source": "demo"}), _CREATED, _CREATED),
        )


def build_demo_database(folder: Path) -> Path:
    """Write ``folder/database.db``, a legacy agent-world file at ``user_version`` 5.

    The folder is created if needed; an existing database file there is never overwritten.
    Returns the path of the new file.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DEMO_FILE_NAME
    for existing in (path, path.with_name(path.name + "-wal")):
        if existing.exists():
            raise FileExistsError(f"{existing} already exists: the demo needs an empty folder")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # The app's open-time PRAGMAs (page_size only matters before the first table).
        conn.execute("PRAGMA page_size = 4096")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN IMMEDIATE")
        for statement in schema_statements(DEMO_ERA):
            conn.execute(statement)
        _insert_data(conn, random.Random(_SEED))
        conn.execute(f"PRAGMA user_version = {DEMO_USER_VERSION}")
        conn.execute("COMMIT")
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:  # pragma: no cover - guards the sample data above
            raise RuntimeError(f"demo data breaks foreign keys: {problems[:3]}")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return path
