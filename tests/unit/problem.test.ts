// The one error map: database faults and our own deadline are 503, provider failures 502, both
// with Retry-After; data errors are 400; nothing 5xx carries the underlying message.
import { describe, expect, it } from "vitest";
import { DomainError } from "@evently/core/errors";
import { ProviderError } from "@evently/core/ports/payment-gateway";
import { DeadlineExceeded } from "@evently/core/shared/deadline";
import { problemResponse, toProblem } from "@evently/functions/lib/problem";

const SECRET = "password authentication failed for user aurora_admin at 10.0.3.7";

/** What pg's DatabaseError looks like: an Error with a five-character SQLSTATE `code`. */
const pgError = (code: string, message = SECRET) => Object.assign(new Error(message), { code, severity: "ERROR" });
/** What Node's net module gives for a refused connection (to one address, or each of several). */
const refused = () => Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:5432 ${SECRET}`), { code: "ECONNREFUSED", errno: -111 });

const answer = (error: unknown) => {
  const response = problemResponse(toProblem(error, "req-1"), "req-1");
  return {
    status: response.statusCode,
    headers: response.headers ?? {},
    body: JSON.parse(response.body as string) as Record<string, unknown>,
    raw: response.body as string,
  };
};

describe("failures that are not the caller's fault", () => {
  it.each([
    ["connection refused", refused()],
    [
      "connection refused on every address (AggregateError)",
      Object.assign(new AggregateError([refused(), refused()], SECRET), { code: undefined }),
    ],
    ["connection reset", Object.assign(new Error(SECRET), { code: "ECONNRESET" })],
    ["a dropped connection", new Error("Connection terminated unexpectedly")],
    ["the connect timeout", new Error("Connection terminated due to connection timeout", { cause: new Error(SECRET) })],
    ["the pool wait", new Error("timeout exceeded when trying to connect")],
    ["server shutdown (57P01)", pgError("57P01")],
    ["crash shutdown (57P02)", pgError("57P02")],
    ["starting up (57P03)", pgError("57P03")],
    ["connection exception class 08 (08006)", pgError("08006")],
    ["lock timeout (55P03)", pgError("55P03")],
    ["statement timeout (57014)", pgError("57014")],
    ["deadlock after the retries (40P01)", pgError("40P01")],
    ["a pg error wrapped by a caller", new Error("query failed", { cause: pgError("57P01") })],
    ["our own deadline", new DeadlineExceeded("the request", new Error(SECRET))],
  ])("%s → 503 service_unavailable with Retry-After", (_name, error) => {
    const { status, headers, body, raw } = answer(error);
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 503, code: "service_unavailable", title: "Service Unavailable", requestId: "req-1" });
    expect(Number(headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(headers["retry-after"])).toBeLessThanOrEqual(5);
    expect(headers["content-type"]).toBe("application/problem+json");
    expect(raw).not.toContain(SECRET);
    expect(raw).not.toContain("ECONNREFUSED");
  });

  it("a provider failure is 502 payment_provider_error with Retry-After and never the provider's message", () => {
    const stripeMessage = "No such payment_intent: 'pi_123'; a similar object exists in live mode";
    const { status, headers, body, raw } = answer(
      new ProviderError("invalid_request", Object.assign(new Error(stripeMessage), { statusCode: 400 }), 400),
    );
    expect(status).toBe(502);
    expect(body).toMatchObject({ code: "payment_provider_error", title: "Bad Gateway", requestId: "req-1" });
    expect(Number(headers["retry-after"])).toBeGreaterThan(0);
    expect(raw).not.toContain("pi_123");
  });

  it("a provider error says whether a retry can help", () => {
    expect(new ProviderError("timeout").retryable).toBe(true);
    expect(new ProviderError("rate_limited").retryable).toBe(true);
    expect(new ProviderError("provider_unavailable").retryable).toBe(true);
    expect(new ProviderError("connection").retryable).toBe(true);
    expect(new ProviderError("invalid_request").retryable).toBe(false);
    expect(new ProviderError("card_error").retryable).toBe(false);
    expect(new DeadlineExceeded("x").retryable).toBe(true);
  });
});

describe("data the database refuses is the caller's fault", () => {
  it.each([
    ["a NUL byte (22021)", "22021"],
    ["an impossible date (22008)", "22008"],
    ["a number out of range (22003)", "22003"],
    ["an invalid text representation (22P02)", "22P02"],
  ])("%s → 400 validation_failed without the database's words", (_name, code) => {
    const { status, headers, body, raw } = answer(pgError(code, `invalid byte sequence ${SECRET}`));
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: "validation_failed", status: 400 });
    expect(body.errors).toEqual([{ path: "", message: "Invalid value" }]);
    expect(headers["retry-after"]).toBeUndefined();
    expect(raw).not.toContain(SECRET);
  });
});

describe("everything else", () => {
  it("an unknown error is a bare 500 with the request id only", () => {
    const { status, headers, body, raw } = answer(new TypeError(`Cannot read properties of undefined ${SECRET}`));
    expect(status).toBe(500);
    expect(body).toEqual({
      type: "about:blank",
      title: "Internal Server Error",
      status: 500,
      detail: "An unexpected error occurred",
      code: "internal_error",
      requestId: "req-1",
    });
    expect(headers["retry-after"]).toBeUndefined();
    expect(raw).not.toContain(SECRET);
  });

  it("other SQLSTATEs (a constraint nobody mapped) are not mistaken for outages or bad input", () => {
    expect(answer(pgError("23505")).status).toBe(500);
    expect(answer(pgError("42P01")).status).toBe(500);
  });

  it("domain errors keep their code and their own fields", () => {
    const { status, body } = answer(new DomainError("validation_failed", "bad", { errors: [{ path: "title", message: "Required" }] }));
    expect(status).toBe(400);
    expect(body.errors).toEqual([{ path: "title", message: "Required" }]);
  });
});
