// The screens of the navigation and which roles see them (issue 8's roles). With authentication off on the
// server there are no roles, and every screen is shown.

export interface Screen {
  path: string;
  label: string;
  /** Alt+key jumps there. */
  key: string;
  roles: string[];
}

export const SCREENS: Screen[] = [
  {
    path: '/studies',
    label: 'Studies',
    key: 's',
    roles: ['administrator', 'radiologist', 'technologist', 'referring-physician', 'researcher'],
  },
  { path: '/front-desk', label: 'Front desk', key: 'f', roles: ['administrator', 'clerk'] },
  { path: '/schedule', label: 'Schedule', key: 'c', roles: ['administrator', 'clerk'] },
  { path: '/unmatched', label: 'Unmatched', key: 'u', roles: ['administrator', 'clerk'] },
  { path: '/worklist', label: 'Technologist', key: 't', roles: ['administrator', 'technologist'] },
  { path: '/reading', label: 'Reading', key: 'r', roles: ['administrator', 'radiologist'] },
  { path: '/admin', label: 'Administration', key: 'a', roles: ['administrator'] },
  { path: '/audit', label: 'Audit', key: 'd', roles: ['administrator', 'auditor'] },
];

export function screensFor(roles: string[] | undefined): Screen[] {
  if (roles === undefined) return SCREENS;
  return SCREENS.filter((screen) => screen.roles.some((role) => roles.includes(role)));
}
