"""Write or check the committed OpenAPI schema of API v1.

python -m pollguard.web.openapi --write docs/openapi.json
python -m pollguard.web.openapi --check docs/openapi.json   # CI: exit 1 when stale
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path


def schema_text() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pollguard.web.settings")
    import django

    django.setup()
    from pollguard.web.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pollguard.web.openapi")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", metavar="PATH", type=Path)
    group.add_argument("--check", metavar="PATH", type=Path)
    args = parser.parse_args(argv)
    text = schema_text()
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text, encoding="utf-8")
        return 0
    committed = args.check.read_text(encoding="utf-8") if args.check.exists() else ""
    if committed != text:
        fix = f"python -m pollguard.web.openapi --write {args.check}"
        print(f"{args.check} is out of date: run {fix}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
