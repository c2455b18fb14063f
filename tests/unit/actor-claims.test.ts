// Claims as API Gateway delivers them (every value a string, groups as "[admin organizer]"), the
// local event builder that mimics it, and the one management rule built on the roles.
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { canManage, rolesFromGroups, type Actor } from "@evently/core/auth/actor";
import { claimsFromPayload } from "@evently/functions/lib/auth";
import { buildEvent, stringifyClaims } from "@evently/local/server/apigw-event";

const actor = (userId: string, ...roles: Actor["roles"][number][]): Actor => ({
  sub: userId,
  email: null,
  roles: ["member", ...roles],
  userId,
});

describe("cognito:groups as API Gateway's JWT authorizer passes it", () => {
  it.each([
    ["[admin organizer]", ["member", "admin", "organizer"]],
    ["[organizer]", ["member", "organizer"]],
    ["[]", ["member"]],
    ['["admin","organizer"]', ["member", "admin", "organizer"]],
    [["organizer"], ["member", "organizer"]],
    ["[superuser organizer]", ["member", "organizer"]],
    [undefined, ["member"]],
  ])("%j → %j", (groups, roles) => expect(rolesFromGroups(groups).sort()).toEqual([...roles].sort()));
});

describe("emails are trusted only when verified", () => {
  it.each([
    [{ email_verified: true }, "u1@example.test"],
    [{ email_verified: "true" }, "u1@example.test"],
    [{ email_verified: false }, null],
    [{ email_verified: "false" }, null],
    [{}, null],
  ])("%j → %j", (flag, email) => expect(claimsFromPayload({ sub: "u1", email: "u1@example.test", ...flag })?.email).toBe(email));
});

describe("the local gateway stringifies claims exactly so", () => {
  const token = {
    sub: "u1",
    email: "u1@example.test",
    "cognito:groups": ["admin", "organizer"],
    exp: 1_900_000_000,
    email_verified: true,
    nothing: null,
  };

  it("arrays as [a b], numbers and booleans as text, absent values dropped", () => {
    expect(stringifyClaims(token)).toEqual({
      sub: "u1",
      email: "u1@example.test",
      "cognito:groups": "[admin organizer]",
      exp: "1900000000",
      email_verified: "true",
    });
  });

  it("puts them where handlers read them, and the app reads the roles back", () => {
    const req = {
      headers: { host: "127.0.0.1" },
      method: "GET",
      httpVersion: "1.1",
      socket: { remoteAddress: "127.0.0.1" },
    } as unknown as IncomingMessage;
    const event = buildEvent(
      req,
      new URL("http://local/me"),
      { route: { method: "GET", path: "/me", handler: "http/me", access: "member", resources: [], timeoutSeconds: 6 }, pathParameters: {} },
      Buffer.alloc(0),
      token,
    );
    const claims = (event.requestContext as unknown as { authorizer: { jwt: { claims: Record<string, unknown> } } }).authorizer.jwt.claims;
    expect(claims["cognito:groups"]).toBe("[admin organizer]");
    expect(claimsFromPayload(claims)).toEqual({ sub: "u1", email: "u1@example.test", roles: ["member", "admin", "organizer"] });
  });
});

describe("canManage: the organizer role now and the event's organizer, or an admin", () => {
  it.each([
    ["the event's organizer", actor("o1", "organizer"), true],
    ["an admin of someone else's event", actor("a1", "admin"), true],
    ["another organizer", actor("o2", "organizer"), false],
    ["the event's organizer whose role was removed", actor("o1"), false],
    ["nobody", undefined, false],
  ] as const)("%s → %s", (_, who, expected) => expect(canManage(who, "o1")).toBe(expected));
});
