// Who a token says the caller is, as stored: a token without a verified email keeps the address we
// know, and an email two accounts share finds nobody (the caller names the user by id instead).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveActor } from "@evently/core/users";
import { fromEmail } from "@evently/core/users/users.repository";
import { createTestDatabase, type TestDatabase } from "../../support/db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.destroy());

const emailOf = async (sub: string) =>
  (await t.db.selectFrom("users").select("email").where("externalId", "=", sub).executeTakeFirstOrThrow()).email;

describe("users from claims", () => {
  it("a token without an email (a Cognito access token, an unverified change) keeps the known address", async () => {
    await resolveActor(t.db, { sub: "claims-1", email: "one@example.test", roles: [] });
    const again = await resolveActor(t.db, { sub: "claims-1", email: null, roles: ["organizer"] });
    expect(again.email).toBe("one@example.test");
    expect(again.roles).toContain("organizer");
    expect(await emailOf("claims-1")).toBe("one@example.test");
    await resolveActor(t.db, { sub: "claims-1", email: "new@example.test", roles: [] });
    expect(await emailOf("claims-1")).toBe("new@example.test");
  });

  it("finds a user by email case-insensitively, and refuses to pick when two accounts share it", async () => {
    const one = await resolveActor(t.db, { sub: "claims-2", email: "Shared@Example.test", roles: [] });
    expect(await fromEmail(t.db, "shared@example.TEST")).toEqual({ id: one.userId });
    await resolveActor(t.db, { sub: "claims-3", email: "shared@example.test", roles: [] });
    await expect(fromEmail(t.db, "shared@example.test")).rejects.toMatchObject({ code: "conflict" });
    expect(await fromEmail(t.db, "nobody@example.test")).toBeUndefined();
  });
});
