// Find a patient, or register a new one; either way the chosen patient goes on to order entry.
import { useState, type FormEvent } from 'react';
import { patientName, patients, type Patient } from '../api/ris';
import { ErrorMessage } from '../shell/error-message';

export function PatientPanel({
  onSelect,
  selected,
}: {
  selected?: Patient;
  onSelect(patient: Patient): void;
}) {
  const [term, setTerm] = useState('');
  const [found, setFound] = useState<{ total: number; patients: Patient[] }>();
  const [error, setError] = useState<unknown>();
  const [registering, setRegistering] = useState(false);

  const search = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      // One box for both: an identifier search first, then names.
      const byId = await patients.search({ identifier: term.trim(), limit: 20 });
      setFound(byId.total > 0 ? byId : await patients.search({ name: term.trim(), limit: 20 }));
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <section className="panel" aria-labelledby="patient-heading">
      <h2 id="patient-heading">1. Patient</h2>
      <form className="inline" onSubmit={search} role="search">
        <label>
          Name or ID
          <input name="patientSearch" value={term} onChange={(e) => setTerm(e.target.value)} autoFocus />
        </label>
        <button type="submit">Find</button>
        <button type="button" onClick={() => setRegistering(!registering)} aria-expanded={registering}>
          Register new…
        </button>
      </form>
      <ErrorMessage error={error} />
      {registering && (
        <RegisterForm
          onRegistered={(patient) => {
            setRegistering(false);
            setFound({ total: 1, patients: [patient] });
            onSelect(patient);
          }}
        />
      )}
      {found && (
        <ul className="choices" aria-label="Patients found">
          {found.patients.length === 0 && <li className="muted">No patient matches; register one.</li>}
          {found.patients.map((patient) => (
            <li key={patient.id}>
              <button
                type="button"
                aria-pressed={selected?.id === patient.id}
                onClick={() => onSelect(patient)}
              >
                {patientName(patient)} · {patient.patientId} · {patient.birthDate ?? '—'} ·{' '}
                {patient.sex ?? '—'}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function RegisterForm({ onRegistered }: { onRegistered(patient: Patient): void }) {
  const [form, setForm] = useState({ patientId: '', family: '', given: '', birthDate: '', sex: '' });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm({ ...form, [key]: event.target.value });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const patient = await patients.register({
        patientId: form.patientId.trim(),
        name: `${form.family.trim()}^${form.given.trim()}`,
        ...(form.birthDate ? { birthDate: form.birthDate.replaceAll('-', '') } : {}),
        ...(form.sex ? { sex: form.sex } : {}),
      });
      onRegistered(patient);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="register" onSubmit={submit} aria-label="Register patient">
      <label>
        Patient ID (MRN)
        <input name="patientId" value={form.patientId} onChange={set('patientId')} required />
      </label>
      <label>
        Family name
        <input name="family" value={form.family} onChange={set('family')} required />
      </label>
      <label>
        Given name
        <input name="given" value={form.given} onChange={set('given')} />
      </label>
      <label>
        Birth date
        <input name="birthDate" type="date" value={form.birthDate} onChange={set('birthDate')} />
      </label>
      <label>
        Sex
        <select name="sex" value={form.sex} onChange={set('sex')}>
          <option value="">—</option>
          <option value="F">F</option>
          <option value="M">M</option>
          <option value="O">O</option>
        </select>
      </label>
      <ErrorMessage error={error} />
      <button type="submit" className="primary" disabled={busy}>
        Register
      </button>
    </form>
  );
}
