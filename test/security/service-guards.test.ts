// Authorization at the service boundary for the platform's own services (audit reader, HL7 message log,
// subscriptions, AE table, users and API keys, the audit chain check, the settings, the C-ECHO test): called
// directly, as any door would, a role that lacks the permission is refused with `forbidden` and exactly one
// security.deny record naming the operation; a holder of the permission gets the answer. No HTTP gate helps.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { echoAe } from '../../src/adapters/dimse/index.js';
import { createContext, type RequestContext } from '../../src/platform/context.js';
import { LanternError } from '../../src/platform/errors.js';
import { silentLogger } from '../../src/platform/log/index.js';
import { createMessageLog, type NewMessage } from '../../src/platform/messages/index.js';
import {
  createAeTable,
  createAuditReader,
  createSecurity,
  createSettingsReader,
  userActor,
  type Permission,
  type Role,
  type SecuritySettings,
} from '../../src/platform/security/index.js';
import { createSubscriptions, type SubscriptionInput } from '../../src/platform/subscriptions/index.js';
import { loadConfig } from '../../src/platform/config/index.js';
import { startStorescp } from '../support/dcmtk.js';
import { openTestDatabase, type TestDatabase } from '../support/test-databases.js';

// The shipped security settings, as a server without a config file has them.
const SETTINGS: SecuritySettings = loadConfig({ env: {} }).security;

const as = (role: Role): RequestContext =>
  createContext(silentLogger(), userActor({ id: 7, username: `a-${role}`, roles: [role] }), {
    door: 'api',
    remoteAddress: '127.0.0.1',
  });

const message = (controlId: string): NewMessage => ({
  protocol: 'hl7v2',
  peer: '127.0.0.1',
  sendingApplication: 'EMR',
  sendingFacility: 'HOSP',
  receivingApplication: 'LANTERN',
  receivingFacility: 'RAD',
  messageType: 'ADT^A08',
  controlId,
  orderingKey: null,
  payload: Buffer.from(`MSH|^~\\&|EMR|HOSP|||||ADT^A08|${controlId}`),
});

const subscription = (reason: string): SubscriptionInput => ({
  criteria: 'DiagnosticReport?status=final',
  eventTypes: ['report.finalized'],
  eventFilter: {},
  endpoint: 'https://ris.example/notify',
  payload: null,
  headers: [],
  reason,
  contact: null,
  endsAt: null,
  status: 'active',
});

let t: TestDatabase;
let peerDir: string;
let peer: { port: number; stop(): void };
let services: Awaited<ReturnType<typeof build>>;

async function build(database: TestDatabase['database'], dataDir: string, peerPort: number) {
  const security = await createSecurity(database, SETTINGS, dataDir);
  const aeTable = createAeTable(database, {
    configured: [{ aeTitle: 'PEER', host: '127.0.0.1', port: peerPort, permissions: ['echo'] }],
    unknownAePermissions: [],
  });
  const messages = createMessageLog(database, {
    retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1000 },
    leaseMs: 60_000,
  });
  return {
    security,
    aeTable,
    messages,
    subscriptions: createSubscriptions(database),
    audit: createAuditReader(database),
    settings: createSettingsReader(database, { http: { port: 8042 }, security: { tokenKeyFile: '/secret' } }),
  };
}

before(async () => {
  t = await openTestDatabase('sqlite');
  peerDir = await mkdtemp(join(tmpdir(), 'lantern-guards-peer-'));
  peer = await startStorescp(peerDir, 'PEER');
  services = await build(t.database, t.dataDir, peer.port);
});

after(async () => {
  peer?.stop();
  await t?.cleanup();
  await rm(peerDir, { recursive: true, force: true });
});

async function denials(): Promise<{ seq: number; actor_id: string; detail: string | null }[]> {
  return t.database.kysely
    .selectFrom('audit_event')
    .select(['seq', 'actor_id', 'detail'])
    .where('action', '=', 'security.deny')
    .orderBy('seq')
    .execute() as Promise<{ seq: number; actor_id: string; detail: string | null }[]>;
}

interface Case {
  /** The operation as the deny record names it. */
  resource: string;
  permission: Permission;
  /** A role without the permission, and one with it. */
  lacking: Role;
  holding: Role;
  call(ctx: RequestContext): Promise<unknown>;
  /** What the holder gets, checked. */
  check?(result: unknown): void;
}

