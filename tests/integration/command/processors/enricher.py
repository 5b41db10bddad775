#!/usr/bin/env python3
"""An enrichment processor for tests: answers enrichRecords with each record plus
"enriched": true, except when told to go wrong.

Environment:
  CRASH_MARKER  a file: the second enrichRecords of a process exits with status 3, once (the
                file is created first, so a restarted processor behaves)
  SHORT_REPLY   when set, every reply holds one record fewer than the batch
"""

import json
import os
import sys

env = os.environ


def reply(action, **extra):
    sys.stdout.write(json.dumps({"action": "status", "responseFor": action, **extra}) + "\n")
    sys.stdout.flush()


def crash_now():
    marker = env.get("CRASH_MARKER")
    if not marker:
        return False
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


enrichments = 0
for line in sys.stdin:
    message = json.loads(line)
    action = message["action"]
    if action != "enrichRecords":
        reply(action)
        continue
    enrichments += 1
    if enrichments == 2 and crash_now():
        os._exit(3)
    records = [dict(record, enriched=True) for record in message["records"]]
    if env.get("SHORT_REPLY"):
        records = records[:-1]
    reply(action, records=records)
