"""Benchmark: validating a national-size election package (design.md section 7).

    .venv/bin/python benchmarks/bench_validate.py [--seed 1] [--repeat 3] [--write]

Writes, in a temporary folder, a package of 18 governorates' worth of data: 108 police
sectors, 10,000 polling centers with ~50,000 stations (stations.csv), 20,000 units and a
personnel roster, generated here with a seeded generator (made-up numbers; shapes follow
docs/domain-facts.md) and written with `write_package`. It then times `validate_package`
on three variants: the package without a roster, with a 200,000-person roster, and with
centers and units as .xlsx instead of .csv. With `--write` it replaces the
`bench:validate` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
import time as clock
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import openpyxl

from _report import machine, write_section
from pollguard.core.model import (
    PACKAGE_FORMAT_VERSION,
    Agency,
    Center,
    District,
    Election,
    ElectionPackage,
    Person,
    Policy,
    RolePolicy,
    Sector,
    Station,
    SweepPolicy,
    Unit,
    UnitKind,
)
from pollguard.core.package import validate_package, write_package

ROOT = Path(__file__).resolve().parent.parent
BAGHDAD = timezone(timedelta(hours=3))
GOVERNORATES = 18
SECTORS_PER_GOVERNORATE = 6
FIRST_NAMES = ("أحمد", "محمد", "علي", "حسين", "حسن", "عباس", "كاظم", "جاسم", "مصطفى", "حيدر")
FAMILY_NAMES = ("الموسوي", "الحسيني", "الجبوري", "العبيدي", "الساعدي", "الربيعي", "المالكي")
CORDON_KINDS = (UnitKind.POLICE, UnitKind.POLICE, UnitKind.POLICE, UnitKind.ARMY, UnitKind.TRAFFIC)


def national_package(seed: int, n_centers: int, n_units: int, n_people: int) -> ElectionPackage:
    """A valid package of the given size; seeded, so every run measures the same files."""
    rng = random.Random(seed)
    sectors: list[Sector] = []
    districts: list[District] = []
    towns: list[tuple[str, float, float]] = []
    for g in range(1, GOVERNORATES + 1):
        lat0, lon0 = rng.uniform(29.5, 36.5), rng.uniform(39.5, 47.5)
        for s in range(1, SECTORS_PER_GOVERNORATE + 1):
            code = f"G{g:02d}-S{s}"
            sectors.append(Sector(code, f"Sector {s} of governorate {g}", f"القاطع {s} - {g}"))
            districts.append(District(f"D-{code}", f"District {code}", f"قضاء {code}"))
            towns.append((code, lat0 + rng.uniform(-0.6, 0.6), lon0 + rng.uniform(-0.6, 0.6)))
    centers: list[Center] = []
    stations: list[Station] = []
    for i in range(1, n_centers + 1):
        sector, lat, lon = rng.choice(towns)
        code = f"C-{i:05d}"
        n_stations = rng.randint(1, 9)
        voters = [rng.randint(300, 600) for _ in range(n_stations)]
        centers.append(
            Center(
                code=code,
                name_en=f"School {i}",
                name_ar=f"مدرسة رقم {i}",
                sector=sector,
                lat=round(lat + rng.gauss(0, 0.08), 5),
                lon=round(lon + rng.gauss(0, 0.08), 5),
                stations=n_stations,
                voters=sum(voters),
                risk=round(rng.random(), 2) if rng.random() < 0.1 else None,
                district=f"D-{sector}",
            )
        )
        stations += [Station(f"{code}-{n}", code, n, v) for n, v in enumerate(voters, start=1)]
    units: list[Unit] = []
    for i in range(1, n_units + 1):
        sector, lat, lon = rng.choice(towns)
        kind = UnitKind.EOD if i % 100 == 0 else rng.choice(CORDON_KINDS)
        headcount = rng.randint(4, 40)
        units.append(
            Unit(
                code=f"U-{i:05d}",
                agency="IA" if kind is UnitKind.ARMY else "IP",
                kind=kind,
                headcount=headcount,
                sector=None if rng.random() < 0.05 else sector,
                lat=round(lat + rng.gauss(0, 0.05), 5),
                lon=round(lon + rng.gauss(0, 0.05), 5),
                name_ar=f"وحدة {i}",
                team_size=4 if headcount >= 8 else None,
            )
        )
    personnel = tuple(
        Person(
            f"P-{i:06d}",
            f"{rng.choice(FIRST_NAMES)} {rng.choice(FIRST_NAMES)} {rng.choice(FAMILY_NAMES)}",
            units[rng.randrange(len(units))].code,
        )
        for i in range(1, n_people + 1)
    )
    window = datetime(2010, 3, 6, 6, tzinfo=BAGHDAD)
    return ElectionPackage(
        version=PACKAGE_FORMAT_VERSION,
        election=Election(
            code="bench-national",
            name_en="Synthetic national election (benchmark)",
            name_ar="انتخابات وطنية اصطناعية (قياس الأداء)",
            governorate_code="IQ",
            governorate_en="Iraq",
            governorate_ar="العراق",
            timezone="Asia/Baghdad",
            special_vote_date=date(2010, 3, 4),
            general_vote_date=date(2010, 3, 7),
            polls_open=time(7),
            polls_close=time(17),
        ),
        policy=Policy(
            roles={
                "inner_cordon": RolePolicy(frozenset({UnitKind.POLICE}), 4, 2, 0.5, 3),
                "outer_cordon": RolePolicy(frozenset({UnitKind.ARMY, UnitKind.POLICE}), 8),
            },
            sweep=SweepPolicy(window, window + timedelta(hours=12)),
        ),
        agencies=(Agency("IP", "Police", "الشرطة"), Agency("IA", "Army", "الجيش")),
        sectors=tuple(sectors),
        centers=tuple(centers),
        units=tuple(units),
        districts=tuple(districts),
        stations=tuple(stations),
        personnel=personnel,
    )


def csv_to_xlsx(folder: Path, name: str) -> None:
    """Replace `name.csv` by a workbook holding the same cells (numbers as numbers)."""
    import csv

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.reader(f)):
            sheet.append(row if i == 0 else [_typed(cell) for cell in row])
    workbook.save(folder / f"{name}.xlsx")
    (folder / f"{name}.csv").unlink()


def _typed(cell: str) -> object:
    try:
        return float(cell) if "." in cell else int(cell)
    except ValueError:
        return cell


def time_validation(folder: Path, repeat: int) -> tuple[float, float, int]:
    """Median and best seconds of `validate_package`, and the number of problems."""
    seconds = []
    problems = 0
    for _ in range(repeat):
        start = clock.perf_counter()
        problems = len(validate_package(folder))
        seconds.append(clock.perf_counter() - start)
    return statistics.median(seconds), min(seconds), problems


def load() -> str:
    try:
        return subprocess.run(
            ["uptime"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--centers", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)

    full = national_package(args.seed, args.centers, args.units, args.people)
    core = replace(full, personnel=())
    rows: list[tuple[str, int, float, float, int]] = []
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        variants = {
            "CSV, no roster": core,
            f"CSV + personnel.csv ({args.people:,} rows)": full,
            "centers and units as .xlsx, no roster": core,
        }
        for index, (label, pkg) in enumerate(variants.items()):
            folder = Path(tmp) / f"v{index}"
            write_package(pkg, folder)
            if "xlsx" in label:
                csv_to_xlsx(folder, "centers")
                csv_to_xlsx(folder, "units")
            size = sum(p.stat().st_size for p in folder.iterdir())
            median, best, problems = time_validation(folder, args.repeat)
            if problems:
                print(f"{label}: {problems} problems; the generator is wrong")
                return 1
            rows.append((label, size, median, best, problems))
            print(f"{label:45} {size / 1e6:6.1f} MB  median {median:.2f} s  best {best:.2f} s")
            shutil.rmtree(folder)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    if args.write:
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [
            f"Command: `.venv/bin/python benchmarks/bench_validate.py --seed {args.seed} "
            f"--repeat {args.repeat} --write`  ",
            f"Machine: {machine()}  ",
            f"Date: {now}; load before the run: `{load()}`",
            "",
            f"Instance: {len(full.sectors)} sectors in {GOVERNORATES} governorates, "
            f"{len(full.centers):,} centers, {len(full.stations):,} stations (stations.csv), "
            f"{len(full.units):,} units, {len(full.districts)} districts; generated by "
            "`national_package(seed)` in the script and written with `write_package`. "
            f"Time of `validate_package` (every check, typed objects built), median of "
            f"{args.repeat} runs; peak memory of the whole script {peak_mb:,.0f} MB.",
            "",
            "| Variant | Size on disk | Median | Best |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {label} | {size / 1e6:.1f} MB | {median:.2f} s | {best:.2f} s |"
            for label, size, median, best, _ in rows
        ]
        write_section("validate", "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
