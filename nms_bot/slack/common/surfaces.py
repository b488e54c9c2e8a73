"""Where a question can reach the bot; answers, buttons, statistics and metrics name these."""

SURFACES = ("mention", "dm", "command", "shortcut", "followup")
