# A push subscription's receiver that checks each delivery's signature (Python 3.9+, standard library).
# Run: WEBHOOK_SECRET=whsec_... PORT=8080 python3 receiver.py
import base64, hashlib, hmac, json, os, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = base64.b64decode(os.environ["WEBHOOK_SECRET"].removeprefix("whsec_"))


def verified(headers, body):
    msg_id, timestamp = headers.get("webhook-id"), headers.get("webhook-timestamp", "")
    if not msg_id or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
        return False
    expected = hmac.new(KEY, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    for s in headers.get("webhook-signature", "").split(" "):
        try:
            if s.startswith("v1,") and hmac.compare_digest(base64.b64decode(s[3:]), expected):
                return True
        except ValueError:
            pass
    return False


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if not verified(self.headers, body):
            self.send_response(401)
        else:
            # Deliveries are at least once: deduplicate by webhook-id before acting on one.
            line = json.dumps({"id": self.headers["webhook-id"], "body": body.decode()})
            print(line + "\n", end="", flush=True)  # one write: requests are handled on several threads
            self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8080"))), Receiver).serve_forever()
