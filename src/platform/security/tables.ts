import type { Generated, Kysely } from 'kysely';
import type { Database } from '../db/index.js';

// The identity tables of platform/security (migration 0013-security-identity); only *-repo.ts files query them.
export interface SecurityTables {
  security_user: {
    id: Generated<number>;
    username: string;
    display_name: string;
    password_hash: string;
    /** Comma-separated role names. */
    roles: string;
    disabled: number;
    must_change_password: number;
    failed_logins: number;
    locked_until: string | null;
    created_at: string;
    updated_at: string;
  };
  security_api_key: {
    name: string;
    key_hash: string;
    roles: string;
    created_at: string;
    revoked_at: string | null;
  };
  security_refresh_token: {
    token_hash: string;
    family_id: string;
    user_id: number;
    created_at: string;
    expires_at: string;
    used_at: string | null;
    revoked_at: string | null;
  };
}

export const securityDb = (database: Database) => database.kysely as Kysely<SecurityTables>;

export const splitRoles = (text: string): string[] => text.split(',').filter(Boolean);
