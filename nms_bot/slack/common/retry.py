"""How Web API calls and response_url posts are retried (connection errors, 429s, 5xx), and counted.

slack-sdk asks its retry handlers, in order, about every response (200s too) and every
connection error; the first that can retry does. So each retrying handler counts the attempt it
retries, and a last handler that never retries sees each call's final outcome and counts it.
Bolt copies the handler list into the client it makes for each request, so this also counts the
calls listeners make.
"""

from __future__ import annotations

from typing import Any, Protocol

from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, RetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

SERVER_ERRORS = (500, 502, 503, 504)


class Recorder(Protocol):
    def api_call(self, url: str, status: int | None, body: Any) -> None: ...

    def api_retry(self, url: str, reason: str) -> None: ...


class ServerErrors(ServerErrorRetryHandler):
    """slack-sdk's handler retries 500 and 503 only; a proxy in front of Slack adds 502 and 504."""

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        return response is not None and response.status_code in SERVER_ERRORS


def _counted(base: type[RetryHandler], reason: str) -> type[RetryHandler]:
    class Counted(base):  # type: ignore[valid-type, misc]
        def __init__(self, recorder: Recorder, **kwargs: Any):
            super().__init__(**kwargs)
            self.recorder = recorder

        def prepare_for_next_attempt(
            self, *, state: Any, request: Any, response: Any = None, error: Any = None
        ) -> None:
            self.recorder.api_retry(request.url, reason)
            super().prepare_for_next_attempt(state=state, request=request, response=response, error=error)

    Counted.__name__ = f"Counted{base.__name__}"
    return Counted


CountedConnectionErrors = _counted(ConnectionErrorRetryHandler, "connection_error")
CountedRateLimits = _counted(RateLimitErrorRetryHandler, "rate_limited")
CountedServerErrors = _counted(ServerErrors, "server_error")


class Outcomes(RetryHandler):
    """Asked last, so only about responses no handler retries: counts each call's final outcome."""

    def __init__(self, recorder: Recorder):
        super().__init__(max_retry_count=0)
        self.recorder = recorder

    def can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        if response is None:
            self.recorder.api_call(request.url, None, None)
        else:
            self.recorder.api_call(request.url, response.status_code, response.body)
        return False


def retry_handlers(recorder: Recorder | None = None) -> list[RetryHandler]:
    """Bounded retries with backoff; a 429 waits its Retry-After (a burst of answers in one
    channel can meet Slack's one-message-per-second limit more than once). With a `recorder`
    (the process's Metrics), retries and outcomes are counted."""
    if recorder is None:
        return [
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrors(max_retry_count=2),
        ]
    return [
        CountedConnectionErrors(recorder, max_retry_count=2),
        CountedRateLimits(recorder, max_retry_count=3),
        CountedServerErrors(recorder, max_retry_count=2),
        Outcomes(recorder),
    ]


def within_seconds(client: Any) -> Any:
    """A copy of the Web API client for calls whose trigger expires in 3 s (views.open): one
    quick retry of a dropped connection, no waiting out a 429 or a 5xx."""
    from slack_sdk import WebClient

    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=3,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
        logger=client.logger,
    )
