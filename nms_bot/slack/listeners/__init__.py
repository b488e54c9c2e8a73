"""One module per Slack surface, each with `register(app, services)`."""

from __future__ import annotations

from slack_bolt import App

from ..delivery.services import Services
from . import actions, assistant, commands, escalation, events, readers, shortcuts, threads, views


def register_all(app: App, services: Services) -> None:
    for module in (events, threads, assistant, commands, actions, escalation, shortcuts, views, readers):
        module.register(app, services)
