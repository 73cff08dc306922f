import type { Kysely, Transaction } from '../platform/db/index.js';
import { nowIso } from '../platform/db/index.js';
import type { RisExecutor } from './ris-transaction.js';
import type { RisTables } from './tables.js';

/** The exam notes table ris/ owns (migration 0016-ris-exam-notes). Rows are inserted, never updated. */
export interface ExamNoteTables {
  exam_note: {
    id?: number;
    order_ref: number;
    text: string;
    /** The earlier note of the same order this one corrects (notes are never edited). */
    corrects_note_ref: number | null;
    author_kind: string;
    author_id: string;
    created_at: string;
  };
}

export type ExamNoteRow = Required<ExamNoteTables['exam_note']>;

/** The patient table is read (never written) for the audit record's Patient ID, as the worklist does. */
type NoteDb = ExamNoteTables & RisTables & { patient: { id: number; patient_id: string } };
type Executor = Kysely<NoteDb> | Transaction<NoteDb>;
const on = (db: RisExecutor) => db as unknown as Executor;

/** The order a note is about, with what its audit record names; undefined when there is no such order. */
export async function findNotedOrder(db: RisExecutor, orderId: number) {
  return on(db)
    .selectFrom('imaging_order as o')
    .innerJoin('patient as pt', 'pt.id', 'o.patient_ref')
    .select(['o.id', 'o.accession_number', 'o.study_instance_uid', 'pt.patient_id'])
    .where('o.id', '=', orderId)
    .executeTakeFirst();
}

export async function findExamNote(db: RisExecutor, noteId: number): Promise<ExamNoteRow | undefined> {
  const row = await on(db).selectFrom('exam_note').selectAll().where('id', '=', noteId).executeTakeFirst();
  return row as ExamNoteRow | undefined;
}

export async function insertExamNote(
  db: RisExecutor,
  row: Omit<ExamNoteTables['exam_note'], 'id' | 'created_at'>,
): Promise<ExamNoteRow> {
  const inserted = await on(db)
    .insertInto('exam_note')
    .values({ ...row, created_at: nowIso() })
    .returningAll()
    .executeTakeFirstOrThrow();
  return inserted as ExamNoteRow;
}

/** An order's notes, oldest first (ids grow with time on both dialects). */
export async function listExamNotes(db: RisExecutor, orderId: number): Promise<ExamNoteRow[]> {
  const rows = await on(db)
    .selectFrom('exam_note')
    .selectAll()
    .where('order_ref', '=', orderId)
    .orderBy('id')
    .execute();
  return rows as ExamNoteRow[];
}
