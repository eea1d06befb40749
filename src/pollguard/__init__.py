"""pollguard: election security operations (planning, election day, special voting, reports)."""

__version__ = "0.1.0"
