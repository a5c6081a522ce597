import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';

/**
 * Kysely dialect over one embedded PGlite instance. PGlite is a single connection, so the driver
 * hands it to one holder at a time: concurrent transactions queue instead of interleaving
 * statements on the same session (which would mix their SET LOCAL tenant and their commits).
 */
export class PGliteDialect implements Dialect {
  readonly #db: PGlite;
  constructor(db: PGlite) {
    this.#db = db;
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.#db);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

class PGliteDriver implements Driver {
  readonly #connection: PGliteConnection;
  #tail: Promise<void> = Promise.resolve();

  constructor(db: PGlite) {
    this.#connection = new PGliteConnection(db);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.#connection.release = release;
    return this.#connection;
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PGliteConnection).release();
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    await this.#tail;
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #db: PGlite;
  release: () => void = () => {};

  constructor(db: PGlite) {
    this.#db = db;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    // Without parameters use the simple protocol, which (like pg) accepts several statements:
    // migrations are plain SQL files.
    if (compiled.parameters.length === 0) {
      const results = await this.#db.exec(compiled.sql);
      const last = results[results.length - 1];
      // Rows of every statement, as pg returns them for a multi-statement text (a RETURNING in a
      // BEGIN … COMMIT block must not be lost behind the COMMIT).
      const rows = results.flatMap((r) => r.rows ?? []);
      return toResult<R>(rows as R[], last?.affectedRows);
    }
    const result = await this.#db.query<R>(compiled.sql, [...compiled.parameters]);
    return toResult(result.rows, result.affectedRows);
  }

  // PGlite has no cursors; Kysely requires the method.
  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported on embedded PGlite');
  }
}

function toResult<R>(rows: R[] | undefined, affected: number | undefined): QueryResult<R> {
  return { rows: rows ?? [], ...(affected === undefined ? {} : { numAffectedRows: BigInt(affected) }) };
}
