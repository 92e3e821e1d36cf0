"""Early-warning models: mentions, metrics, detector settings, alerts, webhooks, notifications."""
