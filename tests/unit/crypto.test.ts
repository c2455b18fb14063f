// Field encryption: AES-256-GCM with versioned keys, and a blind index that survives rotation.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createFieldCipher } from "@evently/core/payments/crypto";

const b64 = () => randomBytes(32).toString("base64");

describe("field cipher", () => {
  it("round-trips, never stores the plain text, and differs on every encryption", () => {
    const cipher = createFieldCipher(`v1:${b64()}`);
    const a = cipher.encrypt("pi_123");
    expect(a).toMatch(/^v1:/);
    expect(a).not.toContain("pi_123");
    expect(cipher.encrypt("pi_123")).not.toBe(a);
    expect(cipher.decrypt(a)).toBe("pi_123");
  });

  it("rejects tampered ciphertext", () => {
    const cipher = createFieldCipher(`v1:${b64()}`);
    const token = cipher.encrypt("pi_123");
    const raw = Buffer.from(token.slice(3), "base64");
    raw[14] = raw[14]! ^ 1;
    expect(() => cipher.decrypt(`v1:${raw.toString("base64")}`)).toThrow();
  });

  it("rotates: a new key encrypts, old tokens still decrypt, blind indexes stay equal", () => {
    const v1 = b64();
    const before = createFieldCipher(`v1:${v1}`);
    const after = createFieldCipher(`v2:${b64()},v1:${v1}`);
    const old = before.encrypt("pi_abc");
    expect(after.decrypt(old)).toBe("pi_abc");
    expect(after.encrypt("pi_abc")).toMatch(/^v2:/);
    expect(after.blindIndex("pi_abc")).toBe(before.blindIndex("pi_abc"));
    expect(after.blindIndex("pi_abd")).not.toBe(after.blindIndex("pi_abc"));
  });

  it("accepts the bare 64-hex key Secrets Manager generates, and refuses short keys", () => {
    const hex = randomBytes(32).toString("hex");
    expect(createFieldCipher(hex).encrypt("x")).toMatch(/^v1:/);
    expect(() => createFieldCipher("v1:c2hvcnQ=")).toThrow(/32 bytes/);
  });
});
