import type { Permission } from '../../platform/security/index.js';

// What each HTTP route needs, by method and registered route pattern: one screen for every web door. The
// first rule that matches wins; `*` in a pattern matches anything (slashes included). A route no rule names is
// administrator-only (and logged at start), so a route added without a rule is never open.
//   public         no credentials (health, login, the FHIR CapabilityStatement)
//   authenticated  any caller who proved who they are (their own session and password)

//   fhir-type      generic FHIR routes (/fhir/:type…): by the resource type asked for, see fhirTypeAccess

export type RouteAccess = Permission | 'public' | 'authenticated' | 'fhir-type';

const READ = 'GET,HEAD';
const WRITE = 'POST,PUT,PATCH,DELETE';
const ANY = '*';

const RULES: readonly (readonly [methods: string, pattern: string, access: RouteAccess])[] = [
  [READ, '/health', 'public'],
  ['POST', '/api/auth/login', 'public'],
  ['POST', '/api/auth/refresh', 'public'], // proves itself with the refresh token
  ['POST', '/api/auth/logout', 'public'], // ends the session of the refresh token it brings
  [READ, '/api/auth/oidc', 'public'], // whether the login screen offers an OpenID provider
  [ANY, '/api/auth/*', 'authenticated'],
  [READ, '/api/openapi.json', 'authenticated'], // the API's description: no data
  [READ, '/fhir/metadata', 'public'], // FHIR R4 RESTful API: the CapabilityStatement is open
  // The web UI's shell (adapters/http/web-app.ts): static files, no data; its pages call the APIs below.
  [READ, '/', 'public'],
  [READ, '/:section', 'public'],
  [READ, '/:section/*', 'public'],

  [ANY, '/api/users*', 'admin.users'],
  [ANY, '/api/api-keys*', 'admin.users'],
  [ANY, '/api/admin/*', 'admin.config'],
  [READ, '/api/audit*', 'audit.read'],
  [ANY, '/api/hl7/*', 'hl7.admin'],

  [READ, '/api/studies*', 'study.read'],
  [READ, '/api/aes*', 'ae.read'],
  [WRITE, '/api/aes/*', 'ae.write'],

  [READ, '/api/patients*', 'patient.read'],
  ['POST', '/api/patients/*/unmerge', 'patient.unmerge'],
  [WRITE, '/api/patients*', 'patient.write'],

  [READ, '/api/procedures*', 'order.read'],
  [WRITE, '/api/procedures*', 'catalogue.write'],
  [READ, '/api/resources*', 'schedule.read'],
  [WRITE, '/api/resources*', 'catalogue.write'],
  [READ, '/api/bookings*', 'schedule.read'],
  [WRITE, '/api/bookings*', 'schedule.write'],

  [READ, '/api/orders/*/report*', 'report.read'],
  ['POST', '/api/orders/*/report/sign', 'report.sign'],
  ['POST', '/api/orders/*/report/amend', 'report.sign'],
  [WRITE, '/api/orders/*/report*', 'report.write'],
  [READ, '/api/orders/*/charges', 'charge.read'],
  [WRITE, '/api/orders/*/charges', 'charge.write'],
  [WRITE, '/api/orders/*/notes', 'exam-note.write'],
  [READ, '/api/orders*', 'order.read'],
  [WRITE, '/api/orders*', 'order.write'],
  [READ, '/api/charges*', 'charge.read'],
  [WRITE, '/api/charges*', 'charge.write'],
  [READ, '/api/reading-worklist*', 'report.read'],
  [WRITE, '/api/reading-worklist*', 'report.write'],
  [READ, '/api/report-templates*', 'report.read'],
  [WRITE, '/api/report-templates*', 'report.write'],
  [READ, '/api/unmatched-studies*', 'study.reconcile'],
  [WRITE, '/api/unmatched-studies*', 'study.reconcile'],

  [READ, '/dicom-web/*', 'study.read'],
  ['POST', '/dicom-web/studies*', 'study.store'],
  [READ, '/wado', 'study.read'],

  // FHIR: by resource type (fhirTypeAccess); the FHIR door narrows further with SMART scopes. A token with
  // SMART scopes passes no rule above: authenticate.ts refuses it off /fhir (policy.authorizeDoor).
  [ANY, '/fhir/:type', 'fhir-type'],
  [ANY, '/fhir/:type/*', 'fhir-type'],
];

const compiled = RULES.map(([methods, pattern, access]) => ({
  methods: methods === ANY ? undefined : new Set(methods.split(',')),
  pattern: new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`),
  access,
}));

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** What a route needs; undefined when no rule names it (the caller then requires administrator access). */
export function routeAccess(method: string, url: string): RouteAccess | undefined {
  const m = method.toUpperCase();
  return compiled.find((rule) => (!rule.methods || rule.methods.has(m)) && rule.pattern.test(url))?.access;
}

/** The access of a route no rule names: what only an administrator holds. */
export const UNMAPPED_ROUTE_ACCESS: Permission = 'admin.config';

const FHIR_TYPES: Readonly<Record<string, { read: Permission; write: Permission }>> = {
  Patient: { read: 'patient.read', write: 'patient.write' },
  ImagingStudy: { read: 'study.read', write: 'admin.config' },
  Endpoint: { read: 'study.read', write: 'admin.config' },
  ServiceRequest: { read: 'order.read', write: 'order.write' },
  DiagnosticReport: { read: 'report.read', write: 'report.write' },
  Schedule: { read: 'schedule.read', write: 'catalogue.write' },
  Slot: { read: 'schedule.read', write: 'catalogue.write' },
  Appointment: { read: 'schedule.read', write: 'schedule.write' },
  AuditEvent: { read: 'audit.read', write: 'admin.config' },
};

/** What a generic FHIR route needs for one resource type: reads (and _search) read; the rest write. */
export function fhirTypeAccess(method: string, url: string, type: string | undefined): Permission {
  const entry = type === undefined ? undefined : FHIR_TYPES[type];
  if (!entry) return UNMAPPED_ROUTE_ACCESS;
  const reads = method === 'GET' || method === 'HEAD' || url.endsWith('/_search');
  return reads ? entry.read : entry.write;
}
