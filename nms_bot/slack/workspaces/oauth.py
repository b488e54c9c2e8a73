"""Many-workspaces (OAuth) mode's wiring: Bolt's OAuth flow over our stores, and review reminders
sent through whichever installed workspace knows the owner."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ...storage.store import Store
from ..common.settings import token_sealer
from .installations import DatabaseInstallationStore, DatabaseOAuthStateStore

# The bot scopes of manifest.yml (a test keeps the two the same): what an installation grants.
BOT_SCOPES = (
    "app_mentions:read",
    "assistant:write",
    "channels:history",
    "chat:write",
    "commands",
    "groups:history",
    "im:history",
    "im:read",
    "im:write",
)
INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"


def oauth_options(oauth: Any, store: Store, client: WebClient, logger: logging.Logger) -> dict[str, Any]:
    """Bolt App arguments for many-workspaces mode: the OAuth flow at /slack/install and
    /slack/oauth_redirect, our stores, token rotation, and an authorize step that checks a token
    with auth.test once per process (Bolt's default calls it on every request, before the ack).
    TokenKeyError if NMS_TOKEN_KEY cannot open the tokens already stored."""
    from slack_bolt.authorization.authorize import InstallationStoreAuthorize
    from slack_bolt.oauth.oauth_settings import OAuthSettings

    installations = DatabaseInstallationStore(store, oauth.client_id, token_sealer(oauth.token_key))
    installations.check_key()
    settings = OAuthSettings(
        client_id=oauth.client_id,
        client_secret=oauth.client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=oauth.redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installations,
        state_store=DatabaseOAuthStateStore(store),
        token_rotation_expiration_minutes=120,
        logger=logger,
    )
    authorize = InstallationStoreAuthorize(
        logger=logger,
        installation_store=installations,
        client_id=oauth.client_id,
        client_secret=oauth.client_secret,
        cache_enabled=True,
        client=client,
    )
    return {"oauth_settings": settings, "authorize": authorize, "installation_store": installations}


class EveryWorkspace:
    """Review reminders in OAuth mode: an owner's Slack id belongs to one of the installed
    workspaces, so the DM is tried through each workspace's bot until one reaches the owner."""

    NOT_HERE = frozenset(
        {
            "channel_not_found",
            "user_not_found",
            "user_disabled",
            "invalid_auth",
            "account_inactive",
            "token_revoked",
            "not_authed",
        }
    )

    def __init__(self, installations: DatabaseInstallationStore, client: WebClient):
        self.installations, self.client = installations, client

    def chat_postMessage(self, *, channel: str, **kwargs: Any) -> Any:
        last: SlackApiError | None = None
        for token in self.installations.bot_tokens():
            try:
                return self.client.chat_postMessage(token=token, channel=channel, **kwargs)
            except SlackApiError as exc:
                if exc.response.get("error") not in self.NOT_HERE:
                    raise
                last = exc
        if last is not None:
            raise last
        raise SlackApiError("no workspace is installed", {"ok": False, "error": "not_installed"})
