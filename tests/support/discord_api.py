"""A loopback stand-in for Discord's REST API (v10), as the support bot uses it: `POST /users/@me/channels`
opens a DM channel, `POST /channels/{id}/messages` posts in it. It checks the bot token and the documented
request shapes, answers with Discord's rate-limit headers, and can answer 429s first to prove the retry."""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_ids = itertools.count(1_100_000_000_000_000_000)
MESSAGES_PATH = re.compile(r"^/api/v10/channels/(\d+)/messages$")


@dataclass
class DiscordStandIn:
    bot_token: str
    # How many requests to POST /channels/{id}/messages are answered 429 before the next succeeds.
    rate_limited_posts: int = 0
    retry_after: float = 0.3
    requests: list[dict[str, Any]] = field(default_factory=list)
    dm_channels: dict[str, str] = field(default_factory=dict)  # user id → channel id
    messages: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, dict]:
        with self.lock:
            self.requests.append({"method": method, "path": path, "headers": headers, "body": body})
            if headers.get("authorization") != f"Bot {self.bot_token}":
                return 401, {}, {"message": "401: Unauthorized", "code": 0}
            if headers.get("content-type", "").split(";")[0] != "application/json":
                return 400, {}, {"message": "Cannot send an empty message", "code": 50006}
            payload = json.loads(body or b"{}")
            if method == "POST" and path == "/api/v10/users/@me/channels":
                recipient = payload.get("recipient_id")
                if not isinstance(recipient, str) or not recipient.isdigit():
                    return 400, {}, {"message": "Invalid Form Body", "code": 50035}
                channel_id = self.dm_channels.setdefault(recipient, str(next(_ids)))
                return 200, {}, {"id": channel_id, "type": 1, "recipients": [{"id": recipient}]}
            match = MESSAGES_PATH.match(path)
            if method == "POST" and match:
                if match.group(1) not in self.dm_channels.values():
                    return 404, {}, {"message": "Unknown Channel", "code": 10003}
                if self.rate_limited_posts > 0:
                    self.rate_limited_posts -= 1
                    headers_out = {
                        "Retry-After": str(max(1, round(self.retry_after))),
                        "X-RateLimit-Limit": "5",
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset-After": str(self.retry_after),
                        "X-RateLimit-Scope": "user",
                    }
                    return 429, headers_out, {
                        "message": "You are being rate limited.", "retry_after": self.retry_after, "global": False,
                    }  # fmt: skip
                content = payload.get("content")
                if not isinstance(content, str) or not content or len(content) > 2000:
                    return 400, {}, {"message": "Invalid Form Body", "code": 50035}
                message = {
                    "id": str(next(_ids)),
                    "channel_id": match.group(1),
                    "content": content,
                    "payload": payload,
                }
                self.messages.append(message)
                return 200, {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "4"}, message
            return 404, {}, {"message": "404: Not Found", "code": 0}

    def sent(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.messages)

    def start(self) -> ThreadingHTTPServer:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                status, extra, payload = stand_in.answer(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}/api/v10"
        return server
