"""Early-warning tasks: scoring, detector sweeps, webhook deliveries."""
