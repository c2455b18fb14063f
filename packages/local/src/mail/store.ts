// The mail sink's mailbox: one JSON file per message under a folder (.local/mail by default),
// named by the outbox id, so a second delivery of the same id stores nothing new.
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Mailer, OutgoingMail } from "@evently/core/ports/mailer";

/** The Mail resource the sink serves. */
export interface StoredMail extends OutgoingMail {
  createdAt: string;
}

export interface Mailbox {
  mailer: Mailer;
  list(filter?: { to?: string }): StoredMail[];
  get(id: string): StoredMail | undefined;
  /** Deliveries that named an id already stored (a resend the sink absorbed). */
  duplicatesAbsorbed(): number;
}

const ID = /^[0-9a-f-]{36}$/i;

export async function openMailbox(dir: string): Promise<Mailbox> {
  await mkdir(dir, { recursive: true });
  const byId = new Map<string, StoredMail>();
  for (const name of await readdir(dir)) {
    if (!name.endsWith(".json") || !ID.test(name.slice(0, -5))) continue;
    const mail = JSON.parse(await readFile(path.join(dir, name), "utf8")) as StoredMail;
    byId.set(mail.id, mail);
  }
  let duplicates = 0;
  const mailer: Mailer = {
    dedupesById: true,
    async send(mail) {
      if (!ID.test(mail.id)) throw new Error("The mail sink needs an outbox id");
      if (byId.has(mail.id)) {
        duplicates += 1;
        return { providerMessageId: `sink-${mail.id}` };
      }
      const stored: StoredMail = { ...mail, createdAt: new Date().toISOString() };
      byId.set(mail.id, stored);
      // Written whole, then renamed: a crash never leaves half a message for the next start.
      const file = path.join(dir, `${mail.id}.json`);
      await writeFile(`${file}.tmp`, JSON.stringify(stored, null, 2));
      await rename(`${file}.tmp`, file);
      return { providerMessageId: `sink-${mail.id}` };
    },
  };
  const newestFirst = (a: StoredMail, b: StoredMail) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
  return {
    mailer,
    list: (filter = {}) => [...byId.values()].filter((m) => !filter.to || m.to.toLowerCase() === filter.to.toLowerCase()).sort(newestFirst),
    get: (id) => byId.get(id),
    duplicatesAbsorbed: () => duplicates,
  };
}
