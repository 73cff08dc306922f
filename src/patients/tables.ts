/** The tables patients/ owns. */
export interface PatientTables {
  patient: {
    id?: number;
    patient_id: string;
    issuer_of_patient_id: string;
    patient_name: string | null;
    birth_date: string | null;
    sex: string | null;
    created_at: string;
    updated_at: string;
  };
}
