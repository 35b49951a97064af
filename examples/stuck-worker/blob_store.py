"""A tiny local "blob store" for the demo: serves granule files over HTTP, except one.

For the granule named by --stall it accepts the connection, reads the request and then never
answers, the way an overloaded storage front end or a half-dead load balancer sometimes does.
"""
import argparse
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class GranuleHandler(BaseHTTPRequestHandler):
    stall_name = ""
    never = threading.Event()

    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1]
        if name == self.stall_name:
            self.never.wait()  # hold the connection open without sending a byte
            return
        body = hashlib.sha256(name.encode()).digest() * 512
        self.send_response(200)
        self.send_header("Content-Type", "application/x-netcdf")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        print(f"blob-store: {fmt % args}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--stall", default="G0004.nc", help="the granule that never gets an answer")
    args = parser.parse_args()
    GranuleHandler.stall_name = args.stall
    server = ThreadingHTTPServer(("127.0.0.1", args.port), GranuleHandler)
    server.daemon_threads = True
    host, port = server.server_address
    print(f"listening on http://{host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
