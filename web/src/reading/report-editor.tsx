// The report beside the images: start a draft (from the procedure's template or blank), edit its sections,
// sign it as preliminary or final, then amend it or add an addendum (the server keeps every version), and
// record the communication of a critical result. A logged-in user signs under their own account's name (the
// server takes it from the account, not from us); only with authentication off is the signer's name typed.
import { useState, useSyncExternalStore } from 'react';
import { reports, type Report, type ReportSection } from '../api/reports';
import { onSessionChange, sessionState } from '../api/session';
import { ErrorMessage } from '../shell/error-message';
import { useAsync } from '../shell/use-async';
import { CriticalResults } from './critical-results';

const BLANK: ReportSection[] = [
  { title: 'Findings', text: '' },
  { title: 'Impression', text: '' },
];

export function ReportEditor({ orderId, procedureId }: { orderId: number; procedureId?: number }) {
  const report = useAsync(() => reports.get(orderId), [orderId]);
  const templates = useAsync(() => reports.templates(procedureId), [procedureId]);
  const [templateId, setTemplateId] = useState<number>();
  const [sections, setSections] = useState<ReportSection[]>(BLANK);
  const session = useSyncExternalStore(onSessionChange, sessionState);
  const signingAs = session.kind === 'signed-in' ? session.user.displayName : undefined;
  const [typedSigner, setTypedSigner] = useState('');
  // Open access (no login): the server needs the name typed; signed in, it ignores any name we would send.
  const signer = signingAs === undefined ? typedSigner.trim() : undefined;
  const canSign = signer === undefined || signer !== '';
  const [reason, setReason] = useState('');
  const [changeKind, setChangeKind] = useState<'amendment' | 'addendum'>('addendum');
  const [addendum, setAddendum] = useState('');
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const current = report.data?.current;
  const editable = current?.status === 'draft';
  const signed = current !== undefined && current.status !== 'draft';
  // The procedure's own template first: that is the one a radiologist wants by default.
  const choices = [...(templates.data?.templates ?? [])].sort(
    (a, b) => Number(b.procedureId !== null) - Number(a.procedureId !== null),
  );
  const chosenTemplate = templateId ?? choices[0]?.id;

  // The sections follow each new version from the server, adjusted during render (not in an effect), so a
  // new draft never shows one frame of blank sections before its template's text.
  const [sectionsOf, setSectionsOf] = useState<typeof current>();
  if (current !== sectionsOf) {
    setSectionsOf(current);
    if (current) setSections(current.sections.length ? current.sections : BLANK);
  }

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
      <ErrorMessage error={error ?? templates.error} />
      {saved && (
        <p className="success" role="status">
          {saved}
        </p>
      )}
      {!current && (
        <div className="inline">
          <button
            type="button"
            onClick={() => void run('Draft started.', () => reports.startDraft(orderId, { sections: BLANK }))}
          >
            Start blank draft
          </button>
          {choices.length > 0 && (
            <>
              <label>
                Template
                <select
                  name="template"
                  value={chosenTemplate ?? ''}
                  onChange={(e) => setTemplateId(Number(e.target.value))}
                >
                  {choices.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                      {t.procedureId === null ? ' (general)' : ''}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                className="primary"
                onClick={() =>
                  void run('Draft started from the template.', () =>
                    reports.startDraft(orderId, { templateId: chosenTemplate! }),
                  )
                }
              >
                Start from template
              </button>
            </>
          )}
        </div>
      )}
      {current &&
        sections.map((section, index) => (
          <label key={section.title + index} className="section">
            {section.title}
            <textarea
              name={section.title}
              value={section.text}
              readOnly={!editable && !(signed && changeKind === 'amendment')}
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
          {signingAs === undefined ? (
            <label>
              Signed by
              <input name="signer" value={typedSigner} onChange={(e) => setTypedSigner(e.target.value)} />
            </label>
          ) : (
            <span className="muted" data-testid="signing-as">
              Signing as {signingAs}
            </span>
          )}
          <button
            type="button"
            disabled={!canSign}
            onClick={() =>
              void run('Signed as preliminary.', async () => {
                await reports.saveDraft(orderId, sections);
                return reports.sign(orderId, 'preliminary', signer);
              })
            }
          >
            Sign preliminary
          </button>
          <button
            type="button"
            className="primary"
            disabled={!canSign}
            onClick={() =>
              void run('Signed as final.', async () => {
                await reports.saveDraft(orderId, sections);
                return reports.sign(orderId, 'final', signer);
              })
            }
          >
            Sign final
          </button>
        </div>
      )}
      {signed && (
        <fieldset className="change" aria-label="Change the signed report">
          <legend>Change the signed report</legend>
          <div className="inline">
            <label className="check">
              <input
                type="radio"
                name="changeKind"
                checked={changeKind === 'addendum'}
                onChange={() => setChangeKind('addendum')}
              />
              Addendum
            </label>
            <label className="check">
              <input
                type="radio"
                name="changeKind"
                checked={changeKind === 'amendment'}
                onChange={() => setChangeKind('amendment')}
              />
              Amendment (edit the sections above)
            </label>
          </div>
          {changeKind === 'addendum' && (
            <label>
              Addendum text
              <textarea
                name="addendum"
                rows={3}
                value={addendum}
                onChange={(e) => setAddendum(e.target.value)}
              />
            </label>
          )}
          <label>
            Reason for change
            <input name="amendReason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button
            type="button"
            disabled={!reason.trim() || (changeKind === 'addendum' && !addendum.trim())}
            onClick={() =>
              void run(
                changeKind === 'addendum'
                  ? 'Addendum started; sign it to issue it.'
                  : 'Amendment started; sign it to issue it.',
                async () => {
                  await reports.amend(
                    orderId,
                    changeKind === 'addendum'
                      ? { kind: 'addendum', reason: reason.trim(), addendum: addendum.trim() }
                      : { kind: 'amendment', reason: reason.trim(), sections },
                  );
                  setReason('');
                  setAddendum('');
                },
              )
            }
          >
            {changeKind === 'addendum' ? 'Add addendum' : 'Amend'}
          </button>
        </fieldset>
      )}
      {report.data && report.data.versions.length > 1 && (
        <p className="muted" data-testid="report-versions">
          Versions:{' '}
          {report.data.versions
            .map((v) => `v${v.version} ${v.kind} ${v.status}${v.signer ? ` by ${v.signer.name}` : ''}`)
            .join(' · ')}
        </p>
      )}
      {report.data && (
        <CriticalResults orderId={orderId} records={report.data.criticalResults} onRecorded={report.reload} />
      )}
    </section>
  );
}
