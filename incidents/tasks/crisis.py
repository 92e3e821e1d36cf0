"""Crisis-work tasks: reminders, escalations, status-update cadence."""
