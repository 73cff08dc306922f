// Study browser filters ↔ QIDO-RS parameters and the page's query string (so back/forward and reload keep them).

export interface StudyFilters {
  patientName: string;
  patientId: string;
  from: string; // YYYY-MM-DD
  to: string;
  modality: string;
  accession: string;
  page: number;
}

export const PAGE_SIZE = 25;

export function filtersFromParams(params: URLSearchParams): StudyFilters {
  return {
    patientName: params.get('name') ?? '',
    patientId: params.get('id') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    modality: params.get('modality') ?? '',
    accession: params.get('accession') ?? '',
    page: Math.max(0, Number(params.get('page') ?? 0) || 0),
  };
}

export function filtersToSearch(filters: StudyFilters): string {
  const params = new URLSearchParams();
  const entries: [string, string][] = [
    ['name', filters.patientName],
    ['id', filters.patientId],
    ['from', filters.from],
    ['to', filters.to],
    ['modality', filters.modality],
    ['accession', filters.accession],
    ['page', filters.page ? String(filters.page) : ''],
  ];
  for (const [key, value] of entries) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

const da = (date: string) => date.replaceAll('-', '');

/** QIDO-RS keys (PS3.4 C.2.2.2 matching): names match as prefixes, case-insensitively, unless wildcards are given. */
export function qidoParams(filters: StudyFilters): Record<string, string | number | undefined> {
  const name = filters.patientName.trim();
  const range = filters.from || filters.to ? `${da(filters.from)}-${da(filters.to)}` : undefined;
  return {
    PatientName: name ? (/[*?]/.test(name) ? name : `${name}*`) : undefined,
    PatientID: filters.patientId.trim() || undefined,
    StudyDate: range,
    ModalitiesInStudy: filters.modality || undefined,
    AccessionNumber: filters.accession.trim() || undefined,
    includefield: 'StudyDescription',
    limit: PAGE_SIZE,
    offset: filters.page * PAGE_SIZE,
  };
}
