"""The registry: the election and everything that exists where (geography, centers, units)."""
