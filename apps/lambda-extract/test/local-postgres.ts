// A real Postgres wire-protocol server on 127.0.0.1 (PGlite behind pglite-socket), reached with
// the `pg` driver as the Lambda reaches its source. A fresh PGlite takes seconds and hundreds of
// MB: start one per test file.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';

export interface LocalPostgres {
  host: string;
  port: number;
  url: string;
  /** Runs statements on a connection of its own, closed afterwards. */
  sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<LocalPostgres> {
  const db = await PGlite.create();
  // Every socket connection shares PGlite's one backend session; a few at once is enough here.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  const [host, port] = server.getServerConn().split(':') as [string, string];
  const url = `postgres://postgres:postgres@${host}:${port}/postgres`;
  return {
    host,
    port: Number(port),
    url,
    sql: async <T extends pg.QueryResultRow>(text: string, values?: unknown[]) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<T>(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
