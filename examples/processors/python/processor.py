#!/usr/bin/env python3
"""A shardpipe record processor in Python, standard library only.

shardpipe starts one copy of this program per shard and talks to it in JSON Lines: each line
on stdin is a message with an "action", and each message gets exactly one line back on stdout,
{"action":"status","responseFor":"<action>"}. Write logs to stderr: stdout is for replies only.

This sample appends every record it handles, as one JSON line, to the file named by
OUTPUT_FILE (default ./processed.jsonl, relative to the pipe file's folder), and reports as
failed every record whose data is not JSON, so that shardpipe retries it (and, once the pipe's
retry policy gives up, sends it to the dead letters).
"""

import base64
import json
import os
import sys

OUTPUT_FILE = os.environ.get("OUTPUT_FILE", "./processed.jsonl")
shard_id = os.environ.get("SHARDPIPE_SHARD_ID", "unknown shard")


def log(message):
    print(f"processor.py [{shard_id}]: {message}", file=sys.stderr, flush=True)


def reply(action, **extra):
    sys.stdout.write(json.dumps({"action": "status", "responseFor": action, **extra}) + "\n")
    sys.stdout.flush()  # a reply that sits in a buffer is a reply shardpipe never gets


def decode_data(record):
    """The record's data, decoded.

    With the default data_encoding (base64) the envelope carries the record's bytes in base64;
    this sample expects them to be JSON and raises ValueError when they are not.
    """
    return json.loads(base64.b64decode(record["data"], validate=True))


def append_durably(text):
    """Appends text and makes it durable before the batch is acknowledged: once the reply says
    a record was handled, shardpipe may checkpoint past it."""
    with open(OUTPUT_FILE, "a", encoding="utf-8") as output:
        output.write(text)
        output.flush()
        os.fsync(output.fileno())


def process_records(records):
    """Handles a batch; returns the batch item failures (records to be retried)."""
    lines = []
    failures = []
    for record in records:
        try:
            decode_data(record)
        except ValueError as error:
            log(f"record {record['eventID']} is not JSON ({error}); reporting it as failed")
            failures.append({"itemIdentifier": record["eventID"]})
            continue
        lines.append(json.dumps(record, separators=(",", ":")) + "\n")
    if lines:
        append_durably("".join(lines))
    return failures


def main():
    global shard_id
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        message = json.loads(line)
        action = message.get("action")
        if action == "initialize":
            shard_id = message["shardId"]
            log(f"initialize: shard {shard_id}, protocol {message['protocolVersion']}")
            reply("initialize")
        elif action == "processRecords":
            failures = process_records(message["records"])
            if failures:
                reply("processRecords", batchItemFailures=failures)
            else:
                reply("processRecords")
        elif action == "shardEnded":
            log("shardEnded: the shard is finished and every record was delivered")
            reply("shardEnded")
        elif action == "leaseLost":
            log("leaseLost: another worker owns the shard now")
            reply("leaseLost")
        elif action == "shutdownRequested":
            log("shutdownRequested: shardpipe is stopping")
            reply("shutdownRequested")
        else:
            # Answer anyway, so that shardpipe and this processor stay in step.
            log(f"unknown action {action}")
            reply(action)
    # shardpipe closes stdin when it no longer needs this processor.
    log("input closed, exiting")


if __name__ == "__main__":
    # An exception ends the program with a non-zero status: that fails the batch in flight, and
    # shardpipe restarts the processor and sends it again.
    main()
