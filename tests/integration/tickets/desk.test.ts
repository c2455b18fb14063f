// The attendee desk: search by name/email prefix through the indexes, the Participant shape with
// order, payment and tickets, names from PATCH /me and ticket holders, the CSV export (quoting,
// UTF-8, batches, gzip) and comps against capacity.
import { get } from "node:http";
import { gunzipSync } from "node:zlib";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { participantsCsv } from "@evently/core/attendees";
import { signLocalToken } from "@evently/local/tokens";
import { makeActor, makeEvent, makeTicketType, type TestActor } from "../../support/fixtures";
import { call } from "../../support/participation-fixtures";
import { startTestRuntime, type TestRuntime } from "../../support/runtime";

let rt: TestRuntime;
let org: TestActor;
beforeAll(async () => {
  rt = await startTestRuntime();
  org = await makeActor(rt.db, { role: "organizer" });
});
afterAll(() => rt.stop());

/** A member who set their name with PATCH /me and RSVPd to the event. */
async function attendee(eventId: string, name: string): Promise<{ actor: TestActor; participationId: string }> {
  const actor = await makeActor(rt.db);
  expect(await call(rt, "PATCH", "/me", actor, { name })).toMatchObject({ status: 200, body: { id: actor.userId, name } });
  expect((await call(rt, "GET", "/me", actor)).body).toMatchObject({ id: actor.userId, name });
  const res = await call(rt, "POST", `/events/${eventId}/rsvp`, actor);
  return { actor, participationId: res.body.id as string };
}

const names = (body: Record<string, unknown>) => (body.items as { user: { name: string } }[]).map((p) => p.user.name);

describe("participant search", () => {
  it("matches a case-insensitive prefix of the buyer's name or email, or of a ticket holder's; % and _ are literal", async () => {
    const event = await makeEvent(rt.db, org);
    const ada = await attendee(event.id, "Ada Lovelace");
    await attendee(event.id, "Grace Hopper");
    await attendee(event.id, "100% Real_Name");
    const search = async (q: string) =>
      names((await call(rt, "GET", `/events/${event.id}/participants?q=${encodeURIComponent(q)}`, org)).body);
    expect(await search("ada")).toEqual(["Ada Lovelace"]);
    expect(await search("GRACE h")).toEqual(["Grace Hopper"]);
    expect(await search(ada.actor.email!.slice(0, 12).toUpperCase())).toEqual(["Ada Lovelace"]);
    expect(await search("lovelace")).toEqual([]);
    expect(await search("100%")).toEqual(["100% Real_Name"]);
    expect(await search("_")).toEqual([]);
    expect(await search("%")).toEqual([]);

    const [ticket] = (await call(rt, "GET", "/me/tickets", ada.actor)).body.items as { id: string }[];
    await call(rt, "PATCH", `/tickets/${ticket!.id}`, ada.actor, { holderName: "Charles Babbage", holderEmail: "charles@example.test" });
    expect(await search("charles")).toEqual(["Ada Lovelace"]);
    expect(await search("CHARLES@EX")).toEqual(["Ada Lovelace"]);
  });

  it("filters by status and shows the Participant shape: user with name, order and payment ids, tickets with holder", async () => {
    const event = await makeEvent(rt.db, org, { kind: "ticketed", capacity: 10 });
    const guest = await makeActor(rt.db);
    await call(rt, "PATCH", "/me", guest, { name: "Zoë Gäst" });
    await call(rt, "POST", `/events/${event.id}/comps`, org, { email: guest.email, quantity: 2 });
    const list = await call(rt, "GET", `/events/${event.id}/participants?status=active`, org);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        userId: guest.userId,
        status: "active",
        quantity: 2,
        orderId: null,
        paymentId: null,
        paymentStatus: null,
        user: { id: guest.userId, email: guest.email, name: "Zoë Gäst" },
        tickets: [1, 2].map(() =>
          expect.objectContaining({ status: "valid", holderName: "Zoë Gäst", holderEmail: guest.email, code: expect.any(String) }),
        ),
      }),
    ]);
    expect((await call(rt, "GET", `/events/${event.id}/participants?status=cancelled`, org)).body.items).toEqual([]);
  });

  it("the search's predicates are index-served: lower(...) text_pattern_ops on users and on tickets per event", async () => {
    const event = await makeEvent(rt.db, org);
    // Planner choice depends on table sizes; with sequential scans off, a predicate no index can
    // serve would still show up as a (penalised) Seq Scan instead of these index scans.
    const plan = await rt.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const explain = async (query: ReturnType<typeof sql>) =>
        (await sql<{ "QUERY PLAN": string }>`EXPLAIN ${query}`.execute(trx)).rows.map((r) => r["QUERY PLAN"]).join("\n");
      return [
        await explain(sql`SELECT id FROM users WHERE lower(email) LIKE 'ada%' OR lower(display_name) LIKE 'ada%'`),
        await explain(
          sql`SELECT participation_id FROM tickets WHERE event_id = ${event.id} AND (lower(holder_name) LIKE 'ada%' OR lower(holder_email) LIKE 'ada%')`,
        ),
      ].join("\n");
    });
    expect(plan).not.toContain("Seq Scan");
    for (const index of [
      "users_lower_email_pattern_idx",
      "users_lower_display_name_pattern_idx",
      "tickets_event_holder_name_idx",
      "tickets_event_holder_email_idx",
    ]) {
      expect(plan).toContain(index);
    }
  });
});

