// The Ed25519 key set that signs ticket codes: the current key signs, the previous one still
// verifies (codes already mailed or printed survive one rotation). Where it comes from is the
// runtime's business (Secrets Manager in AWS, a file or a generated key locally): see key-source.ts.
import { exportJWK, generateKeyPair, type JWK } from "jose";
import * as z from "zod";

const PrivateJwk = z.object({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519"),
  x: z.string().min(1),
  d: z.string().min(1),
  kid: z.string().min(1).max(64),
});
export type TicketPrivateJwk = z.output<typeof PrivateJwk>;

const KeySet = z.object({ current: PrivateJwk, previous: PrivateJwk.nullable().default(null) });
export type TicketKeySet = z.output<typeof KeySet>;

/** Parses the stored JSON; a malformed secret fails loudly at first use, never signs with garbage. */
export function parseTicketKeySet(text: string): TicketKeySet {
  const parsed = KeySet.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`Ticket signing keys are malformed: ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`);
  if (parsed.data.previous?.kid === parsed.data.current.kid) throw new Error("Ticket signing keys: current and previous share a kid");
  return parsed.data;
}

/** A fresh Ed25519 key as a private JWK; the kid is unique enough to tell rotations apart. */
export async function generateTicketKey(
  kid = `tk-${new Date().toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`,
): Promise<TicketPrivateJwk> {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk: JWK = await exportJWK(privateKey);
  return PrivateJwk.parse({ ...jwk, kid });
}

/** The next key set of a rotation: a new current key, and the old current kept as previous. */
export async function rotateTicketKeys(keys: TicketKeySet | null): Promise<TicketKeySet> {
  return { current: await generateTicketKey(), previous: keys?.current ?? null };
}

/** Public halves only: what a door app needs to verify codes offline. */
export const publicJwks = (keys: TicketKeySet) => ({
  keys: [keys.current, ...(keys.previous ? [keys.previous] : [])].map(({ kty, crv, x, kid }) => ({
    kty,
    crv,
    x,
    kid,
    alg: "EdDSA",
    use: "sig",
  })),
});

export { useTicketKeys, loadTicketKeys } from "./key-source";
