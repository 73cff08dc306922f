import type { LanternMigration } from '../migration.js';
import { referenceColumn, withIdColumn } from '../migration.js';

/**
 * ris/: the technologist's notes on an exam (contrast given, breath-hold failed, series repeated), read by
 * the radiologist beside the report. Append-only: a correction is a new note naming the one it corrects.
 */
export const risExamNotesMigration: LanternMigration = {
  name: '0016-ris-exam-notes',
  async up(db, dialect) {
    await withIdColumn(db.schema.createTable('exam_note'), dialect)
      .addColumn('order_ref', 'bigint', referenceColumn('imaging_order', 'restrict'))
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('corrects_note_ref', 'bigint', (c) => c.references('exam_note.id').onDelete('restrict'))
      .addColumn('author_kind', 'text', (c) => c.notNull())
      .addColumn('author_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('exam_note_order_idx').on('exam_note').columns(['order_ref', 'id']).execute();
  },
};
