"""hello: answers GET /hello?name=NAME with {"lang": "python", "hello": NAME} on :8080.

Standard library only; packaged (pyproject.toml) so a build stage can install it."""
from __future__ import annotations

import json
import platform
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        url = urlsplit(self.path)
        if url.path != "/hello":
            self.send_error(404)
            return
        name = parse_qs(url.query).get("name", [""])[0]
        body = json.dumps({"lang": "python", "hello": name,
                           "runtime": platform.python_version()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass


def main() -> None:
    ThreadingHTTPServer(("", 8080), Hello).serve_forever()


if __name__ == "__main__":
    main()
