"""The sandbox's own SQLite storage: schema and every query, nothing else.

The emulator is stateful (campaigns, invite links, posts, linking requests, subscriptions survive a
restart when the file is kept), so it needs storage, and it must never share inviteflow's database.
One connection guarded by a re-entrant lock keeps it thread-safe under the threaded server; every
request runs inside one `transaction()`, so a refused request changes nothing. All times are integer
Unix milliseconds of *sandbox* time; ids are 19-digit strings; lists are stored as JSON text.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

Row = dict[str, Any]

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    account_id TEXT PRIMARY KEY, account_name TEXT NOT NULL, country TEXT NOT NULL,
    timezone TEXT NOT NULL, business_verification_status TEXT NOT NULL,
    advertiser_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    access_token TEXT PRIMARY KEY, app_id TEXT NOT NULL, account_ids TEXT NOT NULL,
    create_ms INTEGER NOT NULL, expires_ms INTEGER, revoked_ms INTEGER);
CREATE TABLE IF NOT EXISTS auth_codes (
    auth_code TEXT PRIMARY KEY, app_id TEXT NOT NULL, account_ids TEXT NOT NULL,
    redirect_uri TEXT NOT NULL, create_ms INTEGER NOT NULL, used_ms INTEGER);
CREATE TABLE IF NOT EXISTS campaigns (
    campaign_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, campaign_type TEXT NOT NULL,
    channel_type TEXT NOT NULL, campaign_name TEXT NOT NULL, campaign_description TEXT,
    brand_name TEXT, brand_profile_id TEXT, anchor_id TEXT, advertiser_ids TEXT NOT NULL,
    auth_days INTEGER, business_account_handle TEXT, send_notification INTEGER NOT NULL,
    country_codes TEXT NOT NULL, invite_token TEXT NOT NULL UNIQUE, invite_link TEXT NOT NULL,
    posts_per_creator INTEGER NOT NULL, campaign_code TEXT UNIQUE,
    create_ms INTEGER NOT NULL, update_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS campaigns_account ON campaigns (account_id, create_ms);
CREATE TABLE IF NOT EXISTS campaign_creators (
    campaign_id TEXT NOT NULL, handle TEXT NOT NULL, invited INTEGER NOT NULL,
    order_id TEXT, invite_ms INTEGER NOT NULL, joined_ms INTEGER,
    PRIMARY KEY (campaign_id, handle));
CREATE TABLE IF NOT EXISTS videos (
    video_id TEXT PRIMARY KEY, handle TEXT NOT NULL, caption TEXT NOT NULL,
    hashtags TEXT NOT NULL, mentions TEXT NOT NULL, branded INTEGER NOT NULL,
    create_ms INTEGER NOT NULL, campaign_id TEXT, linked_via TEXT, linked_ms INTEGER,
    takedown_ms INTEGER);
CREATE INDEX IF NOT EXISTS videos_handle ON videos (handle, create_ms);
CREATE INDEX IF NOT EXISTS videos_campaign ON videos (campaign_id, create_ms);
CREATE TABLE IF NOT EXISTS link_requests (
    link_request_id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL, video_id TEXT NOT NULL,
    status TEXT NOT NULL, number_of_requests INTEGER NOT NULL,
    last_reminded_ms INTEGER NOT NULL, create_ms INTEGER NOT NULL,
    UNIQUE (campaign_id, video_id));
CREATE TABLE IF NOT EXISTS subscriptions (
    subscription_id TEXT PRIMARY KEY, app_id TEXT NOT NULL, subscribe_entity TEXT NOT NULL,
    callback_url TEXT NOT NULL, account_id TEXT NOT NULL, access_token TEXT NOT NULL,
    create_ms INTEGER NOT NULL);
"""

TABLES = (
    "meta",
    "accounts",
    "tokens",
    "auth_codes",
    "campaigns",
    "campaign_creators",
    "videos",
    "link_requests",
    "subscriptions",
)
JSON_COLUMNS = {"account_ids", "advertiser_ids", "country_codes", "hashtags", "mentions"}


