// Right after a rotation a warm container still caches the old key set while a fresh one signs with
// the new key: a code naming a key the cache does not know is checked against the store once more,
// uncached, before it is refused; made-up key ids cannot make every scan read the store.
import { describe, expect, it } from "vitest";
import { createTicketCodes, verifyTicketCode } from "@evently/core/tickets/codes";
import { useTicketKeys } from "@evently/core/tickets/key-source";
import { generateTicketKey, type TicketKeySet } from "@evently/core/tickets/keys";

describe("verifying a code signed with a key newer than the cached set", () => {
  it("reads the store past the cache once, then verifies; unknown keys do not read it again at once", async () => {
    const old: TicketKeySet = { current: await generateTicketKey("k-old"), previous: null };
    const rotated: TicketKeySet = { current: await generateTicketKey("k-new"), previous: old.current };
    let cached = old;
    const reads: boolean[] = [];
    useTicketKeys(async (options) => {
      reads.push(options?.fresh ?? false);
      if (options?.fresh) cached = rotated;
      return cached;
    });
    const ticket = { id: crypto.randomUUID(), eventId: crypto.randomUUID() };
    const code = await (await createTicketCodes(rotated)).sign(ticket);

    expect(await verifyTicketCode(code, ticket.eventId)).toBe(ticket.id);
    expect(reads.filter(Boolean)).toHaveLength(1);
    // Now cached: the next scan needs no second look.
    expect(await verifyTicketCode(code, ticket.eventId)).toBe(ticket.id);
    expect(reads.filter(Boolean)).toHaveLength(1);

    const stranger = { current: await generateTicketKey("k-made-up"), previous: null };
    const forged = await (await createTicketCodes(stranger)).sign(ticket);
    await expect(verifyTicketCode(forged, ticket.eventId)).rejects.toMatchObject({ code: "invalid_ticket_code" });
    await expect(verifyTicketCode(forged, ticket.eventId)).rejects.toMatchObject({ code: "invalid_ticket_code" });
    expect(reads.filter(Boolean)).toHaveLength(1);
  });
});
