"""Workspaces: Slack installations (tokens sealed in the database) and the OAuth install flow."""