describe("participants.csv", () => {
  it("is RFC 4180 CSV in UTF-8 with a header row; commas, quotes, newlines and non-ASCII survive; formulas are defused", async () => {
    const event = await makeEvent(rt.db, org);
    await attendee(event.id, 'Doe, "Jo"\nSecond line');
    await attendee(event.id, "Zoë Ångström 山田");
    await attendee(event.id, '=HYPERLINK("x")');
    const res = await rt.call("GET", `/events/${event.id}/participants.csv`, { as: org.as, headers: { "accept-encoding": "identity" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const text = new TextDecoder("utf-8", { fatal: true }).decode(await res.arrayBuffer());
    const lines = text.split("\r\n");
    expect(lines[0]).toBe("name,email,status,ticket_type,quantity,amount_paid,currency,payment_status,checked_in_at,order_id");
    expect(text).toContain('"Doe, ""Jo""\nSecond line",');
    expect(text).toContain("Zoë Ångström 山田,");
    expect(text).toContain(`"'=HYPERLINK(""x"")",`);
    expect(text.endsWith("\r\n")).toBe(true);
    // Records end in CRLF; the bare LF inside the quoted name does not end one: header + 3 records.
    expect(lines.filter((l) => l !== "")).toHaveLength(4);
  });

  it("gzips for clients that accept it, with the same bytes inside", async () => {
    const event = await makeEvent(rt.db, org);
    await attendee(event.id, "Gzip Person");
    const plain = await (
      await rt.call("GET", `/events/${event.id}/participants.csv`, { as: org.as, headers: { "accept-encoding": "identity" } })
    ).text();
    // node:http, not fetch: fetch would decompress before we could see the encoding.
    const token = await signLocalToken(org.as);
    const { headers, body } = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      get(
        `${rt.apiUrl}/events/${event.id}/participants.csv`,
        { headers: { authorization: `Bearer ${token}`, "accept-encoding": "gzip" } },
        (res) => {
          const parts: Buffer[] = [];
          res.on("data", (c: Buffer) => parts.push(c));
          res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
        },
      ).on("error", reject);
    });
    expect(headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(body).toString("utf8")).toBe(plain);
  });

  it("reads the event in keyset batches: one chunk per batch after the header, rows in registration order", async () => {
    const event = await makeEvent(rt.db, org, { kind: "ticketed", capacity: 50 });
    const type = await makeTicketType(rt.db, org, event.id, { name: "VIP, front row" });
    const guests = [];
    for (let i = 0; i < 5; i++) {
      const g = await makeActor(rt.db);
      await call(rt, "POST", `/events/${event.id}/comps`, org, { email: g.email, ticketTypeId: type.id, quantity: 1 + (i % 2) });
      guests.push(g);
    }
    const chunks: string[] = [];
    for await (const chunk of await participantsCsv(rt.db, org, { eventId: event.id }, 2)) chunks.push(chunk);
    expect(chunks).toHaveLength(4); // header, 2 + 2 + 1 rows
    expect(chunks.slice(1).map((c) => c.split("\r\n").length - 1)).toEqual([2, 2, 1]);
    expect(
      chunks
        .slice(1)
        .join("")
        .split("\r\n")
        .filter(Boolean)
        .map((l) => l.split(",")[1]),
    ).toEqual(guests.map((g) => g.email));
    expect(chunks[1]).toContain(',active,"VIP, front row",1,,,,,\r\n');
  });
});

describe("comps", () => {
  it("take seats like any other (409 sold_out when full, nothing written) and leave a history row naming the organizer", async () => {
    const event = await makeEvent(rt.db, org, { capacity: 2 });
    const guest = await makeActor(rt.db);
    await attendee(event.id, "First");
    const comp = await call(rt, "POST", `/events/${event.id}/comps`, org, { email: guest.email!.toUpperCase(), quantity: 1 });
    expect(comp).toMatchObject({ status: 201, body: { status: "active", userId: guest.userId, tickets: [{ status: "valid" }] } });
    const late = await makeActor(rt.db);
    expect(await call(rt, "POST", `/events/${event.id}/comps`, org, { email: late.email, quantity: 1 })).toMatchObject({
      status: 409,
      body: { code: "sold_out" },
    });
    expect(await call(rt, "POST", `/events/${event.id}/comps`, org, { email: guest.email, quantity: 1 })).toMatchObject({
      status: 409,
      body: { code: "already_registered" },
    });
    const counts = await rt.db.selectFrom("events").select("seatsTaken").where("id", "=", event.id).executeTakeFirstOrThrow();
    expect(counts.seatsTaken).toBe(2);
    expect(await rt.db.selectFrom("participations").select("id").where("userId", "=", late.userId).execute()).toEqual([]);
    const history = await rt.db
      .selectFrom("participationHistory")
      .select(["actionType", "changedBy", "changeReason"])
      .where("participationId", "=", comp.body.id as string)
      .execute();
    expect(history).toEqual([{ actionType: "Created", changedBy: org.userId, changeReason: "Complimentary seat" }]);
  });
});
