"""Accounts: roles, profiles (sector, agency, center, language), API tokens, login throttling."""
