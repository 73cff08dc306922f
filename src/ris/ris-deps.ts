import type { Database } from '../platform/db/index.js';

/** What the RIS services run on; built once by app.ts. */
export interface RisDeps {
  database: Database;
  /** The current time; tests pin it to make accession numbers and slots predictable. */
  now?: () => Date;
}

export const currentTime = (deps: RisDeps): Date => deps.now?.() ?? new Date();
