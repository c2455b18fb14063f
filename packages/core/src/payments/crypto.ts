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

/** 64 hex characters (what Secrets Manager generates) or base64. */
const keyBytes = (text: string): Buffer => (/^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64"));

/**
 * Parses a keyring "v2:<32 bytes>,v1:<32 bytes>" (base64 or hex): the first key encrypts, every key
 * decrypts (so rotation is: prepend a new key, re-encrypt at leisure, then drop the old one).
 */
export function parseKeyring(keyring: string): VersionedKey[] {
  const keys = keyring.split(",").map((entry) => {
    // "v2:<key>" or a bare key (= v1, e.g. the 64 hex characters Secrets Manager generates).
    const [version, material] = entry.includes(":") ? entry.trim().split(":") : ["v1", entry.trim()];
    const key = keyBytes(material ?? "");
    if (!version || !/^v\d+$/.test(version) || key.length !== 32) throw new Error("data key must be [v<N>:]<32 bytes as base64 or hex>");
    return { version, key };
  });
  if (keys.length === 0) throw new Error("empty keyring");
  return keys;
}

/**
 * The blind-index key is its own secret (32 bytes, base64 or hex), never part of the keyring:
 * every stored index was computed with it, so it must outlive every data key. Deriving it from a
 * data key would tie lookups to that key and break them when the key is finally dropped. The key
 * itself is stretched with HKDF so an index can never equal a MAC made with the raw secret.
 */
function blindIndexKey(material: string, dataKeys: readonly VersionedKey[]): Buffer {
  const raw = keyBytes(material.trim());
  if (raw.length !== 32) throw new Error("blind-index key must be 32 bytes as base64 or hex");
  if (dataKeys.some((k) => k.key.equals(raw))) throw new Error("the blind-index key must differ from every data key");
  return Buffer.from(hkdfSync("sha256", raw, Buffer.alloc(0), "evently blind index", 32));
}

export function createFieldCipher(keyring: string, indexKeyMaterial: string): FieldCipher {
  const keys = parseKeyring(keyring);
  const current = keys[0]!;
  const byVersion = new Map(keys.map((k) => [k.version, k.key]));
  const indexKey = blindIndexKey(indexKeyMaterial, keys);

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
