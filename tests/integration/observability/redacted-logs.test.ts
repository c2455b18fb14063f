// No row value, token, card number or provider secret reaches a log line, on any path that logs an
// error: an HTTP route's unexpected error, a failed webhook record, a failed job. The errors are
// the real kinds (a pg unique violation from Postgres, a Stripe SDK error with its raw response),
// driven through the real handler stacks and the real logger.
import type { APIGatewayProxyEventV2, SQSEvent } from "aws-lambda";
import { sql } from "kysely";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { health } from "@evently/functions/api/system";
import { setDb } from "@evently/functions/lib/db";
import { http } from "@evently/functions/lib/http";
import { job } from "@evently/functions/lib/job";
import { redactError, scrubText } from "@evently/functions/lib/redact";
import { createProcessor } from "@evently/functions/queue/webhook-batch";
import { lambdaContext } from "@evently/local/server/apigw-event";
import { toSqsRecord } from "@evently/local/queue/sqs-records";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { captureLogs } from "../../support/log-capture";

// Before the logger exists (vi.hoisted runs ahead of the imports): each invocation resets the
// logger to the level it was created with, and the tests' default is SILENT.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "INFO";
});

const EMAIL = "alice.secret@example.com";
const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
const STRIPE_KEY = "sk_live_51HxYzAbCdEfGhIjKlMnOp";
const CLIENT_SECRET = "pi_3Nabc123_secret_Zyx987Wvu";
const CARD = "4242 4242 4242 4242";
/** Nothing of these may appear in any log line (the card also without its spaces). */
const FORBIDDEN = [EMAIL, JWT, STRIPE_KEY, CLIENT_SECRET, CARD, CARD.replace(/ /g, ""), "whsec_abcdef123456"];

let t: TestDatabase;
let pgError: Error;
const stripeError = new Stripe.errors.StripeCardError({
  message: "Your card was declined.",
  type: "card_error",
  code: "card_declined",
  decline_code: "insufficient_funds",
  requestId: "req_Abc123",
  statusCode: 402,
  headers: { authorization: `Bearer ${STRIPE_KEY}`, "stripe-signature": "t=1,v1=whsec_abcdef123456" },
  payment_intent: { id: "pi_3Nabc123", client_secret: CLIENT_SECRET, receipt_email: EMAIL } as never,
});
const cardInMessage = Object.assign(new Error(`Charge for card ${CARD} (${EMAIL}) failed`), {
  request: { headers: { Authorization: `Bearer ${JWT}` } },
});
const wrapped = () => new Error("Could not create the order", { cause: pgError });

beforeAll(async () => {
  t = await createTestDatabase();
  setDb(t.db);
  // A real unique violation: pg puts the duplicate value into `detail` (Key (external_id)=(…)).
  await t.db.insertInto("users").values({ externalId: EMAIL, email: EMAIL }).execute();
  pgError = await sql`INSERT INTO users (external_id, email) VALUES (${EMAIL}, ${EMAIL})`.execute(t.db).then(
    () => new Error("expected a unique violation"),
    (error: Error) => error,
  );
});
afterAll(() => t.destroy());

/** Looked up when a test runs: the pg error only exists once beforeAll has made it. */
const ERRORS: Record<string, () => Error> = {
  "pg unique violation": () => pgError,
  "Stripe card error with raw and request headers": () => stripeError,
  "card number, e-mail and Authorization header": () => cardInMessage,
  "error caused by a pg error": wrapped,
};
const errors = Object.keys(ERRORS);

