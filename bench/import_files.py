"""Writes an import file set at scale for the importer's benchmark (docs/performance.md): by
default 10,000 people, each with a support period, an allocation, two NDT assessments, 50
contacts, two crisis events and an accommodation change (500,000 contacts in all).

    .venv/bin/python bench/import_files.py /tmp/import-bench --people 10000 --contacts 50

Fictional throughout: names are made up, dates spread over three years. The files name the
worker `bench-navigator`, who must be in the team they are imported into (docs/performance.md).
"""

import argparse
import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

FIRST = ["Alex", "Sam", "Jo", "Chris", "Kim", "Lee", "Pat", "Robin", "Toni", "Jess", "Dani", "Ash"]
LAST = ["Hart", "Moss", "Reed", "Field", "Stone", "Wood", "Brook", "Hill", "Lane", "Marsh", "Ford"]
STANDARD = [
    "engagement",
    "intentional_self_harm",
    "unintentional_self_harm",
    "risk_to_others",
    "risk_from_others",
    "stress_anxiety",
    "social_effectiveness",
    "substance_misuse",
    "impulse_control",
    "housing",
]
WORKER = "bench-navigator"
SYLLABLES = ["ba", "ke", "lo", "mi", "nu", "ra", "se", "ti", "vo", "wy", "zu", "de", "fa", "go"]


def surname(n):
    """A made-up surname of its own for each n: people in the file are not each other's
    duplicates (digits would be dropped by the name matching, letters are not)."""
    parts = []
    while True:
        n, i = divmod(n, len(SYLLABLES))
        parts.append(SYLLABLES[i])
        if not n:
            break
    return "".join(parts).capitalize()


def write(folder, name, header, rows):
    with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=50, help="contacts per person")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2026)
    start = date(2023, 4, 1)
    people = range(1, args.people + 1)
    began = {p: start + timedelta(days=rng.randrange(0, 300)) for p in people}

    write(
        args.folder,
        "people",
        ["source_id", "first_name", "last_name", "date_of_birth", "gender", "ethnicity"],
        (
            [
                f"P{p}",
                rng.choice(FIRST),
                f"{rng.choice(LAST)}{surname(p)}",
                date(1960 + p % 40, 1 + p % 12, 1 + p % 28).isoformat(),
                rng.choice(["woman", "man", "not_known"]),
                rng.choice(["white_british", "black_caribbean", "not_known"]),
            ]
            for p in people
        ),
    )
    write(
        args.folder,
        "episodes",
        ["source_id", "person_source_id", "status", "accepted_on", "start_date"],
        ([f"E{p}", f"P{p}", "active", began[p].isoformat(), began[p].isoformat()] for p in people),
    )
    write(
        args.folder,
        "allocations",
        ["source_id", "person_source_id", "episode_source_id", "worker", "kind", "started_at"],
        (
            [f"A{p}", f"P{p}", f"E{p}", WORKER, "lead_navigator", f"{began[p]} 09:00"]
            for p in people
        ),
    )
    write(
        args.folder,
        "assessments",
        ["source_id", "person_source_id", "episode_source_id", "scheme", "scheme_version"]
        + ["assessed_on", "participation", *STANDARD],
        (
            [f"N{p}-{n}", f"P{p}", f"E{p}", "ndt-standard", 1]
            + [(began[p] + timedelta(days=90 * n)).isoformat(), "yes"]
            + [rng.randrange(0, 5) for _ in STANDARD]
            for p in people
            for n in range(2)
        ),
    )
    write(
        args.folder,
        "contacts",
        ["source_id", "person_source_id", "episode_source_id", "author", "occurred_at"]
        + ["kind", "duration_minutes", "summary"],
        (
            [
                f"C{p}-{n}",
                f"P{p}",
                f"E{p}",
                WORKER,
                datetime.combine(began[p] + timedelta(days=7 * n), datetime.min.time())
                .replace(hour=10)
                .isoformat(sep=" "),
                rng.choice(["face_to_face", "phone", "outreach"]),
                rng.choice([15, 30, 45, 60]),
                "Met and talked about the week ahead.",
            ]
            for p in people
            for n in range(args.contacts)
        ),
    )
    write(
        args.folder,
        "events",
        ["source_id", "person_source_id", "episode_source_id", "kind", "occurred_on", "source"],
        (
            [
                f"V{p}-{n}",
                f"P{p}",
                f"E{p}",
                "ae_attendance",
                (began[p] + timedelta(days=30 * n)).isoformat(),
                "self_reported",
            ]
            for p in people
            for n in range(2)
        ),
    )
    write(
        args.folder,
        "accommodation",
        ["source_id", "person_source_id", "status", "from_date"],
        ([f"H{p}", f"P{p}", "hostel", began[p].isoformat()] for p in people),
    )


if __name__ == "__main__":
    main()
