"""Build the Bolt app: Web API client, start-up token check, listeners, error logging, a 200 for
whatever has no listener."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltError, BoltUnhandledRequestError
from slack_bolt.middleware.authorization import SingleTeamAuthorization
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from .common.retry import Recorder, retry_handlers
from .common.settings import Settings, SettingsError
from .delivery.answering import error_kind
from .delivery.questions import work
from .delivery.services import Services
from .listeners import register_all

log = logging.getLogger("nms_bot.slack")
# auth.test errors that mean the token itself is wrong (anything else is Slack or the network)
TOKEN_ERRORS = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "not_allowed_token_type",
    "no_permission",
    "team_access_not_granted",
    "missing_scope",
}
OUTAGE_ERRORS = {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}


def _client(settings: Settings, logger: logging.Logger | None = None, recorder: Recorder | None = None) -> WebClient:
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url or WebClient.BASE_URL,
        retry_handlers=retry_handlers(recorder),
        timeout=10,
        logger=logger,
    )


def check_token(settings: Settings) -> Any:
    """Call auth.test once and return its answer; raise SettingsError telling a bad token from an
    outage or no network."""
    quiet = logging.getLogger("nms_bot.startup_check")
    quiet.setLevel(logging.CRITICAL)  # the retries' own ERROR lines would precede our one line
    quiet.propagate = False
    try:
        return _client(settings, quiet).auth_test()
    except SlackApiError as exc:
        status = exc.response.status_code
        error = exc.response.get("error", "") if isinstance(exc.response.data, dict) else ""
        if status >= 500 or status == 429 or error in OUTAGE_ERRORS:
            detail = f"HTTP {status}, {error}" if error else f"HTTP {status}"
            raise SettingsError(
                f"Slack's Web API is failing (auth.test: {detail}): this looks like a Slack "
                "outage, not a bad token; try again later"
            ) from None
        if error in TOKEN_ERRORS:
            raise SettingsError(
                f"Slack did not accept SLACK_BOT_TOKEN ({error}): check the token and that the "
                "app is installed in the workspace"
            ) from None
        raise SettingsError(
            f"Slack refused the start-up check (auth.test: HTTP {status}, "
            f"{error or 'no error code'}): check SLACK_BOT_TOKEN and SLACK_API_URL"
        ) from None
    except Exception as exc:
        raise SettingsError(
            f"cannot reach the Slack Web API ({type(exc).__name__}): check the network or SLACK_API_URL"
        ) from None


def build_app(settings: Settings, services: Services) -> App:
    """A Bolt App wired to our listeners; raises SettingsError if Slack cannot check the token
    (one workspace) or NMS_TOKEN_KEY cannot open the stored tokens (many workspaces)."""
    client = _client(settings, recorder=services.metrics)
    options: dict[str, Any] = {}  # for App(): the OAuth flow's (many workspaces), or the token check's
    checked = None
    bolt_log = logging.getLogger("nms_bot.bolt")
    if settings.oauth:
        from .workspaces.oauth import oauth_options  # cryptography is loaded in this mode only

        options = oauth_options(settings.oauth, services.store, client, bolt_log)
        services.installations, services.authorize = options["installation_store"], options["authorize"]
    else:
        checked = check_token(settings)
        # Bolt would call auth.test again to check the same token: it gets our answer instead.
        options["token_verification_enabled"] = False
    level = bolt_log.level
    # Bolt also reads SLACK_BOT_TOKEN itself and warns that our client's token wins: it does.
    bolt_log.setLevel(logging.ERROR)
    try:
        app = App(
            client=client,
            **options,
            signing_secret=settings.signing_secret,
            request_verification_enabled=settings.signing_secret is not None,
            # Listeners run on the request path and only queue work (services.later), so every
            # ack is sent at once; Bolt's own listener pool is never what an ack waits on.
            process_before_response=True,
            # Requests without a listener go to log_error below instead of a 404 and a warning.
            raise_error_for_unhandled_request=True,
            logger=bolt_log,
        )
    except BoltError:  # auth.test passed a moment ago: Slack changed its mind
        raise SettingsError(
            "Slack did not accept SLACK_BOT_TOKEN: check the token and that the app is installed in the workspace"
        ) from None
    except Exception as exc:
        raise SettingsError(
            f"cannot reach the Slack Web API ({type(exc).__name__}): check the network or SLACK_API_URL"
        ) from None
    finally:
        bolt_log.setLevel(level)
    for middleware in app._middleware_list:  # Bolt has no public way to hand it an auth.test answer
        if isinstance(middleware, SingleTeamAuthorization):
            middleware.auth_test_result = checked

    @app.error
    def log_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        if isinstance(error, BoltUnhandledRequestError):
            return acknowledge_unhandled(body)
        # Only the error's kind: payloads may hold question text, messages may hold tokens.
        log.error("listener failed: %s", error_kind(error))
        return None

    register_all(app, services)
    if settings.oauth:
        # app_uninstalled / tokens_revoked: the workspace's tokens are deleted
        app.enable_token_revocation_listeners()
    services.client = client
    # Answer what this or a dead process acknowledged and left in the database, then what comes.
    services.durable.start(lambda taken: work(services, taken))
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
        log.warning(
            "app_rate_limited: Slack is dropping this app's events from workspace %s for a minute "
            "(more than 30,000 in an hour)",
            str(body.get("team_id") or body.get("enterprise_id") or "?")[:40],
        )
    else:
        log.debug("acknowledged %s (no listener)", kind[:60])
    return BoltResponse(status=200, body="")
