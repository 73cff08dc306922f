import type { LanternMigration } from '../migration.js';
import { referenceColumn, withIdColumn } from '../migration.js';

/** ris/: the reading worklist's per-exam state, report templates, reports with versions, charges. */
export const risReportsMigration: LanternMigration = {
  name: '0010-ris-reports',
  async up(db, dialect) {
    // One row per order once someone claims it (or, later, an AI result flags it).
    await db.schema
      .createTable('reading_state')
      .addColumn('order_ref', 'bigint', (c) =>
        c.primaryKey().references('imaging_order.id').onDelete('cascade'),
      )
      .addColumn('claimed_by', 'text')
      .addColumn('claimed_at', 'text')
      .addColumn('claim_expires_at', 'text')
      .addColumn('ai_flag', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await withIdColumn(db.schema.createTable('report_template'), dialect)
      .addColumn('procedure_ref', 'bigint', (c) => c.references('procedure_code.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('sections', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('report_template_procedure_idx')
      .on('report_template')
      .column('procedure_ref')
      .execute();

    await withIdColumn(db.schema.createTable('report'), dialect)
      .addColumn('order_ref', 'bigint', (c) =>
        c.notNull().unique().references('imaging_order.id').onDelete('restrict'),
      )
      .addColumn('critical', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    // Append-only apart from the one draft at the head: signed versions are never updated.
    await withIdColumn(db.schema.createTable('report_version'), dialect)
      .addColumn('report_ref', 'bigint', referenceColumn('report', 'restrict'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('sections', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('author_kind', 'text', (c) => c.notNull())
      .addColumn('author_id', 'text', (c) => c.notNull())
      .addColumn('signer_id', 'text')
      .addColumn('signer_name', 'text')
      .addColumn('signed_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('report_version_uq', ['report_ref', 'version'])
      .execute();

    await withIdColumn(db.schema.createTable('report_critical_result'), dialect)
      .addColumn('report_ref', 'bigint', referenceColumn('report', 'restrict'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('finding', 'text', (c) => c.notNull())
      .addColumn('notified_name', 'text', (c) => c.notNull())
      .addColumn('notified_role', 'text')
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('notified_at', 'text', (c) => c.notNull())
      .addColumn('recorded_by_kind', 'text', (c) => c.notNull())
      .addColumn('recorded_by_id', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('report_critical_result_report_idx')
      .on('report_critical_result')
      .column('report_ref')
      .execute();

    await withIdColumn(db.schema.createTable('order_charge'), dialect)
      .addColumn('order_ref', 'bigint', referenceColumn('imaging_order', 'restrict'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('charge_code', 'text', (c) => c.notNull())
      .addColumn('coding_scheme', 'text', (c) => c.notNull())
      .addColumn('modifiers', 'text', (c) => c.notNull())
      .addColumn('quantity', 'integer', (c) => c.notNull())
      .addColumn('service_at', 'text', (c) => c.notNull())
      .addColumn('released_at', 'text')
      .addColumn('released_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('order_charge_order_idx')
      .on('order_charge')
      .columns(['order_ref', 'position'])
      .execute();
    await db.schema.createIndex('order_charge_service_idx').on('order_charge').column('service_at').execute();
  },
};
