// Domain errors: a stable machine `code` per failure; the HTTP status for each code is chosen in
// one place only (packages/functions/src/lib/problem.ts).

export type ErrorCode =
  | "validation_failed"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "event_full"
  | "already_registered"
  | "not_registered"
  | "sold_out"
  | "not_on_sale"
  | "capacity_below_taken"
  | "quantity_below_taken"
  | "invalid_state"
  | "invalid_quantity"
  | "unknown_ticket_type"
  | "invalid_promo_code"
  | "cancellation_closed"
  | "not_active"
  | "refund_exceeds_payment"
  | "idempotency_key_required"
  | "idempotency_key_reused"
  | "idempotency_key_in_progress"
  | "payment_provider_error"
  | "amount_not_chargeable"
  | "service_unavailable"
  | "invalid_signature"
  | "event_ended"
  | "not_waitlisted"
  | "ticket_void"
  | "invalid_ticket_code"
  | "unknown_user";

export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra members for the problem body, e.g. `{ errors: [...] }`. Never secrets. */
    readonly extra: Record<string, unknown> = {},
    /** The underlying error, for logs only; never part of the response. */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

export const notFound = (what: string) => new DomainError("not_found", `${what} not found`);
export const forbidden = (detail = "You are not allowed to do this") => new DomainError("forbidden", detail);
