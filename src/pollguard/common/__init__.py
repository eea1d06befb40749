"""The bottom layer shared by every app: errors and API pagination. Imports no app."""
