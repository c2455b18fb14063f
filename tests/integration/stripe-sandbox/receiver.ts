// Test webhook receiver: verifies every delivery with the real SDK, as the product's ingest does.
import http from "node:http";
import { type AddressInfo } from "node:net";
import Stripe from "stripe";
import { startStripeSandbox, type StripeSandbox } from "@evently/stripe-sandbox";

export const SECRET = "whsec_sandbox_test";
const verifier = new Stripe("sk_test_verifier");

interface Received {
  rawBody: string;
  signature: string;
  verified: boolean;
  event: Stripe.Event | null;
  error: string | null;
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  verified(): Stripe.Event[];
  // Decides the status for each verified delivery; the n-th (0-based) delivery of that event id is passed in.
  respondWith(fn: (event: Stripe.Event, nth: number) => number): void;
  stop(): Promise<void>;
}

export async function startReceiver(secret = SECRET): Promise<Receiver> {
  const received: Received[] = [];
  let respond: (event: Stripe.Event, nth: number) => number = () => 200;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the body catches every error and always answers
    req.on("end", async () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const signature = String(req.headers["stripe-signature"] ?? "");
      let record: Received;
      try {
        const event = await verifier.webhooks.constructEventAsync(rawBody, signature, secret);
        const nth = received.filter((r) => r.event?.id === event.id).length;
        record = { rawBody, signature, verified: true, event, error: null, status: respond(event, nth) };
      } catch (error) {
        record = { rawBody, signature, verified: false, event: null, error: String(error), status: 400 };
      }
      received.push(record);
      res.writeHead(record.status, { "Content-Type": "application/json" }).end(JSON.stringify({ ok: record.verified }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`,
    received,
    verified: () => received.flatMap((r) => (r.verified && r.event ? [r.event] : [])),
    respondWith(fn) {
      respond = fn;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface Harness {
  sandbox: StripeSandbox;
  receiver: Receiver;
  stripe: Stripe;
  stop(): Promise<void>;
}

// A sandbox wired to a fresh receiver, with fast retries so failure paths finish quickly.
export async function startHarness(opts: { refundDelayMs?: number } = {}): Promise<Harness> {
  const receiver = await startReceiver();
  const sandbox = await startStripeSandbox({
    webhookSecret: SECRET,
    webhookUrl: receiver.url,
    refundDelayMs: opts.refundDelayMs ?? 20,
    delivery: { maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 100 },
  });
  const stripe = new Stripe("sk_test_local", { host: "127.0.0.1", port: sandbox.port, protocol: "http" });
  return {
    sandbox,
    receiver,
    stripe,
    async stop() {
      await sandbox.stop();
      await receiver.stop();
    },
  };
}
