/** The tables platform/subscriptions owns (migration 0012-fhir-subscriptions). */
export interface SubscriptionTables {
  subscription: {
    id?: number;
    criteria: string;
    event_types: string;
    event_filter: string;
    status: string;
    endpoint: string;
    payload: string | null;
    headers: string;
    reason: string;
    contact: string | null;
    ends_at: string | null;
    error: string | null;
    created_at: string;
    updated_at: string;
  };
  subscription_delivery: {
    id?: number;
    subscription_ref: number;
    event_id: number;
    event_type: string;
    event_payload: string;
    state: string;
    attempts: number;
    next_attempt_at: string;
    last_error: string | null;
    created_at: string;
    updated_at: string;
  };
}
