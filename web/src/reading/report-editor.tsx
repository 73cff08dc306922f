// The report beside the images: start a draft (from a template or blank), edit its sections, sign it as
// preliminary or final, and amend or add to a signed report. The server keeps every version.
import { useEffect, useState } from 'react';
import { reports, type Report, type ReportSection } from '../api/reports';
import { ErrorMessage } from '../shell/error-message';
import { useAsync } from '../shell/use-async';

const BLANK: ReportSection[] = [
  { title: 'Findings', text: '' },
  { title: 'Impression', text: '' },
];

export function ReportEditor({ orderId }: { orderId: number }) {
  const report = useAsync(() => reports.get(orderId), [orderId]);
  const templates = useAsync(() => reports.templates(), []);
  const [sections, setSections] = useState<ReportSection[]>(BLANK);
  const [signer, setSigner] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const current = report.data?.current;
  const editable = current?.status === 'draft';
  const signed = current !== undefined && current.status !== 'draft';

  useEffect(() => {
    if (current) setSections(current.sections.length ? current.sections : BLANK);
  }, [current]);

  const run = async (what: string, call: () => Promise<Report | unknown>) => {
    setError(undefined);
    setSaved(undefined);
    try {
      await call();
      setSaved(what);
      report.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  const edit = (index: number, text: string) =>
    setSections(sections.map((s, i) => (i === index ? { ...s, text } : s)));

  if (report.error) return <ErrorMessage error={report.error} onRetry={report.reload} />;
  if (report.loading && !report.data) return <p className="muted">Loading report…</p>;

  return (
    <section className="report" aria-label="Report">
      <h3>
        Report{' '}
        {current && (
          <span className={`status ${current.status}`} data-testid="report-status">
            {current.kind === 'original' ? '' : `${current.kind} · `}
            {current.status} (v{current.version})
          </span>
        )}
      </h3>
      <ErrorMessage error={error} />
      {saved && (
        <p className="success" role="status">
          {saved}
        </p>
      )}
      {!current && (
        <div className="inline">
          <button
            type="button"
            className="primary"
            onClick={() => void run('Draft started.', () => reports.startDraft(orderId, { sections: BLANK }))}
          >
            Start blank draft
          </button>
          {(templates.data?.templates ?? []).map((t) => (
            <button
              type="button"
              key={t.id}
              onClick={() =>
                void run('Draft started.', () => reports.startDraft(orderId, { templateId: t.id }))
              }
            >
              From “{t.name}”
            </button>
          ))}
        </div>
      )}
      {current &&
        sections.map((section, index) => (
          <label key={section.title + index} className="section">
            {section.title}
            <textarea
              name={section.title}
              value={section.text}
              readOnly={!editable && !signed}
              onChange={(e) => edit(index, e.target.value)}
              rows={index === 0 ? 8 : 4}
            />
          </label>
        ))}
      {editable && (
        <div className="inline">
          <button
            type="button"
            onClick={() => void run('Draft saved.', () => reports.saveDraft(orderId, sections))}
          >
            Save draft
          </button>
          <label>
            Signed by
            <input name="signer" value={signer} onChange={(e) => setSigner(e.target.value)} />
          </label>
          <button
            type="button"
            disabled={!signer.trim()}
            onClick={() =>
              void run('Signed as preliminary.', async () => {
                await reports.saveDraft(orderId, sections);
                return reports.sign(orderId, 'preliminary', signer.trim());
              })
            }
          >
            Sign preliminary
          </button>
          <button
            type="button"
            className="primary"
            disabled={!signer.trim()}
            onClick={() =>
              void run('Signed as final.', async () => {
                await reports.saveDraft(orderId, sections);
                return reports.sign(orderId, 'final', signer.trim());
              })
            }
          >
            Sign final
          </button>
        </div>
      )}
      {signed && (
        <div className="inline">
          <label>
            Reason for change
            <input name="amendReason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button
            type="button"
            disabled={!reason.trim()}
            onClick={() =>
              void run('Amendment started.', () =>
                reports.amend(orderId, { kind: 'amendment', reason: reason.trim(), sections }),
              )
            }
          >
            Amend
          </button>
        </div>
      )}
      {report.data && report.data.versions.length > 1 && (
        <p className="muted">
          Versions:{' '}
          {report.data.versions
            .map((v) => `v${v.version} ${v.kind} ${v.status}${v.signer ? ` by ${v.signer.name}` : ''}`)
            .join(' · ')}
        </p>
      )}
    </section>
  );
}
