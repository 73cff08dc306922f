/** The table platform/messages owns (migration 0011-messages). */
export interface MessageTables {
  integration_message: {
    id?: number;
    direction: string;
    protocol: string;
    peer: string;
    sending_application: string;
    sending_facility: string;
    receiving_application: string;
    receiving_facility: string;
    message_type: string;
    control_id: string;
    ordering_key: string | null;
    payload: Buffer;
    state: string;
    attempts: number;
    next_attempt_at: string | null;
    locked_until: string | null;
    last_error: string | null;
    outcome: string | null;
    dedup_key: string | null;
    duplicate_of: number | null;
    source: string | null;
    ack_code: string | null;
    ack: Buffer | null;
    created_at: string;
    updated_at: string;
    processed_at: string | null;
  };
}
