#!/usr/bin/env python3
"""A record processor for tests: behaves, except once, in one chosen way.

Environment:
  STARTS_FILE      appends "<pid> <SHARDPIPE_SHARD_ID>" when it starts
  OUTPUT_FILE      appends the eventID of every record it accepts, one per line
  MISBEHAVE        what to do wrong (see misbehave() below); nothing when unset
  MISBEHAVE_ACTION the action whose reply goes wrong (default processRecords)
  MISBEHAVE_ON     on the how-many-th message of that action, counted per process (default 1)
  MARKER           a file: misbehave only while it does not exist, creating it first, so that
                   the processor goes wrong once however often it is restarted
  CHILD_PID_FILE   for hang_with_child: where the pid of the child it starts is written
  IGNORE_EOF       when set, it does not exit at the end of its input
"""

import json
import os
import signal
import subprocess
import sys
import time

env = os.environ


def append(path, text):
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())


def send(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def reply(action, **extra):
    send(json.dumps({"action": "status", "responseFor": action, **extra}))


def should_misbehave(action, counts):
    if not env.get("MISBEHAVE") or action != env.get("MISBEHAVE_ACTION", "processRecords"):
        return False
    if counts[action] != int(env.get("MISBEHAVE_ON", "1")):
        return False
    marker = env.get("MARKER")
    if marker:
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
    return True


def misbehave(kind, action, message):
    """Returns True when the message was answered (or never will be) by misbehaving."""
    if kind == "crash_exit":
        os._exit(3)
    if kind == "crash_signal":
        os.kill(os.getpid(), signal.SIGSEGV)
    if kind == "hang":
        while True:
            time.sleep(60)
    if kind == "hang_with_child":
        child = subprocess.Popen(["sleep", "300"])
        append(env.get("CHILD_PID_FILE"), f"{child.pid}\n")
        while True:
            time.sleep(60)
    if kind == "not_json":
        send("hello from a processor that prints to stdout")
        return True
    if kind == "wrong_response_for":
        reply("initialize")
        return True
    if kind == "unknown_identifier":
        reply(action, batchItemFailures=[{"itemIdentifier": "no-such-record"}])
        return True
    if kind == "stray_output":
        # The reply and a line nobody asked for, in one write, so both arrive together.
        if action == "processRecords":
            append(env.get("OUTPUT_FILE"), "".join(r["eventID"] + "\n" for r in message["records"]))
        line = json.dumps({"action": "status", "responseFor": action})
        send(line + "\n" + line)
        return True
    if kind == "exit_after_reply":
        answer(action, message)
        sys.exit(0)
    raise SystemExit(f"unknown MISBEHAVE {kind}")


def answer(action, message):
    if action == "processRecords":
        append(env.get("OUTPUT_FILE"), "".join(r["eventID"] + "\n" for r in message["records"]))
    reply(action)


def main():
    append(env.get("STARTS_FILE"), f"{os.getpid()} {env.get('SHARDPIPE_SHARD_ID', '')}\n")
    counts = {}
    for line in sys.stdin.buffer:
        message = json.loads(line)
        action = message["action"]
        counts[action] = counts.get(action, 0) + 1
        if should_misbehave(action, counts) and misbehave(env["MISBEHAVE"], action, message):
            continue
        answer(action, message)
    if env.get("IGNORE_EOF"):
        # A processor that does not exit when its input ends.
        while True:
            time.sleep(60)


main()
