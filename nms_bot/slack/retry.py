"""How Web API calls and response_url posts are retried: connection errors, 429s, 5xx."""

from __future__ import annotations

from typing import Any

from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, RetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

SERVER_ERRORS = (500, 502, 503, 504)


class ServerErrors(ServerErrorRetryHandler):
    """slack-sdk's handler retries 500 and 503 only; a proxy in front of Slack adds 502 and 504."""

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        return response is not None and response.status_code in SERVER_ERRORS


def retry_handlers() -> list[RetryHandler]:
    """Bounded retries with backoff; a 429 waits its Retry-After (a burst of answers in one
    channel can meet Slack's one-message-per-second limit more than once)."""
    return [ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrors(max_retry_count=2)]


def within_seconds(client: Any) -> Any:
    """A copy of the Web API client for calls whose trigger expires in 3 s (views.open): one
    quick retry of a dropped connection, no waiting out a 429 or a 5xx."""
    from slack_sdk import WebClient

    return WebClient(token=client.token, base_url=client.base_url, timeout=3,
                     retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)], logger=client.logger)
