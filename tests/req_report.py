"""`make req-report`: for every ID in requirements.md, the passing tests that carry it.

Reads the files the pytest plugin wrote (`reports/req/*.jsonl`, one line per
passing tagged test) and lists the IDs no passing test proves.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ID_LINE = re.compile(r"^- ([A-Z]+-\d+) (.*)$")


def main(requirements: Path, results_dir: Path) -> int:
    ids: dict[str, str] = {}
    for line in requirements.read_text().splitlines():
        match = ID_LINE.match(line)
        if match:
            ids[match.group(1)] = match.group(2)
    proved: dict[str, set[str]] = defaultdict(set)
    for path in sorted(results_dir.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            for req in entry["req"]:
                proved[req].add(entry["test"])
    unknown = sorted(set(proved) - set(ids))
    for req, text in ids.items():
        tests = sorted(proved.get(req, ()))
        mark = f"{len(tests)} passing" if tests else "NONE"
        print(f"{req} [{mark}] {text[:90]}")
        for test in tests:
            print(f"    {test}")
    missing = [req for req in ids if req not in proved]
    print()
    print(f"{len(ids) - len(missing)} of {len(ids)} requirement IDs have a passing tagged test.")
    if missing:
        print("Without a passing test: " + ", ".join(missing))
    if unknown:
        print("Tagged with IDs not in requirements.md: " + ", ".join(unknown))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
