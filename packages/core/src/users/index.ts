// Users service: the caller's row, created from JWT claims on first sight.
import * as z from "zod";
import type { Db } from "../db/client";
import type { Actor, Claims } from "../auth/actor";
import { fn } from "../shared/fn";
import { parseInput, plainText } from "../shared/validation";
import * as repo from "./users.repository";

export type { User } from "./users.table";

export interface UserView {
  id: string;
  email: string | null;
  roles: string[];
}

/** Resolves the caller to an Actor, creating or refreshing their `users` row (its email is the one we know). */
export async function resolveActor(db: Db, claims: Claims): Promise<Actor> {
  const user = await repo.upsertFromClaims(db, { externalId: claims.sub, email: claims.email, roles: [...claims.roles] });
  return { ...claims, email: user.email, userId: user.id };
}

/** The caller as `GET /me` shows it; the row was refreshed by `resolveActor` on this request. */
export const me = (actor: Actor): UserView => ({ id: actor.userId, email: actor.email, roles: [...actor.roles] });

export interface ProfileView extends UserView {
  name: string | null;
}

/** The caller with their name (GET /me). */
export async function profile(db: Db, actor: Actor): Promise<ProfileView> {
  const user = await repo.fromId(db, actor.userId);
  return { ...me(actor), name: user?.displayName ?? null };
}

export const UpdateMeInput = z.strictObject({ name: plainText(1, 200) });

/** Sets the caller's display name, which their tickets, participant rows and exports show. */
async function update(db: Db, actor: Actor, input: z.input<typeof UpdateMeInput>): Promise<ProfileView> {
  const { name } = parseInput(UpdateMeInput, input);
  const user = await repo.setDisplayName(db, actor.userId, name);
  return { ...me(actor), name: user.displayName };
}
export const updateMe = fn(UpdateMeInput, update);
