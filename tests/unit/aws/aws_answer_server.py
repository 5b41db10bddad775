#!/usr/bin/env python3
"""A loopback HTTP server that answers AWS JSON-protocol requests from a list, for JsonClient tests.

Usage:
  aws_answer_server.py --port-file FILE --log FILE --answers FILE

It listens on a free port of 127.0.0.1, writes the port to --port-file once it listens (by a
rename, so a reader never sees half of it) and speaks HTTP/1.1 with keep-alive.

--answers is a JSON array: the n-th request gets the n-th entry, the last entry repeating.
  {"status": S, "body": B}   answer S with B (a string as it is, anything else as JSON);
                             "headers": {name: value} adds answer headers (an S3 ETag)
  {"drop": true}             close the connection without answering (a network failure)

Every request becomes one JSON line appended to --log when it is answered:
  {"method", "path", "headers": {lower-case name: value}, "body": the body's text}
"""

import argparse
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
state = {"answered": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # the JSON log is the record of requests
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", errors="replace") if length else ""
        with lock:
            with open(self.server.answers_path, encoding="utf-8") as answers_file:
                answers = json.load(answers_file)
            answer = answers[min(state["answered"], len(answers) - 1)]
            state["answered"] += 1
            with open(self.server.log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps({
                    "method": self.command,
                    "path": self.path,
                    "headers": {name.lower(): value for name, value in self.headers.items()},
                    "body": body,
                }) + "\n")
        if answer.get("drop"):
            self.close_connection = True
            return
        payload = answer.get("body", "")
        payload = (payload if isinstance(payload, str) else json.dumps(payload)).encode("utf-8")
        self.send_response(answer.get("status", 200))
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in answer.get("headers", {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    # S3's REST calls use every method.
    do_GET = do_PUT = do_DELETE = do_HEAD = do_POST


def main():
    parser = argparse.ArgumentParser(description="Answers requests from a list.")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--answers", required=True)
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.answers_path = args.answers
    server.log_path = args.log
    temporary = args.port_file + ".tmp"
    with open(temporary, "w", encoding="utf-8") as port_file:
        port_file.write(str(server.server_address[1]))
    os.replace(temporary, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
