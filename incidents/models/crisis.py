"""Crisis-work models: incidents, timeline, team, tasks, responses, moderation, drills, plans."""
