/** The tables of MPPS and study linking ris/ owns (migration 0009-ris-mpps). Instants are ISO 8601 UTC. */
export interface MppsTables {
  performed_procedure_step: {
    id?: number;
    sop_instance_uid: string;
    /** Performed Procedure Step Status (0040,0252): IN PROGRESS, COMPLETED, DISCONTINUED. */
    status: string;
    performed_step_id: string;
    station_ae_title: string;
    modality: string;
    /** Study Instance UID of the first Scheduled Step Attributes item: what arriving images carry. */
    study_instance_uid: string;
    accession_number: string | null;
    patient_id: string | null;
    start_date: string;
    start_time: string;
    end_date: string | null;
    end_time: string | null;
    /** The whole MPPS as DICOM JSON, each N-SET merged in. */
    attributes: string;
    created_by: string;
    created_at: string;
    updated_at: string;
  };
  performed_step_order: { id?: number; pps_ref: number; order_ref: number };
  order_study: {
    id?: number;
    order_ref: number;
    study_instance_uid: string;
    /** How the link was made: accession, study-uid (the order's own UID) or clerk. */
    matched_by: string;
    linked_by: string;
    linked_at: string;
  };
  unmatched_study: {
    id?: number;
    study_instance_uid: string;
    accession_number: string | null;
    patient_id: string | null;
    issuer_of_patient_id: string | null;
    patient_name: string | null;
    study_date: string | null;
    modalities: string | null;
    num_instances: number | null;
    reason: string;
    /** open (waiting for a clerk), linked, dismissed. */
    status: string;
    queued_at: string;
    resolved_at: string | null;
    resolved_by: string | null;
  };
  study_arrival: { study_instance_uid: string; last_received_at: string; stable_through: string | null };
}
