// Administration: one screen with a tab per area (/admin/<area>), each talking to its own REST API.
import { Link } from '../shell/router';
import { AeTablePage } from './ae-table-page';
import { Hl7Page } from './hl7-page';
import { SettingsPage } from './settings-page';
import { UsersPage } from './users-page';

const AREAS = [
  { key: 'users', label: 'Users' },
  { key: 'nodes', label: 'DICOM nodes' },
  { key: 'hl7', label: 'HL7' },
  { key: 'settings', label: 'Settings' },
] as const;

export function AdminPage({ section }: { section: string | undefined }) {
  const area = AREAS.find((a) => a.key === section)?.key ?? 'nodes';
  return (
    <section className="page">
      <h1>Administration</h1>
      <nav className="tabs" aria-label="Administration areas">
        {AREAS.map((a) => (
          <Link key={a.key} href={`/admin/${a.key}`} aria-current={a.key === area ? 'page' : undefined}>
            {a.label}
          </Link>
        ))}
      </nav>
      {area === 'users' && <UsersPage />}
      {area === 'nodes' && <AeTablePage />}
      {area === 'hl7' && <Hl7Page />}
      {area === 'settings' && <SettingsPage />}
    </section>
  );
}
