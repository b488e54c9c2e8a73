"""Pure core: load and validate knowledge, match a question, render an answer. No Slack."""
