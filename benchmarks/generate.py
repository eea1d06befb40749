"""Write the synthetic planning benchmark packages to disk, in the package format.

    .venv/bin/python benchmarks/generate.py provincial --seed 1 --out /tmp/provincial
    .venv/bin/python benchmarks/generate.py national --seed 1 --out /tmp/national

The packages come from `pollguard.core.synthetic.scaled` (its docstring says how they are
shaped); the same seed gives the same folder byte for byte. `pollguard validate` and
`pollguard plan` read them like any other package.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pollguard.core.package import write_package
from pollguard.core.synthetic import scaled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scale", choices=("provincial", "national"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="package folder to write")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    pkg = scaled.provincial(args.seed) if args.scale == "provincial" else scaled.national(args.seed)
    write_package(
        pkg, args.out, comment=f"synthetic {args.scale} benchmark package, seed {args.seed}"
    )
    print(
        f"{args.out}: {len(pkg.sectors)} sectors, {len(pkg.centers)} centers, "
        f"{len(pkg.units)} units, {sum(u.kind in ('eod', 'k9') for u in pkg.units)} sweep units "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
