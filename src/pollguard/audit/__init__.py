"""The audit trail: who did what, when, before and after; every entry hash-chained and signed."""
