#!/usr/bin/env python3
"""A scripted HTTP server for tests of the http target and the http dead-letter destination.

Usage:
  scripted_http_server.py --port-file FILE --log FILE --script FILE [--port N]
                          [--tls-cert FILE --tls-key FILE]

It listens on 127.0.0.1 (port 0 picks a free port; --port N fixes it, so a test can restart the
server on the same address), writes the port to --port-file once it listens (atomically, by a
rename), and speaks HTTP/1.1 with keep-alive; over TLS with --tls-cert and --tls-key.

Every request becomes one JSON line appended to --log, flushed at once, written when it is
answered:
  {"path", "method", "client_port", "headers": {lower-case name: value}, "body": <the parsed
   JSON, or the text when it is not JSON>, "event_ids": [eventID of each record in the body],
   "status": <the status answered, or null when the connection was dropped>,
   "answer": <the body answered: JSON, or text>}

The script (--script) is a JSON object, read again for every request, so a test changes the
server's behaviour by rewriting it (write another file and rename it over the script). Counters
("statuses", "*_times") start again whenever the script's text changes.

A rule is an object of the keys below. The script itself is the rule for every path, unless
"paths" maps the request's path to its own rule: {"paths": {"/dlq": {"status": 503}}, "status": 200}
answers /dlq with 503 and everything else with 200 (a path not in "paths" uses the script's other
keys). Keys of a rule, applied in this order:

  delay_ms: D              wait D milliseconds before answering (for time-outs).
  delay_ms_random: [A, B]  wait a random number of milliseconds from A to B before answering
                           (a target whose latency varies, for concurrent deliveries).
  drop: true               close the connection without answering (a network error).
  statuses: [S1, S2, ...]  answer the first requests with S1, S2, ... (one each), then go on with
                           the keys below (an outage that ends by itself: [500, 500, 500]).
  fail_when_data_contains: M
                           answer the whole batch with fail_status (default 500) when the data of
                           any record contains M (data is base64-decoded when it is base64; JSON
                           data is searched as JSON text). With fail_times: N, only for the first N
                           appearances of each such record (by eventID); without it, always: a
                           record that always fails. Examples: {"fail_when_data_contains":
                           "poison", "fail_status": 400} for poison records;
                           {"fail_when_data_contains": "poison", "fail_status": 500} for a record
                           that fails until retries are exhausted (bisection isolates it).
  partial_when_data_contains: M
                           answer 200 with batchItemFailures naming each record whose data holds M,
                           for its first partial_times appearances (default: always); the other
                           records are accepted. partial_identifier: "sequenceNumber" names the
                           records by sequence number instead of eventID.
  enrich: {"add": {FIELD: VALUE}}
                           answer 200 with the request's JSON array, each object in it with the
                           fields of "add" merged in (an enrichment endpoint, see the enrichment
                           section of docs/filtering.md).
  bad_identifier: true     answer 200 with a batchItemFailures entry naming no record of the batch.
  body: B                  the answer's body: a string is sent as it is, anything else as JSON
                           (e.g. {"batchItemFailures": [{"itemIdentifier": null}]}).
  status: S                the status otherwise (default 200).
  headers: {NAME: VALUE}   extra headers of the answer (e.g. a Location with a 302).
  close_connection: true   answer with "Connection: close" and close the connection after it.

For a body of dead-letter entries, a record's data is its entry's record.data.
"""

import argparse
import base64
import binascii
import json
import os
import random
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log_lock = threading.Lock()
state_lock = threading.Lock()
state = {"script_text": None, "statuses_used": {}, "fail_seen": {}, "partial_seen": {}}


def load_script(path):
    """The script's text and object, resetting the counters when the text changed."""
    with open(path, encoding="utf-8") as script_file:
        text = script_file.read()
    script = json.loads(text) if text.strip() else {}
    if not isinstance(script, dict):
        raise ValueError("the script must be a JSON object")
    with state_lock:
        if text != state["script_text"]:
            state["script_text"] = text
            state["statuses_used"] = {}
            state["fail_seen"] = {}
            state["partial_seen"] = {}
    return script


def rule_for(script, path):
    paths = script.get("paths") or {}
    if path in paths:
        return paths[path]
    return {key: value for key, value in script.items() if key != "paths"}


def records_of(body):
    """(eventID, sequenceNumber, data text) of each record or dead-letter entry in the body."""
    if not isinstance(body, list):
        return []
    records = []
    for item in body:
        if not isinstance(item, dict):
            continue
        inner = item.get("record") if isinstance(item.get("record"), dict) else item
        event_id = item.get("eventID", inner.get("eventID"))
        sequence = inner.get("sequenceNumber")
        records.append((event_id, sequence, data_text(inner.get("data"))))
    return records


