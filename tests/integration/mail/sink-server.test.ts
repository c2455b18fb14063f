// The local mail sink's HTTP face answers every request it can parse: a malformed id is a 404
// problem, not an exception inside the request listener that takes the local runtime down.
import { mkdtemp } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startMailSink, type MailSink } from "@evently/local/mail/server";

let sink: MailSink;
beforeAll(async () => (sink = await startMailSink({ dir: await mkdtemp(path.join(tmpdir(), "evently-sink-")) })));
afterAll(() => sink.stop());

/** A raw request line: fetch would normalize or refuse these targets before they reach the server. */
function rawGet(target: string): Promise<string> {
  const { port } = new URL(sink.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1", () =>
      socket.end(`GET ${target} HTTP/1.1\r\nHost: sink\r\nConnection: close\r\n\r\n`),
    );
    let answer = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

it("GET /messages/%ZZ is a 404 problem, and the sink keeps serving", async () => {
  const res = await fetch(`${sink.url}/messages/%ZZ`);
  expect(res.status).toBe(404);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(await res.json()).toMatchObject({ status: 404, code: "not_found" });
  expect((await fetch(`${sink.url}/messages`)).status).toBe(200);
});

it("a request target that is no URL at all is answered 404 too", async () => {
  expect(await rawGet("http://[")).toMatch(/^HTTP\/1\.1 404 /);
  expect((await fetch(`${sink.url}/messages`)).status).toBe(200);
});
