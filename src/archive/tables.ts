/** The tables archive/ owns (migrations 0003-archive, 0005, 0006-archive-instance-metadata). */
export interface ArchiveTables {
  study: {
    id?: number;
    study_instance_uid: string;
    patient_ref: number;
    study_date: string | null;
    study_time: string | null;
    accession_number: string | null;
    study_id: string | null;
    study_description: string | null;
    referring_physician_name: string | null;
    institution_name: string | null;
    modalities_in_study: string;
    num_series: number;
    num_instances: number;
    created_at: string;
    last_received_at: string;
  };
  series: {
    id?: number;
    series_instance_uid: string;
    study_ref: number;
    modality: string | null;
    series_number: number | null;
    series_description: string | null;
    body_part_examined: string | null;
    series_date: string | null;
    series_time: string | null;
    station_name: string | null;
    performed_procedure_step_start_date: string | null;
    num_instances: number;
    last_received_at: string;
  };
  instance: {
    id?: number;
    sop_instance_uid: string;
    sop_class_uid: string;
    series_ref: number;
    study_ref: number;
    instance_number: number | null;
    transfer_syntax_uid: string;
    rows: number | null;
    columns: number | null;
    number_of_frames: number | null;
    content_date: string | null;
    content_time: string | null;
    blob_key: string;
    size: number;
    pixel_data_offset: number | null;
    dataset_offset: number;
    received_at: string;
    received_from: string;
    /** headerDemographicsKey of the file's header (migration 0014); null for files stored before it. */
    header_patient: string | null;
  };
  /** WADO-RS metadata of a stored file, by content hash (instance-metadata.ts). */
  instance_metadata: {
    blob_key: string;
    json: string;
  };
}
