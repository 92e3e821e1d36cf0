"""Brand admin: incidents (war room), team, responses, moderation."""
