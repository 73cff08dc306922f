import type { PatientTables } from '../patients/index.js';
import type { Kysely } from '../platform/db/index.js';
import type { OrderStatus } from './order-status.js';
import type { RisExecutor } from './ris-transaction.js';
import type { RisTables } from './tables.js';

/** One worklist step with its order, procedure, patient (read-only) and room, as stored. */
export interface WorklistRow {
  order_id: number;
  order_status: string;
  accession_number: string;
  requested_procedure_id: string;
  study_instance_uid: string;
  priority: string;
  ordering_provider_name: string | null;
  order_updated_at: string;
  code: string;
  coding_scheme: string;
  meaning: string;
  step_id: string;
  step_status: string;
  modality: string;
  station_ae_title: string | null;
  station_name: string | null;
  scheduled_start: string | null;
  performing_physician_name: string | null;
  time_zone: string | null;
  patient_id: string;
  issuer_of_patient_id: string;
  patient_name: string | null;
  birth_date: string | null;
  sex: string | null;
}

/** Exact values the SQL can narrow by before the matching rules run on the rows. */
export interface WorklistNarrowing {
  orderStatuses: readonly OrderStatus[];
  stationAeTitle?: string;
  modality?: string;
  accessionNumber?: string;
  patientId?: string;
}

export async function listWorklistRows(db: RisExecutor, narrow: WorklistNarrowing): Promise<WorklistRow[]> {
  // The patient table is the patients module's; the worklist reads it as the RIS README documents.
  let query = (db as unknown as Kysely<RisTables & PatientTables>)
    .selectFrom('scheduled_procedure_step as s')
    .innerJoin('imaging_order as o', 'o.id', 's.order_ref')
    .innerJoin('procedure_code as p', 'p.id', 'o.procedure_ref')
    .innerJoin('patient as pt', 'pt.id', 'o.patient_ref')
    .leftJoin('modality_resource as r', 'r.id', 's.resource_ref')
    .select([
      'o.id as order_id',
      'o.status as order_status',
      'o.accession_number',
      'o.requested_procedure_id',
      'o.study_instance_uid',
      'o.priority',
      'o.ordering_provider_name',
      'o.updated_at as order_updated_at',
      'p.code',
      'p.coding_scheme',
      'p.meaning',
      's.step_id',
      's.status as step_status',
      's.modality',
      's.station_ae_title',
      's.station_name',
      's.scheduled_start',
      's.performing_physician_name',
      'r.time_zone',
      'pt.patient_id',
      'pt.issuer_of_patient_id',
      'pt.patient_name',
      'pt.birth_date',
      'pt.sex',
    ])
    .where('o.status', 'in', [...narrow.orderStatuses]);
  if (narrow.stationAeTitle !== undefined)
    query = query.where('s.station_ae_title', '=', narrow.stationAeTitle);
  if (narrow.modality !== undefined) query = query.where('s.modality', '=', narrow.modality);
  if (narrow.accessionNumber !== undefined)
    query = query.where('o.accession_number', '=', narrow.accessionNumber);
  if (narrow.patientId !== undefined) query = query.where('pt.patient_id', '=', narrow.patientId);
  const rows = await query.orderBy('s.scheduled_start').orderBy('o.id').orderBy('s.step_id').execute();
  return rows.map((r) => ({ ...r, order_id: Number(r.order_id) }) as WorklistRow);
}
