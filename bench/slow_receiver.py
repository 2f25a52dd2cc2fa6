#!/usr/bin/env python3
"""A webhook receiver that answers 202 after a fixed delay: the slow connector of the isolation scenario.

Usage: slow_receiver.py <port> <seconds>
"""
import http.server
import sys
import time

port, seconds = int(sys.argv[1]), float(sys.argv[2])


class Slow(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        time.sleep(seconds)
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), Slow).serve_forever()
