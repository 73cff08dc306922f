// The study browser's filter form; submitting starts at the first page.
import { useState, type FormEvent } from 'react';
import type { StudyFilters } from './study-search';

const MODALITIES = ['', 'CT', 'MR', 'CR', 'DX', 'US', 'MG', 'NM', 'PT', 'XA', 'RF', 'OT'];

export function StudySearchForm(props: { initial: StudyFilters; onSearch(filters: StudyFilters): void }) {
  const [filters, setFilters] = useState(props.initial);
  const field = (key: keyof StudyFilters) => ({
    value: String(filters[key]),
    onChange: (event: { target: { value: string } }) => setFilters({ ...filters, [key]: event.target.value }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSearch({ ...filters, page: 0 });
  };
  return (
    <form className="filters" onSubmit={submit} role="search" aria-label="Study search">
      <label>
        Patient name
        <input {...field('patientName')} name="patientName" placeholder="DOE^J or doe*" autoFocus />
      </label>
      <label>
        Patient ID
        <input {...field('patientId')} name="patientId" />
      </label>
      <label>
        From
        <input {...field('from')} type="date" name="from" />
      </label>
      <label>
        To
        <input {...field('to')} type="date" name="to" />
      </label>
      <label>
        Modality
        <select {...field('modality')} name="modality">
          {MODALITIES.map((m) => (
            <option key={m} value={m}>
              {m || 'any'}
            </option>
          ))}
        </select>
      </label>
      <label>
        Accession
        <input {...field('accession')} name="accession" />
      </label>
      <button type="submit">Search</button>
    </form>
  );
}
