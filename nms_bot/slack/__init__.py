"""Slack adapter: Bolt app, listeners per Slack surface, HTTP and Socket Mode servers."""
