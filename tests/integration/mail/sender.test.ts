// The sender delivers each outbox row at least once and, where the provider can dedupe (the local
// sink), exactly once: under redelivery, concurrent deliveries, a provider failure and a crash
// between sending and recording. With SES-like providers that crash is counted, not hidden.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { sql } from "kysely";
import { useTransaction } from "@evently/core/db/transaction";
import { enqueueMail } from "@evently/core/mail/outbox";
import { relayPendingMail } from "@evently/core/mail/relay";
import { RetryLater, sendOutboxMessage, type SenderDeps } from "@evently/core/mail/sender";
import { setMailDispatcher } from "@evently/core/mail/outbox";
import { openMailbox } from "@evently/local/mail/store";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { BASE_URL, recordingMailer, type RecordingMailer } from "./support";

let t: TestDatabase;
let mailer: RecordingMailer;
beforeAll(async () => (t = await createTestDatabase()));
afterAll(() => t.destroy());
beforeEach(() => (mailer = recordingMailer()));

const deps = (extra: Partial<SenderDeps> = {}): SenderDeps => ({ db: t.db, mailer, baseUrl: BASE_URL, ...extra });

let n = 0;
async function oneMail(): Promise<string> {
  n += 1;
  const id = await useTransaction(t.db, (trx) =>
    enqueueMail(trx, {
      kind: "rsvp_confirmed",
      to: `person${n}@example.test`,
      dedupeKey: `test:${n}`,
      payload: {
        event: {
          id: "5f1c2d7e-8a3b-4c1d-9e2f-0a1b2c3d4e5f",
          title: "Knots 101",
          startsAt: "2030-01-15T18:30:00.000Z",
          endsAt: "2030-01-15T20:00:00.000Z",
          timezone: "Europe/London",
          location: null,
        },
        participation: { id: "x", kind: "rsvp", status: "active", quantity: 1, holdExpiresAt: null },
      },
      refs: { eventId: "5f1c2d7e-8a3b-4c1d-9e2f-0a1b2c3d4e5f" },
    }),
  );
  if (!id) throw new Error("not written");
  return id;
}

const row = (id: string) => t.db.selectFrom("outbox").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
/** What a crashed sender's lease looks like once it has run out. */
const expireLease = (id: string) =>
  t.db
    .updateTable("outbox")
    .set({ lockedUntil: sql<Date>`now() - interval '1 second'` })
    .where("id", "=", id)
    .execute();

it("a repeated cause writes no second message; a rolled-back cause writes none", async () => {
  const write = () =>
    useTransaction(t.db, (trx) =>
      enqueueMail(trx, { kind: "hold_expired", to: "a@example.test", dedupeKey: "same-cause", payload: {}, refs: {} }),
    );
  expect(await write()).not.toBeNull();
  expect(await write()).toBeNull();
  await expect(
    useTransaction(t.db, async (trx) => {
      await enqueueMail(trx, { kind: "hold_expired", to: "b@example.test", dedupeKey: "rolled-back", payload: {}, refs: {} });
      throw new Error("the cause failed");
    }),
  ).rejects.toThrow("the cause failed");
  const keys = await t.db.selectFrom("outbox").select("dedupeKey").where("dedupeKey", "in", ["same-cause", "rolled-back"]).execute();
  expect(keys.map((k) => k.dedupeKey)).toEqual(["same-cause"]);
});

it("the after-commit nudge carries the id only once the transaction commits", async () => {
  const nudged: string[] = [];
  setMailDispatcher(async (ids) => void nudged.push(...ids));
  try {
    let seenInside = -1;
    const id = await useTransaction(t.db, async (trx) => {
      const written = await enqueueMail(trx, { kind: "waitlist_joined", to: "c@example.test", dedupeKey: "nudge", payload: {}, refs: {} });
      seenInside = nudged.length;
      return written;
    });
    expect(seenInside).toBe(0);
    expect(nudged).toEqual([id]);
    // A transaction that is not ambient cannot defer the nudge: none is sent, the relay covers it.
    await t.db
      .transaction()
      .execute((trx) =>
        enqueueMail(trx, { kind: "waitlist_joined", to: "d@example.test", dedupeKey: "no-ambient", payload: {}, refs: {} }),
      );
    expect(nudged).toEqual([id]);
  } finally {
    setMailDispatcher(undefined);
  }
});

it("a redelivered id is sent once, renders the London time, and is recorded", async () => {
  const id = await oneMail();
  expect(await sendOutboxMessage(deps(), id)).toEqual({ outcome: "sent", possibleDuplicate: false });
  expect(await sendOutboxMessage(deps(), id)).toEqual({ outcome: "already sent", possibleDuplicate: false });
  expect(mailer.sent).toHaveLength(1);
  expect(mailer.sent[0]).toMatchObject({ id, to: `person${n}@example.test`, kind: "rsvp_confirmed" });
  expect(mailer.sent[0]!.text).toContain("18:30 GMT");
  expect(await row(id)).toMatchObject({ status: "sent", attempts: 1, sendingSince: null, lockedUntil: null, providerMessageId: "rec-1" });
});

it("concurrent deliveries of one id send it once; the others are told to retry later", async () => {
  const id = await oneMail();
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => sendOutboxMessage(deps(), id)));
  const sent = results.filter((r) => r.status === "fulfilled" && r.value.outcome === "sent");
  const other = results.filter((r) => !(r.status === "fulfilled" && r.value.outcome === "sent"));
  expect(sent).toHaveLength(1);
  for (const r of other) {
    if (r.status === "rejected") expect(r.reason).toBeInstanceOf(RetryLater);
    else expect(r.value.outcome).toBe("already sent");
  }
  expect(mailer.sent.filter((m) => m.id === id)).toHaveLength(1);
});

