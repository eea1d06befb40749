"""Chain of custody of ballot materials (hand-overs with seals, exceptions)."""
