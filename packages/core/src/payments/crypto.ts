// Provider ids at rest: AES-256-GCM with a key-version prefix (rotation-ready), plus an HMAC
// blind index so we can look a payment up by its provider id without storing it in clear.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";

export interface FieldCipher {
  encrypt(plain: string): string;
  decrypt(token: string): string;
  /** Deterministic keyed hash for equality lookups. */
  blindIndex(plain: string): string;
}

interface VersionedKey {
  version: string;
  key: Buffer;
}

/**
 * Parses a keyring "v2:<32 bytes>,v1:<32 bytes>" (base64 or hex): the first key encrypts, every key
 * decrypts (so rotation is: prepend a new key, re-encrypt at leisure, then drop the old one).
 * The blind-index key is derived from the LAST (oldest) key so lookups survive a rotation.
 */
export function parseKeyring(keyring: string): VersionedKey[] {
  const keys = keyring.split(",").map((entry) => {
    // "v2:<key>" or a bare key (= v1, e.g. the 64 hex characters Secrets Manager generates).
    const [version, material] = entry.includes(":") ? entry.trim().split(":") : ["v1", entry.trim()];
    const text = material ?? "";
    const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
    if (!version || !/^v\d+$/.test(version) || key.length !== 32) throw new Error("data key must be [v<N>:]<32 bytes as base64 or hex>");
    return { version, key };
  });
  if (keys.length === 0) throw new Error("empty keyring");
  return keys;
}

export function createFieldCipher(keyring: string): FieldCipher {
  const keys = parseKeyring(keyring);
  const current = keys[0]!;
  const byVersion = new Map(keys.map((k) => [k.version, k.key]));
  const indexKey = Buffer.from(hkdfSync("sha256", keys[keys.length - 1]!.key, Buffer.alloc(0), "evently blind index", 32));

  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", current.key, iv);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `${current.version}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64")}`;
    },
    decrypt(token) {
      const sep = token.indexOf(":");
      const key = byVersion.get(token.slice(0, sep));
      if (sep < 0 || !key) throw new Error("unknown data key version");
      const raw = Buffer.from(token.slice(sep + 1), "base64");
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8");
    },
    blindIndex(plain) {
      return createHmac("sha256", indexKey).update(plain, "utf8").digest("base64url");
    },
  };
}
