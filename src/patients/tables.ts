/** The tables patients/ owns (migrations 0002-patients, 0007-patients-identity). */
export interface PatientTables {
  patient: {
    id?: number;
    patient_id: string;
    issuer_of_patient_id: string;
    patient_name: string | null;
    birth_date: string | null;
    sex: string | null;
    address?: string | null;
    phone?: string | null;
    /** The surviving patient while this one is merged into it. */
    merged_into?: number | null;
    created_at: string;
    updated_at: string;
  };
  patient_identifier: {
    id?: number;
    patient_ref: number;
    value: string;
    issuer: string;
    type: string;
  };
  patient_merge: {
    id?: number;
    merged_ref: number;
    survivor_ref: number;
    merged_at: string;
    merged_by: string;
    unmerged_at: string | null;
    unmerged_by: string | null;
  };
  patient_merge_item: {
    merge_ref: number;
    kind: string;
    item_ref: number;
  };
}
