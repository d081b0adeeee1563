"""A stand-in for one app replica behind nginx (tests/deploy): answers every request with JSON
saying which replica it is and what it received (headers, body size), and answers a websocket
upgrade with 101 and then echoes bytes, as far as a proxy can tell the difference.

    python stub_replica.py PORT
"""
import base64
import hashlib
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Replica(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"          # nginx keeps connections open (keepalive)

    def log_message(self, *args):
        pass

    def _read_body(self) -> int:
        length = int(self.headers.get("Content-Length") or 0)
        got = 0
        while got < length:
            chunk = self.rfile.read(min(1 << 20, length - got))
            if not chunk:
                break
            got += len(chunk)
        return got

    def _websocket(self) -> None:
        key = self.headers["Sec-WebSocket-Key"] + WEBSOCKET_GUID
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", base64.b64encode(hashlib.sha1(key.encode()).digest()).decode())
        self.send_header("X-Stub-Port", str(PORT))
        self.end_headers()
        self.wfile.flush()
        while data := self.connection.recv(65536):
            self.connection.sendall(data)
        self.close_connection = True

    def _answer(self) -> None:
        body_bytes = self._read_body()
        if (self.headers.get("Upgrade", "").lower() == "websocket"
                and "upgrade" in self.headers.get("Connection", "").lower()):
            self._websocket()
            return
        body = json.dumps({"port": PORT, "method": self.command, "path": self.path,
                           "headers": {k.lower(): v for k, v in self.headers.items()},
                           "body_bytes": body_bytes}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _answer


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", PORT), Replica).serve_forever()