def data_text(data):
    if data is None:
        return ""
    if not isinstance(data, str):
        return json.dumps(data)
    try:
        decoded = base64.b64decode(data, validate=True).decode("utf-8", errors="replace")
        return data + "\n" + decoded  # either form may carry the marker
    except (binascii.Error, ValueError):
        return data


def first_appearances(counter_name, key, event_ids, limit):
    """True for records still within their first `limit` appearances; counts this one."""
    chosen = []
    with state_lock:
        seen = state[counter_name].setdefault(key, {})
        for event_id in event_ids:
            seen[event_id] = seen.get(event_id, 0) + 1
            if limit is None or seen[event_id] <= limit:
                chosen.append(event_id)
    return chosen


def next_scripted_status(path, statuses):
    with state_lock:
        used = state["statuses_used"].get(path, 0)
        if used >= len(statuses):
            return None
        state["statuses_used"][path] = used + 1
        return statuses[used]


def enriched(body, enrich):
    """The request's array with enrich["add"] merged into each object."""
    items = body if isinstance(body, list) else []
    add = enrich.get("add") or {}
    return [dict(item, **add) if isinstance(item, dict) else item for item in items]


def decide(rule, path, records, body=None):
    """(status, body) for a request, or (None, None) to drop the connection."""
    if rule.get("drop"):
        return None, None
    statuses = rule.get("statuses") or []
    scripted = next_scripted_status(path, statuses) if statuses else None
    if scripted is not None:
        return scripted, {"scripted": True}

    marker = rule.get("fail_when_data_contains")
    if marker:
        marked = [r[0] for r in records if marker in r[2]]
        if first_appearances("fail_seen", (path, marker), marked, rule.get("fail_times")):
            return rule.get("fail_status", 500), {"error": "a record carries " + marker}

    marker = rule.get("partial_when_data_contains")
    if marker:
        by_sequence = rule.get("partial_identifier") == "sequenceNumber"
        marked = [r for r in records if marker in r[2]]
        failing = set(first_appearances(
            "partial_seen", (path, marker), [r[0] for r in marked], rule.get("partial_times")))
        identifiers = [r[1] if by_sequence else r[0] for r in marked if r[0] in failing]
        return 200, {"batchItemFailures": [{"itemIdentifier": i} for i in identifiers]}

    if rule.get("enrich") is not None:
        return 200, enriched(body, rule["enrich"])

    if rule.get("bad_identifier"):
        return 200, {"batchItemFailures": [{"itemIdentifier": "no-such-record"}]}
    return rule.get("status", 200), rule.get("body", "")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection serves many requests

    def log_message(self, format, *args):  # the JSON log is the record of requests
        pass

    def do_GET(self):
        self.handle_request()

    def do_POST(self):
        self.handle_request()

    def do_PUT(self):
        self.handle_request()

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        text = raw.decode("utf-8", errors="replace")
        try:
            return json.loads(text) if text else ""
        except ValueError:
            return text

    def handle_request(self):
        body = self.read_body()
        records = records_of(body)
        path = self.path.split("?", 1)[0]
        try:
            rule = rule_for(load_script(self.server.script_path), path)
            delay_ms = rule.get("delay_ms", 0)
            if rule.get("delay_ms_random"):
                low, high = rule["delay_ms_random"]
                delay_ms = random.uniform(low, high)
            if delay_ms:
                time.sleep(delay_ms / 1000.0)
            status, answer = decide(rule, path, records, body)
        except (OSError, ValueError) as error:
            status, answer, rule = 500, {"script_error": str(error)}, {}

        self.write_log(path, body, records, status, answer)
        if status is None:
            self.close_connection = True
            return
        payload = answer if isinstance(answer, str) else json.dumps(answer)
        payload = payload.encode("utf-8")
        try:
            self.send_response(status)
            if payload:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (rule.get("headers") or {}).items():
                self.send_header(name, str(value))
            if rule.get("close_connection"):
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a time-out): nothing to answer

    def write_log(self, path, body, records, status, answer):
        line = json.dumps({
            "path": path,
            "method": self.command,
            "client_port": self.client_address[1],
            "headers": {name.lower(): value for name, value in self.headers.items()},
            "body": body,
            "event_ids": [r[0] for r in records],
            "status": status,
            "answer": answer,
        })
        with log_lock:
            with open(self.server.log_path, "a", encoding="utf-8") as log:
                log.write(line + "\n")
                log.flush()


def main():
    parser = argparse.ArgumentParser(description="A scripted HTTP server for tests.")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--script", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.script_path = args.script
    server.log_path = args.log
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        # A client that rejects the certificate fails the handshake in accept(), which the
        # server ignores (an OSError) before any request is read or logged.
        server.socket = context.wrap_socket(server.socket, server_side=True)
    temporary = args.port_file + ".tmp"
    with open(temporary, "w", encoding="utf-8") as port_file:
        port_file.write(str(server.server_address[1]))
    os.replace(temporary, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
