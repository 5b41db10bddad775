#!/usr/bin/env python3
"""End-to-end latency of the records latency_producer.js put, from a file target's output.

    python3 bench/latency_report.py OUT_DIR COUNT COOL_DOWN

Every record's data holds the token lat-<n>-<put µs>; its delivery time is the modification
time (nanoseconds) of the .jsonl file that holds it. Checks that each n in 0..COUNT-1 is in the
output exactly once, and so are the warm-up record (warm-0-…) and the cool-down records
(tail-<n>-…, n in 0..COOL_DOWN-1, not measured), else prints what is wrong to stderr and exits 1.
Prints one line of key=value pairs: count, p50_ms, p99_ms, max_ms, min_ms (nearest rank), and
rename_ms_p50, the median time from a file's last write (mtime) to its rename (ctime:
Linux sets it on rename), which the mtime does not count.
"""
import collections
import os
import re
import sys

TOKEN = re.compile(rb"(lat|warm|tail)-(\d+)-(\d+)")


def percentile(sorted_values, p):
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    out_dir, expected, cool_down = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    seen = {kind: collections.Counter() for kind in (b"lat", b"warm", b"tail")}
    latencies_us = []
    renames_us = []
    problems = []
    for folder, _, names in os.walk(out_dir):
        for name in names:
            file = os.path.join(folder, name)
            if not name.endswith(".jsonl"):
                problems.append(f"unexpected file {file}")
                continue
            info = os.stat(file)
            delivered_us = info.st_mtime_ns / 1000
            renames_us.append((info.st_ctime_ns - info.st_mtime_ns) / 1000)
            with open(file, "rb") as lines:
                for number, line in enumerate(lines, 1):
                    # An envelope may hold the data twice (a DynamoDB record's image in its
                    # stream form and as plain JSON): one distinct token per line.
                    tokens = {m.groups() for m in TOKEN.finditer(line)}
                    if len(tokens) != 1:
                        problems.append(f"{file}:{number}: {len(tokens)} distinct tokens")
                        continue
                    kind, n, put_us = tokens.pop()
                    seen[kind][int(n)] += 1
                    if kind == b"lat":
                        latencies_us.append(delivered_us - int(put_us))
    for kind, what, count in ((b"lat", "measured", expected), (b"warm", "warm-up", 1),
                              (b"tail", "cool-down", cool_down)):
        missing = [n for n in range(count) if seen[kind][n] == 0]
        twice = sorted(n for n, c in seen[kind].items() if c > 1)
        foreign = sorted(n for n in seen[kind] if not 0 <= n < count)
        if missing:
            problems.append(f"{len(missing)} of {count} {what} records missing, first {missing[:10]}")
        if twice:
            problems.append(f"{len(twice)} {what} records delivered more than once, first {twice[:10]}")
        if foreign:
            problems.append(f"{len(foreign)} {what} records that were not put, first {foreign[:10]}")
    if problems:
        for problem in problems[:20]:
            print(f"latency_report: {problem}", file=sys.stderr)
        sys.exit(1)
    latencies_us.sort()
    renames_us.sort()
    ms = lambda us: f"{us / 1000:.1f}"
    print(
        f"count={len(latencies_us)} p50_ms={ms(percentile(latencies_us, 50))}"
        f" p99_ms={ms(percentile(latencies_us, 99))} max_ms={ms(latencies_us[-1])}"
        f" min_ms={ms(latencies_us[0])} rename_ms_p50={ms(percentile(renames_us, 50))}"
    )


if __name__ == "__main__":
    main()
