#!/usr/bin/env python3
"""A record processor for tests that answers while it is still being fed: it echoes every chunk
of a message, hex-encoded, as soon as it arrives, and closes its reply when the message ends.
A caller that does not read while it writes fills both pipes and deadlocks with it."""

import os
import re
import sys

stdout = sys.stdout.buffer
message_start = None  # the first bytes of the message being read; None between messages

while True:
    chunk = os.read(sys.stdin.fileno(), 65536)
    if not chunk:
        break
    while chunk:
        if message_start is None:
            stdout.write(b'{"echo":"')
            message_start = b""
        end = chunk.find(b"\n")
        part = chunk if end < 0 else chunk[:end]
        message_start += part[: max(0, 64 - len(message_start))]
        stdout.write(part.hex().encode())
        if end >= 0:
            action = re.match(rb'\{"action":"(\w+)"', message_start).group(1)
            stdout.write(b'","action":"status","responseFor":"' + action + b'"}\n')
            message_start = None
            chunk = chunk[end + 1 :]
        else:
            chunk = b""
        stdout.flush()
