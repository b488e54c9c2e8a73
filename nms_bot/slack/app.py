"""Build the Bolt app: Web API client, listeners, error logging, a 200 for whatever has no listener."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltError, BoltUnhandledRequestError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from .listeners import register_all
from .services import Services
from .settings import Settings, SettingsError

log = logging.getLogger("nms_bot.slack")


def build_app(settings: Settings, services: Services) -> App:
    """A Bolt App wired to our listeners; raises SettingsError if Slack rejects the token."""
    client = WebClient(
        token=settings.bot_token,
        base_url=settings.api_url or WebClient.BASE_URL,
        # Connection errors, and 429s retried after Retry-After: a burst of questions in one
        # channel can meet Slack's one-message-per-second limit more than once.
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=3)],
        timeout=10,
    )
    bolt_log = logging.getLogger("nms_bot.bolt")
    level = bolt_log.level
    # Bolt also reads SLACK_BOT_TOKEN itself and warns that our client's token wins: it does.
    bolt_log.setLevel(logging.ERROR)
    try:
        app = App(
            client=client,
            signing_secret=settings.signing_secret,
            request_verification_enabled=settings.signing_secret is not None,
            process_before_response=False,  # ack first, answer in Bolt's worker threads
            # Requests without a listener go to log_error below instead of a 404 and a warning.
            raise_error_for_unhandled_request=True,
            logger=bolt_log,
        )
    except BoltError as exc:
        found = re.search(r"'error': '([a-z_]+)'", str(exc))
        raise SettingsError(f"Slack did not accept SLACK_BOT_TOKEN ({found.group(1) if found else 'rejected'}): "
                            "check the token and that the app is installed in the workspace") from None
    except Exception as exc:
        raise SettingsError(f"cannot reach the Slack Web API ({type(exc).__name__}): check the network "
                            "or SLACK_API_URL") from None
    finally:
        bolt_log.setLevel(level)

    @app.error
    def log_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        if isinstance(error, BoltUnhandledRequestError):
            return acknowledge_unhandled(body)
        # Only the error's kind: payloads may hold question text, messages may hold tokens.
        if isinstance(error, SlackApiError):
            log.error("Slack API call failed: %s", error.response.get("error", "unknown"))
        else:
            log.error("listener failed: %s", type(error).__name__)
        return None

    register_all(app, services)
    return app


def acknowledge_unhandled(body: dict[str, Any]) -> BoltResponse:
    """200 for a signed request no listener wants (reactions, joins, uninstalls, ...).

    Slack retries what is not acknowledged and disables the event subscriptions of an app whose
    deliveries keep failing; an event type subscribed to later just gets a listener.
    """
    kind = str(body.get("type") or "")
    event = body.get("event")
    if isinstance(event, dict) and event.get("type"):
        kind = str(event["type"])
    if kind == "app_rate_limited":
        log.warning("app_rate_limited: Slack is dropping this app's events from workspace %s for a minute "
                    "(more than 30,000 in an hour)",
                    str(body.get("team_id") or body.get("enterprise_id") or "?")[:40])
    else:
        log.debug("acknowledged %s (no listener)", kind[:60])
    return BoltResponse(status=200, body="")
