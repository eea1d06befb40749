"""One module per `pollguard` subcommand: `register(subparsers)` sets `run` as the default."""
