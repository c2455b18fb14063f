// docs/API.md's route table is the one `npm run docs` generates from the manifest and OpenAPI document.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { API_DOC, renderApiDoc, routeTable } from "@evently/functions/openapi/docs";
import { routes } from "@evently/functions/routes";

describe("docs/API.md", () => {
  it("has the route table generated from the current manifest (run `npm run docs` after changing a route)", async () => {
    const committed = await readFile(API_DOC, "utf8");
    expect(committed, "docs/API.md is out of date: run `npm run docs`").toBe(await renderApiDoc(committed));
  });

  it("lists every route of the manifest once, with its problem codes", () => {
    const table = routeTable();
    for (const r of routes) expect(table.split(`| \`${r.method} ${r.path}\` |`).length - 1, `${r.method} ${r.path}`).toBe(1);
    expect(table).toMatch(/`POST \/events\/\{eventId\}\/check-ins` .*\| 200; 201; .*409 `not_active`/);
  });
});
