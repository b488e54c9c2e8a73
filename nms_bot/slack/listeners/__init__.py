"""One module per Slack surface, each with `register(app, services)`."""

from __future__ import annotations

from slack_bolt import App

from ..services import Services
from . import actions, commands, events


def register_all(app: App, services: Services) -> None:
    for module in (events, commands, actions):
        module.register(app, services)
