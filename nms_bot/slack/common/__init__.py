"""What every Slack floor uses: settings, metrics, logs, retries, limits, reconnects, surfaces."""
