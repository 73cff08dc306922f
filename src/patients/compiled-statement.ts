import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { PatientTables } from './tables.js';

type Executor = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Stand-ins for a statement's parameters while it is built: each one names the value it will take. */
export type Placeholders<P> = { readonly [K in keyof P]: never };

const PLACEHOLDER = '\u0000lantern-parameter:';

/**
 * A statement built by Kysely once per dialect and then run with new values: on the hot path (an HL7 ADT
 * message finds or registers its patient) building and compiling a query each time cost more than running
 * it, and SQLite keeps the prepared statement of each SQL text (platform/db's statement cache). `build`
 * gets placeholders instead of values; their order in the compiled SQL is read back, so `run` passes the
 * values by name whatever order the dialect puts them in. Works on both dialects and inside a batch's
 * savepoint database.
 */
export function compiledStatement<P extends Record<string, unknown>, Row = unknown>(
  build: (db: Kysely<PatientTables>, values: Placeholders<P>) => Compilable<Row>,
) {
  const compiled = new Map<string, { sql: string; order: (keyof P)[] }>();
  const placeholders = new Proxy({} as Placeholders<P>, {
    get: (_, name) => `${PLACEHOLDER}${String(name)}`,
  });

  function compile(executor: Executor) {
    const dialect = executor.getExecutor().adapter.constructor.name;
    let statement = compiled.get(dialect);
    if (statement === undefined) {
      const query = build(executor as Kysely<PatientTables>, placeholders).compile();
      const order = query.parameters.map((parameter) => {
        if (typeof parameter !== 'string' || !parameter.startsWith(PLACEHOLDER))
          throw new Error(`compiledStatement: a fixed value (${String(parameter)}) in ${query.sql}`);
        return parameter.slice(PLACEHOLDER.length) as keyof P;
      });
      statement = { sql: query.sql, order };
      compiled.set(dialect, statement);
    }
    return statement;
  }

  return async (executor: Executor, values: P): Promise<Row[]> => {
    const { sql, order } = compile(executor);
    const result = await executor.executeQuery<Row>(
      CompiledQuery.raw(
        sql,
        order.map((name) => values[name]),
      ),
    );
    return result.rows as Row[];
  };
}
