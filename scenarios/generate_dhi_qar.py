"""Regenerate the Dhi Qar 2010 demo package (scenarios/dhi-qar-2010) byte for byte.

    python scenarios/generate_dhi_qar.py [--out scenarios/dhi-qar-2010] [--seed 2010]

The package is built by `pollguard.core.synthetic.dhi_qar.build` (deterministic for a
seed) and written by `pollguard.core.package.write_package`; scenarios/README.md says
what in it is real, estimated and synthetic.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pollguard.core.package import write_package
from pollguard.core.synthetic import dhi_qar

DEFAULT_OUT = Path(__file__).resolve().parent / "dhi-qar-2010"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="package folder")
    parser.add_argument("--seed", type=int, default=dhi_qar.DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    pkg = dhi_qar.build(args.seed)
    write_package(pkg, args.out, comment=dhi_qar.COMMENT)
    print(
        f"{args.out}: {len(pkg.centers)} centers, {len(pkg.stations)} stations, "
        f"{len(pkg.units)} units, {len(pkg.personnel)} personnel"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
