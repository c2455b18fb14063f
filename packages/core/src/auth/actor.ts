// The authenticated caller as the domain sees it, and the role checks every service shares.
import { DomainError } from "../errors";

export type Role = "admin" | "organizer" | "member";

export interface Claims {
  sub: string;
  email: string | null;
  roles: readonly Role[];
}

export interface Actor extends Claims {
  /** Our `users.id` for this caller. */
  userId: string;
}

export const isAdmin = (actor: Actor): boolean => actor.roles.includes("admin");
export const isOrganizer = (actor: Actor): boolean => actor.roles.includes("organizer") || isAdmin(actor);

/**
 * The one management rule: a caller manages an event (and its ticket types, promo codes, orders,
 * payments, participants and reports) when they hold the organizer role now AND organize it, or
 * are an admin. Being the event's `organizer_id` alone is not enough: a user whose organizer role
 * was removed manages nothing.
 */
export const canManage = (actor: Actor | undefined, organizerId: string): boolean =>
  actor !== undefined && (isAdmin(actor) || (actor.roles.includes("organizer") && organizerId === actor.userId));

/** Throws 403 unless the caller has `role` (admin satisfies every role). */
export function requireRole(actor: Actor, role: Role): void {
  const ok = role === "member" || (role === "organizer" ? isOrganizer(actor) : isAdmin(actor));
  if (!ok) throw new DomainError("forbidden", `This requires the ${role} role`);
}

const KNOWN: readonly Role[] = ["admin", "organizer"];

/**
 * Reads `cognito:groups`, which arrives as an array (locally, JWT) or, from API Gateway's JWT
 * authorizer, as a string such as "[admin organizer]" or a JSON array string.
 */
export function rolesFromGroups(groups: unknown): Role[] {
  let list: unknown[] = [];
  if (Array.isArray(groups)) list = groups;
  else if (typeof groups === "string") {
    const text = groups.trim();
    try {
      const parsed: unknown = JSON.parse(text);
      list = Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      list = text.replace(/^\[|\]$/g, "").split(/[\s,]+/);
    }
  }
  const roles = new Set<Role>(["member"]);
  for (const g of list) if (typeof g === "string" && (KNOWN as string[]).includes(g)) roles.add(g as Role);
  return [...roles];
}
