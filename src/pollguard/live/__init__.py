"""Live updates: a change feed in the database that every open page polls."""
