// The permission table: what each role may do, in one place. Every door asks the same question of it
// (`authorize(ctx, permission)`), so a role means the same over REST, DICOMweb, FHIR, DIMSE and HL7.

/** Everything a caller may be allowed to do. Names are `noun.verb`, like audit actions. */
export const PERMISSIONS = [
  'patient.read',
  'patient.write',
  // Undo a merge: it re-splits records the desk joined, so only an administrator may (issue 5).
  'patient.unmerge',
  'order.read',
  'order.write',
  'schedule.read',
  'schedule.write',
  'catalogue.write',
  'study.read',
  'study.store',
  'study.export',
  // Reconcile a study no order claimed (the unmatched queue): the desk's work, without reading images.
  'study.reconcile',
  // Notes on an exam (exam-notes in ris/): the technologist writes them, the radiologist adds to them.
  'exam-note.write',
  'report.read',
  'report.write',
  'report.sign',
  'charge.read',
  'charge.write',
  'audit.read',
  'admin.users',
  'admin.config',
  'ae.read',
  'ae.write',
  'hl7.admin',
  'break-glass',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = [
  'administrator',
  'radiologist',
  'technologist',
  'clerk',
  'referring-physician',
  'researcher',
  'auditor',
] as const;
export type Role = (typeof ROLES)[number];

/**
 * Which patients a role's reads reach: `all`, or only the patients of orders the user referred (the RIS
 * resolves that; see patientScopeOf in policy.ts).
 */
export type PatientReach = 'all' | 'referred';

interface RoleDefinition {
  permissions: readonly Permission[];
  reach: PatientReach;
}

const READ_CLINICAL = ['patient.read', 'order.read', 'schedule.read', 'study.read', 'report.read'] as const;

/** The table. Administrators run the system; reading patient data is a clinical role's business. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, RoleDefinition>> = {
  administrator: {
    permissions: PERMISSIONS.filter((p) => p !== 'break-glass'),
    reach: 'all',
  },
  radiologist: {
    permissions: [
      ...READ_CLINICAL,
      'study.store',
      'study.export',
      'exam-note.write',
      'report.write',
      'report.sign',
      'break-glass',
    ],
    reach: 'all',
  },
  technologist: {
    permissions: [
      ...READ_CLINICAL,
      'order.write',
      'schedule.write',
      'exam-note.write',
      'study.store',
      'study.reconcile',
      'break-glass',
    ],
    reach: 'all',
  },
  // Registration and scheduling desk: demographics, orders and bookings, no images or reports.
  clerk: {
    permissions: [
      'patient.read',
      'patient.write',
      'order.read',
      'order.write',
      'schedule.read',
      'schedule.write',
      'study.reconcile',
      'charge.read',
      'charge.write',
      'break-glass',
    ],
    reach: 'all',
  },
  // Reaches only the patients of his orders (policy.ts patientScopeOf); break-glass lifts that for a request.
  'referring-physician': {
    permissions: ['patient.read', 'order.read', 'order.write', 'study.read', 'report.read', 'break-glass'],
    reach: 'referred',
  },
  // De-identified research export comes with the research module; until then: read and export studies.
  researcher: { permissions: ['study.read', 'study.export'], reach: 'all' },
  auditor: { permissions: ['audit.read'], reach: 'all' },
};

/** Permissions granted for one request by break-glass (emergency access with a reason, flagged in audit). */
export const BREAK_GLASS_GRANTS: readonly Permission[] = READ_CLINICAL;

export const isRole = (name: string): name is Role => (ROLES as readonly string[]).includes(name);
export const isPermission = (name: string): name is Permission =>
  (PERMISSIONS as readonly string[]).includes(name);

/** The union of the permissions of some roles; unknown role names grant nothing. */
export function permissionsOfRoles(roles: readonly string[]): Permission[] {
  const granted = new Set<Permission>();
  for (const role of roles)
    if (isRole(role)) for (const p of ROLE_PERMISSIONS[role].permissions) granted.add(p);
  return PERMISSIONS.filter((p) => granted.has(p));
}

/** `all` when any role reaches all patients; `referred` when only limited roles are held. */
export function patientReachOfRoles(roles: readonly string[]): PatientReach {
  return roles.some((role) => isRole(role) && ROLE_PERMISSIONS[role].reach === 'all') ? 'all' : 'referred';
}
