import { describeActor, type RequestContext } from '../platform/context.js';
import { invalid, notFound } from '../platform/errors.js';
import type { AuditEntry } from '../platform/security/index.js';
import {
  findExamNote,
  findNotedOrder,
  insertExamNote,
  listExamNotes,
  type ExamNoteRow,
} from './exam-note-repo.js';
import type { OrderId } from './ids.js';
import { positiveId } from './order.js';
import { auditOfOrders } from './order-audit.js';
import type { RisDeps } from './ris-deps.js';
import { auditedChange, auditedRead, type RisExecutor } from './ris-transaction.js';

// What the technologist writes on an exam for the radiologist who reads it: contrast given, the patient could
// not hold his breath, series 3 repeated. Append-only, so what the reader saw stays on record: a note is never
// edited or removed; a correction is a new note naming the one it corrects.

/** One note on an exam (an imaging order), with who wrote it and when. */
export interface ExamNote {
  id: number;
  orderId: OrderId;
  text: string;
  /** The earlier note of this exam that this one corrects, or null. */
  correctsNoteId: number | null;
  author: { kind: string; id: string };
  createdAt: string;
}

export interface ExamNoteInput {
  text: string;
  correctsNoteId?: number;
}

/** Long enough for a paragraph; a note is not a report. */
export const EXAM_NOTE_MAX_LENGTH = 2000;

const toNote = (r: ExamNoteRow): ExamNote => ({
  id: Number(r.id),
  orderId: Number(r.order_ref) as OrderId,
  text: r.text,
  correctsNoteId: r.corrects_note_ref === null ? null : Number(r.corrects_note_ref),
  author: { kind: r.author_kind, id: r.author_id },
  createdAt: r.created_at,
});

function noteText(input: ExamNoteInput | undefined): string {
  const text = typeof input?.text === 'string' ? input.text.trim() : '';
  if (text === '') throw invalid('a note needs text');
  if (text.length > EXAM_NOTE_MAX_LENGTH)
    throw invalid(`a note is at most ${EXAM_NOTE_MAX_LENGTH} characters (this one has ${text.length})`);
  return text;
}

/** The order, or not found; the audit record then names its patient and exam's study, as every RIS record. */
async function notedOrder(db: RisExecutor, orderId: OrderId) {
  const id = positiveId('orderId', orderId);
  const order = await findNotedOrder(db, id);
  if (!order) throw notFound('order', String(id));
  return { id, audit: await auditOfOrders(db, [id]) };
}

export function createExamNotes(deps: RisDeps) {
  return {
    /** Adds a note to an exam as the caller; refused without text, or correcting a note of another exam. */
    add: (ctx: RequestContext, orderId: OrderId, input: ExamNoteInput) => {
      let audit: Partial<AuditEntry> = {};
      return auditedChange(
        deps,
        ctx,
        { action: 'exam-note.add', detail: { orderId, correctsNoteId: input?.correctsNoteId ?? null } },
        async (trx) => {
          const order = await notedOrder(trx, orderId);
          audit = order.audit;
          const text = noteText(input);
          const corrects = input.correctsNoteId;
          if (corrects !== undefined) {
            const earlier = await findExamNote(trx, positiveId('correctsNoteId', corrects));
            if (!earlier || Number(earlier.order_ref) !== order.id)
              throw invalid(
                `note ${corrects} is not a note of order ${order.id}; only those can be corrected`,
              );
          }
          const author = describeActor(ctx.actor);
          const row = await insertExamNote(trx, {
            order_ref: order.id,
            text,
            corrects_note_ref: corrects ?? null,
            author_kind: author.kind,
            author_id: author.id,
          });
          return toNote(row);
        },
        (note) => ({ ...audit, detail: { ...audit.detail, noteId: note.id } }),
      );
    },

    /** An exam's notes, oldest first. */
    list: (ctx: RequestContext, orderId: OrderId) => {
      let audit: Partial<AuditEntry> = {};
      return auditedRead(
        deps,
        ctx,
        { action: 'exam-note.list', detail: { orderId } },
        async (db) => {
          const order = await notedOrder(db, orderId);
          audit = order.audit;
          return (await listExamNotes(db, order.id)).map(toNote);
        },
        (notes) => ({ ...audit, detail: { ...audit.detail, returned: notes.length } }),
      );
    },
  };
}
