import type { LanternMigration } from '../migration.js';
import { platformMigration } from './0001-platform.js';
import { patientsMigration } from './0002-patients.js';
import { archiveMigration } from './0003-archive.js';
import { applicationEntitiesMigration } from './0004-application-entities.js';
import { archiveDatasetOffsetMigration } from './0005-archive-dataset-offset.js';
import { archiveInstanceMetadataMigration } from './0006-archive-instance-metadata.js';
import { patientsIdentityMigration } from './0007-patients-identity.js';
import { risMigration } from './0008-ris.js';
import { risMppsMigration } from './0009-ris-mpps.js';
import { risReportsMigration } from './0010-ris-reports.js';
import { messagesMigration } from './0011-messages.js';
import { fhirSubscriptionsMigration } from './0012-fhir-subscriptions.js';
import { securityIdentityMigration } from './0013-security-identity.js';
import { archiveInstanceHeaderPatientMigration } from './0014-archive-instance-header-patient.js';
import { risOrderingProviderIndexMigration } from './0015-ris-ordering-provider-index.js';
import { risExamNotesMigration } from './0016-ris-exam-notes.js';

/** The one migration sequence, in order. A new step gets the next number and the owning module's name. */
export const migrations: readonly LanternMigration[] = [
  platformMigration,
  patientsMigration,
  archiveMigration,
  applicationEntitiesMigration,
  archiveDatasetOffsetMigration,
  archiveInstanceMetadataMigration,
  patientsIdentityMigration,
  risMigration,
  risMppsMigration,
  risReportsMigration,
  messagesMigration,
  fhirSubscriptionsMigration,
  securityIdentityMigration,
  archiveInstanceHeaderPatientMigration,
  risOrderingProviderIndexMigration,
  risExamNotesMigration,
];
