// Field encryption: AES-256-GCM with versioned keys, and a blind index (its own key) that survives rotation.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createFieldCipher } from "@evently/core/payments/crypto";

const b64 = () => randomBytes(32).toString("base64");
const INDEX = b64();

describe("field cipher", () => {
  it("round-trips, never stores the plain text, and differs on every encryption", () => {
    const cipher = createFieldCipher(`v1:${b64()}`, INDEX);
    const a = cipher.encrypt("pi_123");
    expect(a).toMatch(/^v1:/);
    expect(a).not.toContain("pi_123");
    expect(cipher.encrypt("pi_123")).not.toBe(a);
    expect(cipher.decrypt(a)).toBe("pi_123");
  });

  it("rejects tampered ciphertext", () => {
    const cipher = createFieldCipher(`v1:${b64()}`, INDEX);
    const token = cipher.encrypt("pi_123");
    const raw = Buffer.from(token.slice(3), "base64");
    raw[14] = raw[14]! ^ 1;
    expect(() => cipher.decrypt(`v1:${raw.toString("base64")}`)).toThrow();
  });

  it("rotates through every documented step (add v2 before v1, re-encrypt, drop v1) with the same blind index", () => {
    const [v1, v2] = [b64(), b64()];
    const before = createFieldCipher(`v1:${v1}`, INDEX);
    const during = createFieldCipher(`v2:${v2},v1:${v1}`, INDEX);
    const after = createFieldCipher(`v2:${v2}`, INDEX);
    const old = before.encrypt("pi_abc");
    expect(during.decrypt(old)).toBe("pi_abc");
    const reencrypted = during.encrypt(during.decrypt(old));
    expect(reencrypted).toMatch(/^v2:/);
    expect(after.decrypt(reencrypted)).toBe("pi_abc");
    expect(() => after.decrypt(old)).toThrow(/unknown data key version/);
    // The index stored at v1 time still finds the row once v1 is gone.
    expect(during.blindIndex("pi_abc")).toBe(before.blindIndex("pi_abc"));
    expect(after.blindIndex("pi_abc")).toBe(before.blindIndex("pi_abc"));
    expect(after.blindIndex("pi_abd")).not.toBe(after.blindIndex("pi_abc"));
  });

  it("keys the blind index with the index key alone: another index key gives other indexes", () => {
    const keyring = `v1:${b64()}`;
    expect(createFieldCipher(keyring, b64()).blindIndex("pi_abc")).not.toBe(createFieldCipher(keyring, INDEX).blindIndex("pi_abc"));
  });

  it("refuses a missing or short index key, and one that is also a data key", () => {
    const v1 = b64();
    expect(() => createFieldCipher(`v1:${v1}`, "")).toThrow(/blind-index key must be 32 bytes/);
    expect(() => createFieldCipher(`v1:${v1}`, "c2hvcnQ=")).toThrow(/blind-index key must be 32 bytes/);
    expect(() => createFieldCipher(`v2:${b64()},v1:${v1}`, v1)).toThrow(/differ from every data key/);
  });

  it("accepts the bare 64-hex key Secrets Manager generates, and refuses short keys", () => {
    const hex = randomBytes(32).toString("hex");
    expect(createFieldCipher(hex, randomBytes(32).toString("hex")).encrypt("x")).toMatch(/^v1:/);
    expect(() => createFieldCipher("v1:c2hvcnQ=", INDEX)).toThrow(/32 bytes/);
  });
});
