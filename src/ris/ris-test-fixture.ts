// Shared set-up of the RIS service tests: a migrated database, a patient, the RIS services.
import { createPatients, reconcilePatient, type PatientKey, type Patients } from '../patients/index.js';
import { createContext, type RequestContext } from '../platform/context.js';
import type { Database } from '../platform/db/index.js';
import { LanternError } from '../platform/errors.js';
import { silentLogger } from '../platform/log/index.js';
import { createPatientReach, createRis, orderMergeParticipant, type Ris } from './index.js';

export interface RisFixture {
  database: Database;
  patients: Patients;
  ris: Ris;
  ctx: RequestContext;
  /** A patient row created through the patients module's public API. */
  patient(patientId: string): Promise<PatientKey>;
  count(table: string): Promise<number>;
}

/** Over a test database (test/support/test-databases.ts openTestDatabase, opened by the test). */
export function risFixture(database: Database, now?: () => Date): RisFixture {
  const ctx = createContext(
    silentLogger(),
    { kind: 'user', id: 'tester', roles: ['administrator'] },
    { door: 'api' },
  );
  // Wired as app.ts wires them: the RIS resolves which patients a referring physician reaches.
  const patientReach = createPatientReach(database);
  const patients = createPatients(database, { participants: [orderMergeParticipant], patientReach });
  return {
    database,
    patients,
    ris: createRis({ database, patients, now, patientReach }),
    ctx,
    patient: (patientId) =>
      database.kysely
        .transaction()
        .execute((trx) => reconcilePatient(trx, { patientId, issuerOfPatientId: 'TEST' })),
    count: async (table) => {
      const row = await database.kysely
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

/** An assert.rejects predicate: a LanternError with this code and a message matching `pattern`. */
export const isError = (code: string, pattern: RegExp) => (e: unknown) =>
  e instanceof LanternError && e.code === code && pattern.test(e.message);
