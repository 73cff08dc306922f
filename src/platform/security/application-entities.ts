import type { RequestContext } from '../context.js';
import type { Database } from '../db/index.js';
import { LanternError, notFound } from '../errors.js';
import { recordAuditAlone } from './audit.js';
import { authorizedService } from './service-authorization.js';
import {
  normalizeAeTitle,
  parsePermissions,
  validateAddress,
  type AePermission,
  type ApplicationEntity,
} from './application-entity.js';
import { deleteAe, findStoredAe, listStoredAes, saveAe } from './application-entity-repo.js';

export interface AeTableSettings {
  /** AEs declared in the config file: listed and used, but changed only by editing the file. */
  configured: readonly Omit<ApplicationEntity, 'source'>[];
  /** What a calling AE that is not in the table may do. */
  unknownAePermissions: readonly AePermission[];
}

export interface AeInput {
  aeTitle: string;
  host: string;
  port: number;
  permissions: readonly string[];
  description?: string;
}

/**
 * The AE table: remote DICOM nodes, where they are and what they may do. Entries added here live in the
 * database, so a running server sees them at once, and `lantern ae add` works before `serve` starts.
 */
export function createAeTable(database: Database, settings: AeTableSettings) {
  const configured = new Map(
    settings.configured.map((ae) => [normalizeAeTitle(ae.aeTitle), { ...ae, source: 'config' as const }]),
  );

  async function find(aeTitle: string): Promise<ApplicationEntity | undefined> {
    const title = aeTitle.trim();
    return configured.get(title) ?? (await findStoredAe(database, title));
  }

  // What people do with the table (REST, CLI, the echo test): guarded at the service.
  const people = authorizedService(
    database,
    'aeTable',
    {
      find: (_ctx: RequestContext, aeTitle: string) => find(aeTitle),

      async list(_ctx: RequestContext): Promise<ApplicationEntity[]> {
        const stored = await listStoredAes(database);
        return [...configured.values(), ...stored].sort((a, b) => a.aeTitle.localeCompare(b.aeTitle));
      },

      async save(ctx: RequestContext, input: AeInput): Promise<ApplicationEntity> {
        const aeTitle = normalizeAeTitle(input.aeTitle);
        validateAddress(input.host, input.port);
        const permissions = parsePermissions(input.permissions);
        if (configured.has(aeTitle)) {
          throw new LanternError('conflict', `${aeTitle} is defined in the config file; change it there`);
        }
        const ae = {
          aeTitle,
          host: input.host.trim(),
          port: input.port,
          permissions,
          description: input.description,
        };
        await saveAe(database, ae);
        await recordAuditAlone(database, ctx, { action: 'ae.save', detail: { ...ae } });
        return { ...ae, source: 'database' };
      },

      async remove(ctx: RequestContext, aeTitle: string): Promise<void> {
        const title = normalizeAeTitle(aeTitle);
        if (configured.has(title)) {
          throw new LanternError('conflict', `${title} is defined in the config file; remove it there`);
        }
        if (!(await deleteAe(database, title))) throw notFound('AE', title);
        await recordAuditAlone(database, ctx, { action: 'ae.remove', detail: { aeTitle: title } });
      },
    },
    { find: 'ae.read', list: 'ae.read', save: 'ae.write', remove: 'ae.write' },
  );

  return {
    ...people,

    /**
     * Where a node is, for the DIMSE door's own routing (a C-MOVE destination, a storage commitment reply,
     * `lantern send`): internal, unguarded, as the operation it serves was authorized already.
     */
    resolve: find,

    /** What a calling AE may do: its own permissions when known, the setting for strangers otherwise. */
    async permissionsOf(callingAeTitle: string): Promise<readonly AePermission[]> {
      return (await find(callingAeTitle))?.permissions ?? settings.unknownAePermissions;
    },
  };
}

export type AeTable = ReturnType<typeof createAeTable>;
