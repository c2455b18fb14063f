// The mail sink's HTTP face: GET /messages (newest first, ?to=) and GET /messages/{id}.
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { openMailbox, type Mailbox } from "./store";

export interface MailSink {
  url: string;
  mailbox: Mailbox;
  stop(): Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": status < 400 ? "application/json" : "application/problem+json" });
  res.end(JSON.stringify(body));
};
const notFound = (res: http.ServerResponse, detail: string) =>
  json(res, 404, { type: "about:blank", title: "Not Found", status: 404, detail, code: "not_found" });

/** A path segment decoded, or undefined when it is no valid percent-encoding (`%ZZ`): no such message. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export async function startMailSink(options: { port?: number; dir?: string } = {}): Promise<MailSink> {
  const mailbox = await openMailbox(options.dir ?? path.resolve(".local/mail"));
  const server = http.createServer((req, res) => {
    // A request target no URL parser accepts must not throw inside the listener (that ends the process).
    if (!URL.canParse(req.url ?? "/", "http://sink")) return notFound(res, "Try GET /messages");
    const url = new URL(req.url ?? "/", "http://sink");
    if (req.method !== "GET")
      return json(res, 405, {
        type: "about:blank",
        title: "Method Not Allowed",
        status: 405,
        detail: "The mail sink is read-only",
        code: "method_not_allowed",
      });
    if (url.pathname === "/messages") return json(res, 200, { items: mailbox.list({ to: url.searchParams.get("to") ?? undefined }) });
    const one = /^\/messages\/([^/]+)$/.exec(url.pathname);
    const id = one ? decodeSegment(one[1]!) : undefined;
    const mail = id === undefined ? undefined : mailbox.get(id);
    if (mail) return json(res, 200, mail);
    return notFound(res, one ? "No such message" : "Try GET /messages");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    mailbox,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