it("a provider failure keeps the row pending, records the error, and the next delivery sends it", async () => {
  const id = await oneMail();
  const failing = { dedupesById: false, send: async () => Promise.reject(new Error("SES throttled")) };
  await expect(sendOutboxMessage(deps({ mailer: failing }), id)).rejects.toBeInstanceOf(RetryLater);
  expect(await row(id)).toMatchObject({
    status: "pending",
    attempts: 1,
    lastError: "SES throttled",
    lockedUntil: null,
    sendingSince: null,
  });
  // Nothing went out, so the resend is not a possible duplicate.
  expect(await sendOutboxMessage(deps(), id)).toEqual({ outcome: "sent", possibleDuplicate: false });
  expect(await row(id)).toMatchObject({ status: "sent", attempts: 2, lastError: null });
});

it("after maxAttempts failures the row is failed for good and never sent", async () => {
  const id = await oneMail();
  const failing = { dedupesById: false, send: async () => Promise.reject(new Error("address rejected")) };
  await expect(sendOutboxMessage(deps({ mailer: failing, maxAttempts: 2 }), id)).rejects.toBeInstanceOf(RetryLater);
  expect(await sendOutboxMessage(deps({ mailer: failing, maxAttempts: 2 }), id)).toMatchObject({ outcome: "failed for good" });
  expect(await sendOutboxMessage(deps(), id)).toMatchObject({ outcome: "failed for good" });
  expect(mailer.sent).toHaveLength(0);
});

it("a message that does not render counts its attempts and ends failed, not claimed again forever", async () => {
  // refund_issued without its refund: the template reads it.refund.amount and throws.
  const id = await useTransaction(t.db, (trx) =>
    enqueueMail(trx, {
      kind: "refund_issued",
      to: "broken@example.test",
      dedupeKey: `broken:${++n}`,
      payload: {
        event: { id: "5f1c2d7e-8a3b-4c1d-9e2f-0a1b2c3d4e5f", title: "T", startsAt: "2030-01-15T18:30:00.000Z", timezone: "UTC" },
      },
      refs: {},
    }),
  );
  await expect(sendOutboxMessage(deps({ maxAttempts: 2 }), id!)).rejects.toBeInstanceOf(RetryLater);
  const first = await row(id!);
  expect(first).toMatchObject({ status: "pending", attempts: 1, lockedUntil: null, sendingSince: null });
  expect(first.lastError).toMatch(/amount/);
  // Nothing went out, so the last attempt is no possible duplicate either.
  expect(await sendOutboxMessage(deps({ maxAttempts: 2 }), id!)).toEqual({ outcome: "failed for good", possibleDuplicate: false });
  expect(await row(id!)).toMatchObject({ status: "failed", attempts: 2 });
  expect(mailer.sent).toHaveLength(0);
});

const crash = () => {
  throw new Error("sender died after the provider accepted the message");
};

it("a crash between send and record, with an SES-like provider: resent once the lease runs out, and counted as a possible duplicate", async () => {
  const id = await oneMail();
  await expect(sendOutboxMessage(deps({ afterSend: crash }), id)).rejects.toThrow("sender died");
  expect(await row(id)).toMatchObject({ status: "pending", attempts: 1 });
  // While the dead sender's lease lasts, a redelivery does not send.
  await expect(sendOutboxMessage(deps(), id)).rejects.toBeInstanceOf(RetryLater);
  await expireLease(id);
  expect(await sendOutboxMessage(deps(), id)).toEqual({ outcome: "sent", possibleDuplicate: true });
  expect(mailer.sent.filter((m) => m.id === id)).toHaveLength(2);
  expect(await sendOutboxMessage(deps(), id)).toMatchObject({ outcome: "already sent" });
});

it("the same crash with the local sink (dedupes by outbox id): the recipient has one message", async () => {
  const box = await openMailbox(await mkdtemp(path.join(tmpdir(), "evently-sink-")));
  const id = await oneMail();
  await expect(sendOutboxMessage(deps({ mailer: box.mailer, afterSend: crash }), id)).rejects.toThrow("sender died");
  await expireLease(id);
  expect(await sendOutboxMessage(deps({ mailer: box.mailer }), id)).toEqual({ outcome: "sent", possibleDuplicate: false });
  expect(box.list({ to: `person${n}@example.test` }).map((m) => m.id)).toEqual([id]);
  expect(box.duplicatesAbsorbed()).toBe(1);
});

it("the relay hands on pending rows past the grace period whose lease is free, nothing else", async () => {
  const fresh = await oneMail();
  const stale = await oneMail();
  const held = await oneMail();
  const done = await oneMail();
  await t.db
    .updateTable("outbox")
    .set({ createdAt: sql`now() - interval '5 minutes'` } as never)
    .where("id", "in", [stale, held, done])
    .execute();
  await t.db
    .updateTable("outbox")
    .set({ lockedUntil: sql<Date>`now() + interval '1 minute'` })
    .where("id", "=", held)
    .execute();
  await sendOutboxMessage(deps(), done);
  const nudged: string[] = [];
  setMailDispatcher(async (ids) => void nudged.push(...ids));
  try {
    await relayPendingMail(t.db, { graceSeconds: 60, limit: 1000 });
  } finally {
    setMailDispatcher(undefined);
  }
  expect(nudged).toContain(stale);
  expect(nudged).not.toContain(fresh);
  expect(nudged).not.toContain(held);
  expect(nudged).not.toContain(done);
});
