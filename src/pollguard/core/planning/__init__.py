"""Planning engine: cordon deployment, EOD/K9 sweep routing and dispatch suggestions."""
