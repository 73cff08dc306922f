export { openDatabase, type Database, type DatabaseSettings, type DialectName } from './connect.js';
export { migrateToLatest, type LanternMigration } from './migration.js';
export { migrations } from './migrations/index.js';
export { nowIso } from './now.js';
export { preparedQuery } from './prepared-query.js';
export { sql, type Expression, type Kysely, type SqlBool, type Transaction } from 'kysely';

import type { Database } from './connect.js';
import { migrateToLatest } from './migration.js';
import { migrations } from './migrations/index.js';

/** Opens nothing: brings an open database to the latest schema. */
export const migrate = (database: Database) => migrateToLatest(database, migrations);
