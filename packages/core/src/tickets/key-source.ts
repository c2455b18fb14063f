// Where the runtime says ticket signing keys come from. Kept free of jose so that registering a
// loader costs a function nothing at cold start; the keys are only loaded when a code is needed.
import type { TicketKeySet } from "./keys";

/** `fresh`: bypass any cache in front of the store (a code named a key newer than the cached set). */
export type TicketKeyLoader = (options?: { fresh?: boolean }) => Promise<TicketKeySet>;

let loader: TicketKeyLoader | undefined;

/** Registers where keys come from; the runtime calls it once at start (tests may swap it). */
export function useTicketKeys(load: TicketKeyLoader): void {
  loader = load;
}

export function loadTicketKeys(options?: { fresh?: boolean }): Promise<TicketKeySet> {
  if (!loader) throw new Error("Ticket signing keys are not configured (useTicketKeys)");
  return loader(options);
}