CAMPAIGN_ORDERS = {
    "oldest_first": "ORDER BY create_ms, rowid",
    "newest_first": "ORDER BY create_ms DESC, rowid DESC",
    "scrambled": "ORDER BY (rowid * 7919) % 10007, rowid",  # fixed, unrelated to time
}


class Store:
    def __init__(self, path: str | None = None) -> None:
        self._temp_path = None if path else _temp_file()
        self.path = path or self._temp_path
        assert self.path
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA busy_timeout=5000")
        self._conn.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and one SQLite transaction; nested calls join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()
        if self._temp_path:
            for suffix in ("", "-wal", "-shm"):
                _remove(self._temp_path + suffix)

    def wipe(self) -> None:
        with self.transaction():
            for table in TABLES:
                self._exec(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

    # -- plumbing ---------------------------------------------------------------------------

    def _exec(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> None:
        with self._lock:
            self._conn.execute(sql, params)

    def _all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        with self._lock:  # fetch under the lock too: the connection is shared
            rows = self._conn.execute(sql, params).fetchall()
        return [_decode(row) for row in rows]

    def _one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Row | None:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    def _scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        with self._lock:
            return self._conn.execute(sql, params).fetchone()[0]

    def _insert(self, table: str, values: Row) -> None:
        columns = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        self._exec(f"INSERT INTO {table} ({columns}) VALUES ({marks})", _encode(values))  # noqa: S608

    def _update(self, table: str, key: str, key_value: str, values: Row) -> None:
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        params = {**_encode(values), "_key": key_value}
        self._exec(f"UPDATE {table} SET {assignments} WHERE {key} = :_key", params)  # noqa: S608

    def _page(
        self, select: str, where: str, order: str, params: list[Any], offset: int, limit: int
    ) -> tuple[list[Row], int]:
        total = self._scalar(f"SELECT COUNT(*) {where}", params)
        rows = self._all(f"{select} {where} {order} LIMIT ? OFFSET ?", [*params, limit, offset])
        return rows, total

    # -- meta -------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", [key])
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])

    # -- accounts, tokens, auth codes -------------------------------------------------------

    def save_account(self, account: Row) -> None:
        if not self.account(account["account_id"]):
            self._insert("accounts", account)

    def account(self, account_id: str) -> Row | None:
        return self._one("SELECT * FROM accounts WHERE account_id = ?", [account_id])

    def accounts(self) -> list[Row]:
        return self._all("SELECT * FROM accounts ORDER BY account_id")

    def save_token(self, token: Row) -> None:
        self._exec("DELETE FROM tokens WHERE access_token = ?", [token["access_token"]])
        self._insert("tokens", token)

    def token(self, access_token: str) -> Row | None:
        return self._one("SELECT * FROM tokens WHERE access_token = ?", [access_token])

    def revoke_token(self, access_token: str, now_ms: int) -> None:
        self._update("tokens", "access_token", access_token, {"revoked_ms": now_ms})

    def save_auth_code(self, code: Row) -> None:
        self._insert("auth_codes", code)

    def auth_code(self, auth_code: str) -> Row | None:
        return self._one("SELECT * FROM auth_codes WHERE auth_code = ?", [auth_code])

    def use_auth_code(self, auth_code: str, now_ms: int) -> None:
        self._update("auth_codes", "auth_code", auth_code, {"used_ms": now_ms})

    # -- campaigns and their creators -------------------------------------------------------

    def insert_campaign(self, campaign: Row) -> None:
        self._insert("campaigns", campaign)

    def update_campaign(self, campaign_id: str, values: Row) -> None:
        self._update("campaigns", "campaign_id", campaign_id, values)

    def campaign(self, campaign_id: str) -> Row | None:
        return self._one("SELECT * FROM campaigns WHERE campaign_id = ?", [campaign_id])

    def campaign_by_invite_token(self, invite_token: str) -> Row | None:
        return self._one("SELECT * FROM campaigns WHERE invite_token = ?", [invite_token])

    def campaign_by_code(self, campaign_code: str) -> Row | None:
        return self._one("SELECT * FROM campaigns WHERE campaign_code = ?", [campaign_code])

    def campaigns_page(
        self,
        account_id: str,
        campaign_ids: list[str],
        campaign_type: str | None,
        hidden_channel: str | None,
        offset: int,
        limit: int,
        order: str = "oldest_first",
    ) -> tuple[list[Row], int]:
        where, params = "FROM campaigns WHERE account_id = ?", [account_id]
        if campaign_ids:
            where += f" AND campaign_id IN ({_marks(campaign_ids)})"
            params += campaign_ids
        if campaign_type:
            where += " AND campaign_type = ?"
            params.append(campaign_type)
        if hidden_channel:
            where += " AND channel_type != ?"
            params.append(hidden_channel)
        return self._page("SELECT *", where, CAMPAIGN_ORDERS[order], params, offset, limit)

    def campaigns(self, account_id: str | None = None) -> list[Row]:
        if account_id:
            sql = "SELECT * FROM campaigns WHERE account_id = ? ORDER BY create_ms, rowid"
            return self._all(sql, [account_id])
        return self._all("SELECT * FROM campaigns ORDER BY create_ms, rowid")

    def campaign_counts(self) -> dict[str, int]:
        rows = self._all("SELECT account_id, COUNT(*) AS n FROM campaigns GROUP BY account_id")
        return {row["account_id"]: row["n"] for row in rows}

    def save_campaign_creator(
        self, campaign_id: str, handle: str, now_ms: int, invited: bool, order_id: str | None = None
    ) -> None:
        self._exec(
            "INSERT INTO campaign_creators (campaign_id, handle, invited, order_id, invite_ms)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (campaign_id, handle) DO UPDATE SET"
            " invited = MAX(invited, excluded.invited),"
            " order_id = COALESCE(order_id, excluded.order_id)",
            [campaign_id, handle, int(invited), order_id, now_ms],
        )

    def uninvite_except(self, campaign_id: str, handles: list[str]) -> None:
        keep = f" AND handle NOT IN ({_marks(handles)})" if handles else ""
        self._exec(
            f"UPDATE campaign_creators SET invited = 0 WHERE campaign_id = ?{keep}",  # noqa: S608
            [campaign_id, *handles],
        )

    def campaign_creator(self, campaign_id: str, handle: str) -> Row | None:
        return self._one(
            "SELECT * FROM campaign_creators WHERE campaign_id = ? AND handle = ?",
            [campaign_id, handle],
        )

    def campaign_creators(self, campaign_id: str, invited_only: bool = False) -> list[Row]:
        extra = " AND invited = 1" if invited_only else ""
        return self._all(
            f"SELECT * FROM campaign_creators WHERE campaign_id = ?{extra}"  # noqa: S608
            " ORDER BY invite_ms, rowid",
            [campaign_id],
        )

    def campaign_orders(self, campaign_id: str, handles: list[str] | None = None) -> list[Row]:
        where, params = "WHERE campaign_id = ? AND order_id IS NOT NULL", [campaign_id]
        if handles is not None:
            where += f" AND handle IN ({_marks(handles)})"
            params += handles
        return self._all(
            f"SELECT * FROM campaign_creators {where} ORDER BY invite_ms, rowid",  # noqa: S608
            params,
        )

    def orders_by_ids(self, account_id: str, order_ids: list[str]) -> list[Row]:
        where = f"c.account_id = ? AND cc.order_id IN ({_marks(order_ids)})"
        tables = "campaign_creators cc JOIN campaigns c USING (campaign_id)"
        sql = f"SELECT cc.* FROM {tables} WHERE {where} ORDER BY cc.invite_ms, cc.rowid"  # noqa: S608
        return self._all(sql, [account_id, *order_ids])

    def mark_joined(self, campaign_id: str, handle: str, now_ms: int) -> None:
        self._exec(
            "UPDATE campaign_creators SET joined_ms = COALESCE(joined_ms, ?)"
            " WHERE campaign_id = ? AND handle = ?",
            [now_ms, campaign_id, handle],
        )

    def count_joined(self, campaign_id: str) -> int:
        sql = "SELECT COUNT(*) FROM campaign_creators WHERE campaign_id = ? AND joined_ms > 0"
        return self._scalar(sql, [campaign_id])

    # -- videos -----------------------------------------------------------------------------

    def insert_video(self, video: Row) -> None:
        self._insert("videos", video)

    def update_video(self, video_id: str, values: Row) -> None:
        self._update("videos", "video_id", video_id, values)

    def video(self, video_id: str) -> Row | None:
        return self._one("SELECT * FROM videos WHERE video_id = ?", [video_id])

    def latest_video_ms(self, handle: str) -> int | None:
        row = self._one("SELECT MAX(create_ms) AS latest FROM videos WHERE handle = ?", [handle])
        return row["latest"] if row else None

    def public_videos(
        self, handle: str, now_ms: int, before_ms: int | None, video_ids: list[str], limit: int
    ) -> list[Row]:
        """Newest first; taken-down videos are gone from TikTok."""
        where = "WHERE handle = ? AND (takedown_ms IS NULL OR takedown_ms > ?)"
        params: list[Any] = [handle, now_ms]
        if before_ms:
            where += " AND create_ms < ?"
            params.append(before_ms)
        if video_ids:
            where += f" AND video_id IN ({_marks(video_ids)})"
            params += video_ids
        return self._all(
            f"SELECT * FROM videos {where} ORDER BY create_ms DESC LIMIT ?",  # noqa: S608
            [*params, limit],
        )

    def count_public_videos(self, handle: str, now_ms: int) -> int:
        sql = (
            "SELECT COUNT(*) FROM videos"
            " WHERE handle = ? AND (takedown_ms IS NULL OR takedown_ms > ?)"
        )
        return self._scalar(sql, [handle, now_ms])

    def count_posts(self, campaign_id: str, handle: str, vias: Iterable[str]) -> int:
        vias = list(vias)
        sql = f"SELECT COUNT(*) FROM videos WHERE campaign_id = ? AND handle = ? AND linked_via IN ({_marks(vias)})"  # noqa: S608,E501
        return self._scalar(sql, [campaign_id, handle, *vias])

    def campaign_video_ids(
        self, campaign_id: str, created_before_ms: int, handle: str | None = None
    ) -> list[str]:
        where, params = "WHERE campaign_id = ? AND create_ms <= ?", [campaign_id, created_before_ms]
        if handle:
            where += " AND handle = ?"
            params.append(handle)
        rows = self._all(
            f"SELECT video_id FROM videos {where} ORDER BY create_ms, rowid",  # noqa: S608
            params,
        )
        return [row["video_id"] for row in rows]

    def reported_videos(
        self, campaign_id: str, created_from_ms: int, created_to_ms: int, offset: int, limit: int
    ) -> tuple[list[Row], int]:
        return self._page(
            "SELECT *",
            "FROM videos WHERE campaign_id = ? AND create_ms > ? AND create_ms <= ?",
            "ORDER BY create_ms, rowid",
            [campaign_id, created_from_ms, created_to_ms],
            offset,
            limit,
        )

    def order_videos(
        self,
        account_id: str,
        order_ids: list[str],
        created_from_ms: int,
        created_to_ms: int,
        offset: int,
        limit: int,
    ) -> tuple[list[Row], int]:
        """The account's orders' videos (an order = one creator of a code's campaign object),
        each with its `order_id`, oldest first."""
        where = (
            "FROM campaign_creators cc JOIN campaigns c ON c.campaign_id = cc.campaign_id"
            " JOIN videos v ON v.campaign_id = cc.campaign_id AND v.handle = cc.handle"
            f" WHERE c.account_id = ? AND cc.order_id IN ({_marks(order_ids)})"
            " AND v.create_ms > ? AND v.create_ms <= ?"
        )
        return self._page(
            "SELECT v.*, cc.order_id",
            where,
            "ORDER BY v.create_ms, v.rowid",
            [account_id, *order_ids, created_from_ms, created_to_ms],
            offset,
            limit,
        )

    def videos(self, handle: str | None = None) -> list[Row]:
        if handle:
            sql = "SELECT * FROM videos WHERE handle = ? ORDER BY create_ms, rowid"
            return self._all(sql, [handle])
        return self._all("SELECT * FROM videos ORDER BY create_ms, rowid")

    def takedowns_between(self, after_ms: int, until_ms: int) -> list[str]:
        rows = self._all(
            "SELECT video_id FROM videos WHERE takedown_ms > ? AND takedown_ms <= ?"
            " ORDER BY takedown_ms, rowid",
            [after_ms, until_ms],
        )
        return [row["video_id"] for row in rows]

    # -- linking requests -------------------------------------------------------------------

    def insert_link_request(self, link_request: Row) -> None:
        self._insert("link_requests", link_request)

    def update_link_request(self, link_request_id: str, values: Row) -> None:
        self._update("link_requests", "link_request_id", link_request_id, values)

    def link_request(self, link_request_id: str) -> Row | None:
        return self._one("SELECT * FROM link_requests WHERE link_request_id = ?", [link_request_id])

    def link_request_for(self, campaign_id: str, video_id: str) -> Row | None:
        return self._one(
            "SELECT * FROM link_requests WHERE campaign_id = ? AND video_id = ?",
            [campaign_id, video_id],
        )

    def link_requests_page(
        self,
        account_id: str,
        campaign_ids: list[str],
        handles: list[str],
        campaign_type: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Row], int]:
        where = (
            "FROM link_requests lr JOIN campaigns c USING (campaign_id)"
            " JOIN videos v USING (video_id) WHERE c.account_id = ?"
        )
        params: list[Any] = [account_id]
        for column, values in (("lr.campaign_id", campaign_ids), ("v.handle", handles)):
            if values:
                where += f" AND {column} IN ({_marks(values)})"
                params += values
        if campaign_type:
            where += " AND c.campaign_type = ?"
            params.append(campaign_type)
        return self._page(
            "SELECT lr.*, c.campaign_type, v.handle",
            where,
            "ORDER BY lr.create_ms, lr.rowid",
            params,
            offset,
            limit,
        )

    def link_requests(self, video_id: str | None = None) -> list[Row]:
        if video_id:
            sql = "SELECT * FROM link_requests WHERE video_id = ? ORDER BY create_ms, rowid"
            return self._all(sql, [video_id])
        return self._all("SELECT * FROM link_requests ORDER BY create_ms, rowid")

    # -- subscriptions ----------------------------------------------------------------------

    def insert_subscription(self, subscription: Row) -> None:
        self._insert("subscriptions", subscription)

    def subscription(self, subscription_id: str) -> Row | None:
        return self._one("SELECT * FROM subscriptions WHERE subscription_id = ?", [subscription_id])

    def delete_subscription(self, subscription_id: str) -> None:
        self._exec("DELETE FROM subscriptions WHERE subscription_id = ?", [subscription_id])

    def subscriptions_page(
        self, app_id: str, entity: str | None, offset: int, limit: int
    ) -> tuple[list[Row], int]:
        where, params = "FROM subscriptions WHERE app_id = ?", [app_id]
        if entity:
            where += " AND subscribe_entity = ?"
            params.append(entity)
        return self._page("SELECT *", where, "ORDER BY create_ms, rowid", params, offset, limit)

    def subscriptions_for(self, account_id: str, entity: str) -> list[Row]:
        return self._all(
            "SELECT * FROM subscriptions WHERE account_id = ? AND subscribe_entity = ?"
            " ORDER BY create_ms, rowid",
            [account_id, entity],
        )


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values) or "NULL"


def _encode(values: Row) -> Row:
    return {k: json.dumps(v) if k in JSON_COLUMNS else v for k, v in values.items()}


def _decode(row: sqlite3.Row) -> Row:
    return {k: json.loads(row[k]) if k in JSON_COLUMNS else row[k] for k in row.keys()}  # noqa: SIM118


def _temp_file() -> str:
    handle, path = tempfile.mkstemp(prefix="tiktok_sandbox_", suffix=".sqlite3")
    os.close(handle)
    return path


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
