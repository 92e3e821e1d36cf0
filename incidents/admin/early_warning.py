"""Brand admin: mentions, alerts, detector settings, webhook subscriptions."""
