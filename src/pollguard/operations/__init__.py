"""Election-day operations: incidents, dispatch, escalation and outside-force requests."""