/** Runs `act`, returns the log lines it wrote, after asserting none carries a forbidden value. */
async function logsOf(act: () => Promise<unknown>): Promise<string[]> {
  const capture = captureLogs();
  try {
    await act().catch(() => undefined);
  } finally {
    capture.restore();
  }
  const lines = capture.lines();
  for (const line of lines) for (const value of FORBIDDEN) expect(line, `log line leaks ${value}`).not.toContain(value);
  expect(lines.join("\n")).not.toMatch(/Key \(external_id\)=\(alice/);
  return lines;
}

const errorFields = (lines: string[], message: string) =>
  lines.map((l) => JSON.parse(l) as { message: string; error?: Record<string, unknown> }).find((l) => l.message === message)?.error;

const request = (): APIGatewayProxyEventV2 =>
  ({
    version: "2.0",
    routeKey: "GET /health",
    rawPath: "/health",
    rawQueryString: "",
    headers: { authorization: `Bearer ${JWT}`, cookie: `session=${JWT}` },
    requestContext: { requestId: "req-local-1", http: { method: "GET", path: "/health", sourceIp: "127.0.0.1" } },
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

describe("every error path logs the error redacted", () => {
  it.each(errors)("HTTP route, unexpected error: %s", async (kind) => {
    const error = ERRORS[kind]!();
    const handler = http(health, async () => {
      throw error;
    });
    let status: number | undefined;
    const lines = await logsOf(async () => (status = (await handler(request(), lambdaContext("health"))).statusCode));
    // A Stripe error carries the provider's statusCode (402): problem.ts answers it as a 4xx and logs no error.
    if (status === 500)
      expect(errorFields(lines, "Unhandled error")).toMatchObject({ name: error.name, stack: expect.stringContaining(" at ") });
    else expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(["Request rejected"]);
  });

  it.each(errors)("webhook consumer, failed record: %s", async (kind) => {
    const error = ERRORS[kind]!();
    const handler = createProcessor(async () => {
      throw error;
    });
    const body = JSON.stringify({ id: "evt_1", type: "payment_intent.succeeded", created: 1, data: { object: { receipt_email: EMAIL } } });
    const event: SQSEvent = {
      Records: [
        toSqsRecord(
          { data: { id: "m1", body, attributes: {}, sentAt: Date.now() }, receiveCount: 1, firstReceivedAt: Date.now() },
          "q",
          "eu-west-1",
        ),
      ],
    };
    const lines = await logsOf(() => handler(event, lambdaContext("webhook-processor")));
    expect(errorFields(lines, "Stripe event failed")).toMatchObject({ name: error.name });
  });

  it.each(errors)("scheduled job, failed run: %s", async (kind) => {
    const error = ERRORS[kind]!();
    const handler = job("expire-holds", async () => {
      throw error;
    });
    const lines = await logsOf(() => handler(undefined, lambdaContext("expire-holds")));
    expect(errorFields(lines, "Job expire-holds failed")).toMatchObject({ name: error.name });
  });

  it("keeps what identifies the fault: name, code, SQLSTATE, constraint, table, Stripe type, status and request id", () => {
    expect(redactError(pgError)).toMatchObject({
      name: "error",
      code: "23505",
      sqlState: "23505",
      constraint: "users_external_id_key",
      table: "users",
      message: 'duplicate key value violates unique constraint "users_external_id_key"',
    });
    expect(redactError(pgError)).not.toHaveProperty("detail");
    expect(redactError(stripeError)).toEqual({
      name: "Error",
      message: "Your card was declined.",
      code: "card_declined",
      type: "StripeCardError",
      statusCode: 402,
      requestId: "req_Abc123",
      stack: expect.any(String),
    });
    expect(redactError(wrapped()).cause).toMatchObject({ sqlState: "23505", constraint: "users_external_id_key" });
  });

  it("scrubs the values pg quotes in messages, but leaves ids and amounts alone", () => {
    expect(scrubText(`Key (email)=(${EMAIL}) already exists.`)).toBe("Key (email)=([redacted]) already exists.");
    expect(scrubText("Failing row contains (1, bob, 2500).")).toBe("Failing row contains ([redacted]).");
    expect(scrubText('invalid input syntax for type uuid: "not-a-uuid"')).toBe('invalid input syntax for type uuid: "[redacted]"');
    const plain = "payment 5f0c2a9e-1b7d-4c3a-9e2f-3a1b2c3d4e5f of 2500 minor units, order 1234567890123";
    expect(scrubText(plain)).toBe(plain);
  });
});
