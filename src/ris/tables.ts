/** The tables ris/ owns (migration 0008-ris). Timestamps are ISO 8601 UTC text (platform/db nowIso). */
export interface RisTables {
  procedure_code: {
    id?: number;
    code: string;
    coding_scheme: string;
    meaning: string;
    modality: string;
    body_part: string | null;
    duration_minutes: number;
    created_at: string;
    updated_at: string;
  };
  procedure_charge: {
    id?: number;
    procedure_ref: number;
    /** Order of the charge lines within the procedure, from 0. */
    position: number;
    charge_code: string;
    coding_scheme: string;
    /** Billing modifiers, comma-separated ('' for none). */
    modifiers: string;
    quantity: number;
  };
  imaging_order: {
    id?: number;
    patient_ref: number;
    procedure_ref: number;
    accession_number: string;
    placer_order_number: string | null;
    filler_order_number: string;
    requested_procedure_id: string;
    study_instance_uid: string;
    status: string;
    priority: string;
    reason: string | null;
    ordering_provider_id: string | null;
    ordering_provider_name: string | null;
    created_at: string;
    updated_at: string;
  };
  accession_sequence: { day: string; last_value: number };
  order_status_history: {
    id?: number;
    order_ref: number;
    /** Null on the row that records the order's creation. */
    from_status: string | null;
    to_status: string;
    actor_kind: string;
    actor_id: string;
    reason: string | null;
    occurred_at: string;
  };
  modality_resource: {
    id?: number;
    name: string;
    ae_title: string;
    modality: string;
    station_name: string | null;
    /** IANA time zone the opening hours are wall-clock times in. */
    time_zone: string;
    created_at: string;
    updated_at: string;
  };
  resource_opening_hours: {
    id?: number;
    resource_ref: number;
    /** ISO weekday: 1 Monday … 7 Sunday. */
    weekday: number;
    /** HH:MM local time; closes is after opens on the same day. */
    opens: string;
    closes: string;
  };
  booking: {
    id?: number;
    order_ref: number;
    resource_ref: number;
    starts_at: string;
    ends_at: string;
    status: string;
    created_at: string;
    updated_at: string;
  };
  scheduled_procedure_step: {
    id?: number;
    order_ref: number;
    /** Scheduled Procedure Step ID (0040,0009). */
    step_id: string;
    /** Scheduled Procedure Step Status (0040,0020). */
    status: string;
    modality: string;
    station_ae_title: string | null;
    station_name: string | null;
    resource_ref: number | null;
    booking_ref: number | null;
    scheduled_start: string | null;
    scheduled_end: string | null;
    /** Scheduled Performing Physician's Name (0040,0006), migration 0009-ris-mpps. */
    performing_physician_name?: string | null;
    created_at: string;
    updated_at: string;
  };
}
