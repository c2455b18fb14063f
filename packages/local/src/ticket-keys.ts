// `npm start` keeps its ticket signing keys under .local/, so codes printed yesterday still scan
// after a restart; `npm run rotate-ticket-key` rotates them like Secrets Manager does in AWS.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { generateTicketKey, parseTicketKeySet, rotateTicketKeys, type TicketKeySet } from "@evently/core/tickets/keys";

export const LOCAL_TICKET_KEYS = path.resolve(".local/ticket-keys.json");

async function write(file: string, keys: TicketKeySet): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  // Write-then-rename: a crash never leaves half a key file behind.
  await writeFile(`${file}.tmp`, JSON.stringify(keys), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

/** The persisted key set, created on first start. */
export async function localTicketKeys(file = LOCAL_TICKET_KEYS): Promise<TicketKeySet> {
  try {
    return parseTicketKeySet(await readFile(file, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const keys: TicketKeySet = { current: await generateTicketKey(), previous: null };
  await write(file, keys);
  return keys;
}

/** Rotates the persisted keys: a new current key, the old current kept as previous. */
export async function rotateLocalTicketKeys(file = LOCAL_TICKET_KEYS): Promise<TicketKeySet> {
  const keys = await rotateTicketKeys(await localTicketKeys(file));
  await write(file, keys);
  return keys;
}
