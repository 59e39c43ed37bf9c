"""A tiny HTTP server for the feed-update tests: serves files from a folder on 127.0.0.1 with ETag and
Last-Modified, answers conditional requests with 304, and logs each request's conditional headers.

Usage: conditional_http_server.py ROOT LOGFILE   (prints the port it listens on, then serves until killed)
"""
import email.utils
import hashlib
import http.server
import os
import sys

ROOT, LOG = sys.argv[1], sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        path = os.path.join(ROOT, self.path.lstrip("/").split("?")[0])
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if not os.path.isfile(path):
            self.record(404, inm, ims)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = open(path, "rb").read()
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
        mtime = int(os.path.getmtime(path))
        not_modified = False
        if inm is not None:
            not_modified = inm == etag
        elif ims is not None:
            parsed = email.utils.parsedate_to_datetime(ims)
            not_modified = parsed is not None and int(parsed.timestamp()) >= mtime
        status = 304 if not_modified else 200
        self.record(status, inm, ims)
        self.send_response(status)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
        if status == 200:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.end_headers()

    def record(self, status, inm, ims):
        with open(LOG, "a") as f:
            f.write("%s %d inm=%s ims=%s\n" % (self.path, status, inm or "-", ims or "-"))


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
