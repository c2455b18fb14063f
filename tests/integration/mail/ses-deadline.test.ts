// SES calls take their time limit from the invocation: a SendEmail that hangs fails its own message
// in time for the sender to record it, and the rest of the batch goes out. SES is played by a local
// HTTP server (nothing leaves the machine) so the SDK's real abort path is what is tested.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, expect, it } from "vitest";
import { useTransaction } from "@evently/core/db/transaction";
import { enqueueMail } from "@evently/core/mail/outbox";
import { RetryLater, sendOutboxMessage } from "@evently/core/mail/sender";
import { withDeadline } from "@evently/core/shared/deadline";
import { createSesMailer, SES_RESERVE_MS } from "@evently/functions/lib/ses-mailer";
import { createMailSender } from "@evently/functions/queue/mail-sender";
import { lambdaContext } from "@evently/local/server/apigw-event";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { recordingMailer, sqsEvent } from "./support";

const HANGS = "hangs@example.test";
let t: TestDatabase;
let ses: http.Server;
let client: SESv2Client;
let accepted = 0;
beforeAll(async () => {
  t = await createTestDatabase();
  (await import("@evently/functions/lib/db")).setDb(t.db);
  ses = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    // Mail to HANGS is never answered; everything else is accepted like SES does.
    req.on("end", () => {
      if (body.includes(HANGS)) return;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ MessageId: `local-${++accepted}` }));
    });
  });
  await new Promise<void>((resolve) => ses.listen(0, "127.0.0.1", resolve));
  client = new SESv2Client({
    region: "us-east-1",
    endpoint: `http://127.0.0.1:${(ses.address() as AddressInfo).port}`,
    credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" },
  });
});
afterAll(async () => {
  client.destroy();
  ses.closeAllConnections();
  await new Promise((resolve) => ses.close(resolve));
  await t.destroy();
});

let n = 0;
const mail = async (to: string) =>
  (await useTransaction(t.db, (trx) =>
    enqueueMail(trx, {
      kind: "event_reminder",
      to,
      dedupeKey: `deadline:${++n}`,
      payload: {
        event: { id: "5f1c2d7e-8a3b-4c1d-9e2f-0a1b2c3d4e5f", title: "Walk", startsAt: "2030-07-01T07:00:00.000Z", timezone: "UTC" },
      },
      refs: {},
    }),
  ))!;
it("a hanging SendEmail is cut off when the invocation's time, less the reserve, runs out", async () => {
  const mailer = createSesMailer("tickets@evently.test", client);
  const started = Date.now();
  const sending = withDeadline(started + SES_RESERVE_MS + 1_000, () =>
    mailer.send({ id: "x", to: HANGS, subject: "s", text: "t", html: "h", kind: "event_reminder", refs: {} }),
  );
  await expect(sending).rejects.toThrow();
  const took = Date.now() - started;
  expect(took).toBeGreaterThanOrEqual(900);
  expect(took).toBeLessThan(1_000 + SES_RESERVE_MS);
});

it("in a batch, the hanging message alone fails (recorded, retried later) and the others are sent, within the Lambda's time", async () => {
  const [fine, hangs, alsoFine] = [await mail("a@example.test"), await mail(HANGS), await mail("b@example.test")];
  const handler = createMailSender({ mailer: createSesMailer("tickets@evently.test", client) });
  const started = Date.now();
  const result = await handler(sqsEvent([fine, hangs, alsoFine]), lambdaContext("mail-sender", 4));
  expect(Date.now() - started).toBeLessThan(4_000);
  expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m1" }] });
  const rows = await t.db
    .selectFrom("outbox")
    .select(["id", "status", "attempts", "lastError"])
    .where("id", "in", [fine, hangs, alsoFine])
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  expect([byId.get(fine)!.status, byId.get(alsoFine)!.status]).toEqual(["sent", "sent"]);
  expect(byId.get(hangs)).toMatchObject({ status: "pending", attempts: 1 });
  expect(byId.get(hangs)!.lastError).toContain("SES did not answer");
});

it("a send cut off by its time limit may have been delivered: the next attempt is flagged a possible duplicate", async () => {
  const id = await mail(HANGS);
  const deps = { db: t.db, baseUrl: "https://app.test", mailer: createSesMailer("tickets@evently.test", client) };
  await expect(withDeadline(Date.now() + SES_RESERVE_MS + 300, () => sendOutboxMessage(deps, id))).rejects.toBeInstanceOf(RetryLater);
  const recorder = recordingMailer();
  expect(await sendOutboxMessage({ ...deps, mailer: recorder }, id)).toEqual({ outcome: "sent", possibleDuplicate: true });
});
