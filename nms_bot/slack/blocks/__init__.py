"""Block Kit builders at the bottom: common parts, answers, help and the App Home, the Ask modal."""
