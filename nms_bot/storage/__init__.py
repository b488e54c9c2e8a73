"""Storage adapter: the database the Slack app and `nms-bot report` share."""
