// Ticket codes: compact JWS (EdDSA over Ed25519) naming the ticket and its event, small enough
// for a QR code and verifiable offline against the public JWKS.
import { CompactSign, compactVerify, decodeProtectedHeader, importJWK, type CryptoKey } from "jose";
import * as z from "zod";
import { DomainError } from "../errors";
import { loadTicketKeys, type TicketKeySet, type TicketPrivateJwk } from "./keys";

export interface TicketCodes {
  sign(ticket: { id: string; eventId: string }): Promise<string>;
  /** Whether this key set can verify codes signed with `kid`. */
  knows(kid: string): boolean;
  /** The ticket id the code names, or 422 invalid_ticket_code (forged, tampered, old key, other event). */
  verify(code: string, eventId: string): Promise<string>;
}

// Short claim names keep the code, and so the QR image, small.
const Claims = z.strictObject({ t: z.uuid(), e: z.uuid() });
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const ticketVoid = () => new DomainError("ticket_void", "This ticket is void: its order was cancelled or refunded");
export const invalidTicketCode = () => new DomainError("invalid_ticket_code", "This code is not a ticket of this event");

const publicKey = ({ kty, crv, x, kid }: TicketPrivateJwk) => importJWK({ kty, crv, x, kid }, "EdDSA") as Promise<CryptoKey>;

export async function createTicketCodes(keys: TicketKeySet): Promise<TicketCodes> {
  const signingKey = (await importJWK(keys.current, "EdDSA")) as CryptoKey;
  const verifying = new Map<string, CryptoKey>([[keys.current.kid, await publicKey(keys.current)]]);
  if (keys.previous) verifying.set(keys.previous.kid, await publicKey(keys.previous));
  return {
    knows: (kid) => verifying.has(kid),
    // Ed25519 signatures are deterministic: a ticket's code stays the same until the key rotates.
    sign: (ticket) =>
      new CompactSign(encoder.encode(JSON.stringify({ t: ticket.id, e: ticket.eventId })))
        .setProtectedHeader({ alg: "EdDSA", kid: keys.current.kid })
        .sign(signingKey),
    async verify(code, eventId) {
      let payload: Uint8Array;
      try {
        ({ payload } = await compactVerify(
          code,
          (header) => {
            const key = header.kid === undefined ? undefined : verifying.get(header.kid);
            if (!key) throw new Error("unknown kid");
            return key;
          },
          { algorithms: ["EdDSA"] },
        ));
      } catch {
        throw invalidTicketCode();
      }
      let claims: z.output<typeof Claims> | undefined;
      try {
        claims = Claims.parse(JSON.parse(decoder.decode(payload)));
      } catch {
        throw invalidTicketCode();
      }
      if (claims.e !== eventId) throw invalidTicketCode();
      return claims.t;
    },
  };
}

// One TicketCodes per key set: importing keys costs more than signing.
let cached: { id: string; codes: Promise<TicketCodes> } | undefined;

/** The codec for the keys the runtime currently serves (they change after a rotation). */
export async function ticketCodes(options?: { fresh?: boolean }): Promise<TicketCodes> {
  const keys = await loadTicketKeys(options);
  const id = [keys.current.kid, keys.current.x, keys.previous?.kid, keys.previous?.x].join("/");
  if (cached?.id !== id) cached = { id, codes: createTicketCodes(keys) };
  return cached.codes;
}

/** The key id a code names; undefined for anything that is not a compact JWS. */
function kidOf(code: string): string | undefined {
  try {
    return decodeProtectedHeader(code).kid;
  } catch {
    return undefined;
  }
}

// Looking past the cache is rate-limited per container: codes naming made-up keys must not turn
// into a flood of secret reads.
const REFRESH_EVERY_MS = 30_000;
let lastRefresh = Number.NEGATIVE_INFINITY;

/**
 * Verifies a scanned code. Containers cache the key set for minutes; right after a rotation a
 * ticket signed by a fresh container names a key a warm one has not seen, so a code naming an
 * unknown key looks at the store once more, uncached, before it is refused.
 */
export async function verifyTicketCode(code: string, eventId: string): Promise<string> {
  const codes = await ticketCodes();
  const kid = kidOf(code);
  if (kid === undefined || codes.knows(kid) || Date.now() - lastRefresh < REFRESH_EVERY_MS) return codes.verify(code, eventId);
  lastRefresh = Date.now();
  return (await ticketCodes({ fresh: true })).verify(code, eventId);
}
