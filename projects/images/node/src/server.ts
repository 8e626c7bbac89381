// hello: answers GET /hello?name=NAME with {"lang": "node", "hello": NAME} on :8080.
// Node's own http module only, so it builds offline. The few Node types it uses are
// declared here (no @types/node to download).
declare const require: (id: string) => unknown;
declare const process: { version: string };

interface IncomingRequest { url?: string }
interface ServerResponse {
  writeHead(status: number, headers: Record<string, string>): void;
  end(body: string): void;
}
interface Http {
  createServer(handler: (req: IncomingRequest, res: ServerResponse) => void): { listen(port: number): void };
}

const http = require("node:http") as Http;

http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname !== "/hello") {
    res.writeHead(404, { "Content-Type": "application/json" });
    res.end("{}");
    return;
  }
  const body = { lang: "node", hello: url.searchParams.get("name") ?? "", runtime: process.version };
  res.writeHead(200, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}).listen(8080);
