#!/usr/bin/env python3
"""One Markdown table from the RESULT lines of the throughput scripts and latency.sh.

    python3 bench/results_table.py RESULTS_FILE

A RESULT line is `RESULT key=value …` with source, reader and kind (throughput or latency);
throughput lines have records, seconds, bytes, cpu_s, rss_kib (and run when the script ran its
readers more than once); latency lines have records, rate, seconds, shards, records_per_file,
p50_ms, p99_ms, max_ms, producer_behind. Other lines are ignored. Prints the table (a row per
reader per source, "—" where not measured) and a line per latency run under it.
"""
import sys

# Per source: its title and its readers in order, each (reader id, name, ceiling, JS reader):
# the rows its ratios compare to (records/s of the row ÷ records/s of that row).
SOURCES = [
    ("local", "local log", [
        ("cat_input", "cat of the input + sync (disk ceiling)", "cat_input", None),
        ("log_put", "shardpipe log put", "cat_input", None),
        ("cat_output", "cat of the envelopes + sync (disk ceiling)", "cat_output", None),
        ("shardpipe", "shardpipe local → file", "cat_output", None),
    ]),
    ("kinesis", "Kinesis (kinesalite)", [
        ("ceiling", "raw GetRecords loop, counting only (ceiling)", "ceiling", None),
        ("js_sdk", "JS SDK reader → file", "ceiling", "js_sdk"),
        ("shardpipe", "shardpipe kinesis → file", "ceiling", "js_sdk"),
    ]),
    ("dynamodb", "DynamoDB Streams (DynamoDB Local)", [
        ("ceiling", "plain-HTTP GetRecords, counting only (ceiling)", "ceiling", None),
        ("js_sdk", "JS SDK reader → file", "ceiling", "js_sdk"),
        ("shardpipe_json", "shardpipe dynamodb_streams → file (json)", "ceiling", "js_sdk"),
        ("shardpipe_base64", "shardpipe dynamodb_streams → file (base64)", "ceiling", "js_sdk"),
    ]),
    ("kafka", "Kafka (librdkafka mock cluster)", [
        ("kcat", "kcat -C -e → file (ceiling)", "kcat", None),
        ("kcat_group", "kcat -G -e, consumer group → file", "kcat", "kafkajs"),
        ("kcat_envelope", "kcat -G -e, shardpipe's envelope by -f → file", "kcat", "kafkajs"),
        ("kafkajs", "kafkajs consumer group → file", "kcat", "kafkajs"),
        ("shardpipe", "shardpipe kafka → file", "kcat", "kafkajs"),
    ]),
]
DASH = "—"


def parse(path):
    throughput, latency = {}, {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if not line.startswith("RESULT "):
                continue
            fields = dict(f.split("=", 1) for f in line.split()[1:] if "=" in f)
            key = (fields["source"], fields["reader"])
            if fields.get("kind") == "latency":
                latency[key] = fields
            else:
                throughput.setdefault(key, {})[fields.get("run", "1")] = fields
    return throughput, latency


def rate(fields):
    return float(fields["records"]) / float(fields["seconds"])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    throughput, latency = parse(sys.argv[1])
    print("| source | reader | records | seconds | records/s | MB/s | CPU s per M records"
          " | peak RSS MiB | p50 ms | p99 ms | × ceiling | × JS reader |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for source, title, readers in SOURCES:
        for reader, name, ceiling, js in readers:
            runs = throughput.get((source, reader), {})
            lat = latency.get((source, reader))
            if not runs and not lat:
                continue
            p50 = lat["p50_ms"] if lat else DASH
            p99 = lat["p99_ms"] if lat else DASH
            for run, f in sorted(runs.items()) or [(None, None)]:
                label = name if len(runs) < 2 else f"{name}, run {run}"
                if f is None:
                    print(f"| {title} | {label} | {DASH} | {DASH} | {DASH} | {DASH} | {DASH} | {DASH}"
                          f" | {p50} | {p99} | {DASH} | {DASH} |")
                    continue

                def ratio(base):
                    other = throughput.get((source, base), {}).get(run) if base else None
                    return f"{rate(f) / rate(other):.2f}" if other else DASH

                records = int(f["records"])
                print(f"| {title} | {label} | {records:,} | {float(f['seconds']):.3f}"
                      f" | {rate(f):,.0f} | {int(f['bytes']) / float(f['seconds']) / 1e6:.1f}"
                      f" | {float(f['cpu_s']) / records * 1e6:.2f}"
                      f" | {int(f['rss_kib']) / 1024:.0f} | {p50} | {p99}"
                      f" | {ratio(ceiling)} | {ratio(js)} |")
    print()
    for source, title, _ in SOURCES:
        for (s, reader), f in latency.items():
            if s != source:
                continue
            behind = (" **The producer fell behind its rate: the peer did not keep up, and these"
                      " latencies include its queue.**") if f.get("producer_behind") == "1" else ""
            print(f"- Latency, {title}: {int(f['records']):,} records put at {f['rate']}/s for"
                  f" {f['seconds']} s into {f['shards']} shard(s), records_per_file"
                  f" {f['records_per_file']}: p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms, max"
                  f" {f['max_ms']} ms; every record delivered exactly once.{behind}")


if __name__ == "__main__":
    main()