/** Data for the operations that need something to act on, made by a holder. */
async function fixtures() {
  const admin = as('administrator');
  const { messages, subscriptions } = services;
  const inbound = (await messages.receive(message('G-1'))).message;
  await messages.claimNext('inbound');
  await messages.complete(inbound.id);
  const outbound = (await messages.enqueue(message('G-2'), 'guards-test'))!;
  await messages.claimNext('outbound');
  await messages.complete(outbound.id);
  const sub = await subscriptions.create(admin, subscription('first'));
  const gone = await subscriptions.create(admin, subscription('to remove'));
  await services.security.users.add(admin, {
    username: 'someone',
    roles: ['clerk'],
    password: 'a long enough secret',
  });
  await services.security.apiKeys.create(admin, { name: 'router', roles: ['technologist'] });
  return { inbound: inbound.id, outbound: outbound.id, sub: sub.id, gone: gone.id };
}

describe('every guarded operation refuses a role without its permission and serves one with it', () => {
  let ids: Awaited<ReturnType<typeof fixtures>>;
  before(async () => {
    ids = await fixtures();
  });

  const cases = (): Case[] => {
    const { security, aeTable, messages, subscriptions, audit, settings } = services;
    return [
      {
        resource: 'audit.search',
        permission: 'audit.read',
        lacking: 'clerk',
        holding: 'auditor',
        call: (ctx) => audit.search(ctx, { limit: 5, offset: 0 }),
        check: (r) => assert.ok((r as { total: number }).total > 0),
      },
      {
        resource: 'audit.get',
        permission: 'audit.read',
        lacking: 'radiologist',
        holding: 'auditor',
        call: (ctx) => audit.get(ctx, 1),
        check: (r) => assert.equal((r as { seq: number }).seq, 1),
      },
      {
        resource: 'security.verifyAudit',
        permission: 'audit.read',
        lacking: 'technologist',
        holding: 'auditor',
        call: (ctx) => security.verifyAudit(ctx),
        check: (r) => assert.equal((r as { intact: boolean }).intact, true),
      },
      {
        resource: 'messages.get',
        permission: 'hl7.admin',
        lacking: 'radiologist',
        holding: 'administrator',
        call: (ctx) => messages.get(ctx, ids.inbound),
        check: (r) => assert.equal((r as { controlId: string }).controlId, 'G-1'),
      },
      {
        resource: 'messages.list',
        permission: 'hl7.admin',
        lacking: 'clerk',
        holding: 'administrator',
        call: (ctx) => messages.list(ctx, {}),
        check: (r) => assert.equal((r as { total: number }).total, 2),
      },
      {
        resource: 'messages.counts',
        permission: 'hl7.admin',
        lacking: 'auditor',
        holding: 'administrator',
        call: (ctx) => messages.counts(ctx),
        check: (r) => assert.equal((r as { inbound: { processed: number } }).inbound.processed, 1),
      },
      {
        resource: 'messages.replay',
        permission: 'hl7.admin',
        lacking: 'technologist',
        holding: 'administrator',
        call: (ctx) => messages.replay(ctx, ids.inbound, 'inbound'),
        check: (r) => assert.equal((r as { state: string }).state, 'pending'),
      },
      {
        resource: 'messages.replay',
        permission: 'hl7.admin',
        lacking: 'researcher',
        holding: 'administrator',
        call: (ctx) => messages.replay(ctx, ids.outbound, 'outbound'), // resend
        check: (r) => assert.equal((r as { state: string }).state, 'pending'),
      },
      {
        resource: 'subscriptions.create',
        permission: 'admin.config',
        lacking: 'radiologist',
        holding: 'administrator',
        call: (ctx) => subscriptions.create(ctx, subscription('second')),
        check: (r) => assert.equal((r as { reason: string }).reason, 'second'),
      },
      {
        resource: 'subscriptions.get',
        permission: 'admin.config',
        lacking: 'clerk',
        holding: 'administrator',
        call: (ctx) => subscriptions.get(ctx, ids.sub),
        check: (r) => assert.equal((r as { reason: string }).reason, 'first'),
      },
      {
        resource: 'subscriptions.list',
        permission: 'admin.config',
        lacking: 'auditor',
        holding: 'administrator',
        call: (ctx) => subscriptions.list(ctx, { limit: 10, offset: 0 }),
        check: (r) => assert.ok((r as { total: number }).total >= 2),
      },
      {
        resource: 'subscriptions.replace',
        permission: 'admin.config',
        lacking: 'technologist',
        holding: 'administrator',
        call: (ctx) => subscriptions.replace(ctx, ids.sub, { ...subscription('first'), status: 'off' }),
        check: (r) => assert.equal((r as { status: string }).status, 'off'),
      },
      {
        resource: 'subscriptions.remove',
        permission: 'admin.config',
        lacking: 'referring-physician',
        holding: 'administrator',
        call: (ctx) => subscriptions.remove(ctx, ids.gone),
      },
      {
        resource: 'aeTable.list',
        permission: 'ae.read',
        lacking: 'clerk',
        holding: 'administrator',
        call: (ctx) => aeTable.list(ctx),
        check: (r) =>
          assert.deepEqual(
            (r as { aeTitle: string }[]).map((ae) => ae.aeTitle),
            ['PEER'],
          ),
      },
      {
        resource: 'aeTable.find',
        permission: 'ae.read',
        lacking: 'radiologist',
        holding: 'administrator',
        call: (ctx) => aeTable.find(ctx, 'PEER'),
        check: (r) => assert.equal((r as { port: number }).port, peer.port),
      },
      {
        // The C-ECHO test reads the node's address through the guarded find.
        resource: 'aeTable.find',
        permission: 'ae.read',
        lacking: 'technologist',
        holding: 'administrator',
        call: (ctx) => echoAe(ctx, aeTable, 'LANTERN', 'PEER'),
        check: (r) => assert.ok(typeof r === 'number' && r >= 0),
      },
      {
        resource: 'users.list',
        permission: 'admin.users',
        lacking: 'auditor',
        holding: 'administrator',
        call: (ctx) => security.users.list(ctx),
        check: (r) =>
          assert.deepEqual(
            (r as { username: string }[]).map((u) => u.username),
            ['someone'],
          ),
      },
      {
        resource: 'users.find',
        permission: 'admin.users',
        lacking: 'clerk',
        holding: 'administrator',
        call: (ctx) => security.users.find(ctx, 'someone'),
        check: (r) => assert.deepEqual((r as { roles: string[] }).roles, ['clerk']),
      },
      {
        resource: 'apiKeys.list',
        permission: 'admin.users',
        lacking: 'radiologist',
        holding: 'administrator',
        call: (ctx) => security.apiKeys.list(ctx),
        check: (r) => {
          assert.deepEqual(
            (r as { name: string }[]).map((k) => k.name),
            ['router'],
          );
          assert.ok(!JSON.stringify(r).includes('keyHash'));
        },
      },
      {
        resource: 'settings.read',
        permission: 'admin.config',
        lacking: 'auditor',
        holding: 'administrator',
        call: (ctx) => settings.read(ctx),
        check: (r) =>
          assert.deepEqual(r, { http: { port: 8042 }, security: { tokenKeyFile: '(set, hidden)' } }),
      },
    ];
  };

  // Names are known before the cases are built (they need the services): one test per operation.
  const NAMES = [
    'audit.search',
    'audit.get',
    'security.verifyAudit',
    'messages.get',
    'messages.list',
    'messages.counts',
    'messages.replay (inbound)',
    'messages.replay (outbound: resend)',
    'subscriptions.create',
    'subscriptions.get',
    'subscriptions.list',
    'subscriptions.replace',
    'subscriptions.remove',
    'aeTable.list',
    'aeTable.find',
    'echoAe',
    'users.list',
    'users.find',
    'apiKeys.list',
    'settings.read',
  ];
  NAMES.forEach((name, i) => {
    test(name, async () => {
      const c = cases()[i]!;
      assert.equal(c.resource, name.split(' ')[0] === 'echoAe' ? 'aeTable.find' : name.split(' ')[0]);
      const before = (await denials()).length;
      const refused = as(c.lacking);
      await assert.rejects(
        c.call(refused),
        (e: unknown) =>
          e instanceof LanternError && e.code === 'forbidden' && e.message.includes(c.permission),
      );
      const after = await denials();
      assert.equal(after.length, before + 1, `${name}: one security.deny record`);
      const record = after.at(-1)!;
      assert.equal(record.actor_id, `a-${c.lacking}`);
      assert.deepEqual(JSON.parse(record.detail ?? '{}'), { permission: c.permission, resource: c.resource });
      const result = await c.call(as(c.holding));
      c.check?.(result);
      assert.equal((await denials()).length, before + 1, `${name}: the holder is not refused`);
    });
  });
});
