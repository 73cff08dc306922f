import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';

type Executor = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MARK = '\u0000param:';

/**
 * A query built and compiled by Kysely once per dialect, then run with new values: for statements a hot path
 * runs thousands of times a second (ingest), where building and compiling the same query anew cost more
 * than running it (SQLite reuses the prepared statement of the same SQL text; see connect.ts). Every value
 * of the query must come from `param(name)`; write constants as SQL (`sql\`n + 1\``).
 */
export function preparedQuery<Name extends string, Row = unknown>(
  build: (db: Executor, param: (name: Name) => string) => Compilable<Row>,
): (executor: Executor, values: Record<Name, unknown>) => Promise<QueryResult<Row>> {
  // One compilation per dialect adapter, which every transaction of a Kysely instance shares.
  const compiled = new WeakMap<object, { query: CompiledQuery<Row>; names: Name[] }>();
  return (executor, values) => {
    const adapter = executor.getExecutor().adapter;
    let entry = compiled.get(adapter);
    if (entry === undefined) {
      const query = build(executor, (name) => MARK + name).compile();
      const names = query.parameters.map((value) => {
        if (typeof value !== 'string' || !value.startsWith(MARK))
          throw new Error(`preparedQuery: a value not given by param(): ${JSON.stringify(value)}`);
        return value.slice(MARK.length) as Name;
      });
      entry = { query, names };
      compiled.set(adapter, entry);
    }
    const { query, names } = entry;
    return executor.executeQuery<Row>({ ...query, parameters: names.map((name) => values[name]) });
  };
}
