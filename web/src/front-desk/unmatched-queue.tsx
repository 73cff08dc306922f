// Studies that arrived without a matching order: find the patient's orders and link the study to one, or
// dismiss it with a reason. Linking goes through the RIS, which refuses wrong patients and closed orders.
import { useState } from 'react';
import { orders, patients, unmatched, type Order, type UnmatchedStudy } from '../api/ris';
import { ErrorMessage } from '../shell/error-message';
import { Pager } from '../shell/pager';
import { useAsync } from '../shell/use-async';

const PAGE = 25;

export function UnmatchedQueue() {
  const [status, setStatus] = useState('open');
  const [page, setPage] = useState(0);
  const list = useAsync(() => unmatched.list({ status, limit: PAGE, offset: page * PAGE }), [status, page]);
  const [open, setOpen] = useState<string>();
  const [notice, setNotice] = useState<string>();
  return (
    <section className="page">
      <h1>Unmatched studies</h1>
      <div className="inline">
        <label>
          Show
          <select name="status" value={status} onChange={(e) => (setStatus(e.target.value), setPage(0))}>
            <option value="open">open</option>
            <option value="linked">linked</option>
            <option value="dismissed">dismissed</option>
          </select>
        </label>
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      </div>
      <ErrorMessage error={list.error} onRetry={list.reload} />
      {notice && (
        <p className="success" role="status">
          {notice}
        </p>
      )}
      {list.data && <Pager page={page} pageSize={PAGE} total={list.data.total} onPage={setPage} />}
      <table className="grid" data-testid="unmatched-table">
        <thead>
          <tr>
            <th>Patient</th>
            <th>Patient ID</th>
            <th>Study date</th>
            <th>Modalities</th>
            <th>Accession</th>
            <th>Images</th>
            <th>Why</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(list.data?.studies ?? []).map((study) => (
            <UnmatchedRow
              key={study.studyInstanceUid}
              study={study}
              open={open === study.studyInstanceUid}
              onToggle={() => setOpen(open === study.studyInstanceUid ? undefined : study.studyInstanceUid)}
              onDone={(message) => {
                setNotice(message);
                setOpen(undefined);
                list.reload();
              }}
            />
          ))}
        </tbody>
      </table>
      {list.data?.total === 0 && <p className="muted">No {status} studies.</p>}
    </section>
  );
}

function UnmatchedRow(props: {
  study: UnmatchedStudy;
  open: boolean;
  onToggle(): void;
  onDone(message: string): void;
}) {
  const { study } = props;
  return (
    <>
      <tr data-study={study.studyInstanceUid} data-patient-id={study.patientId ?? ''}>
        <td>{study.patientName?.replace('^', ', ') ?? '—'}</td>
        <td>{study.patientId ?? '—'}</td>
        <td>{study.studyDate ?? ''}</td>
        <td>{study.modalities ?? ''}</td>
        <td>{study.accessionNumber ?? '—'}</td>
        <td>{study.numInstances ?? ''}</td>
        <td className="wrap">{study.reason}</td>
        <td>
          {study.status === 'open' && (
            <button type="button" onClick={props.onToggle} aria-expanded={props.open}>
              Reconcile…
            </button>
          )}
        </td>
      </tr>
      {props.open && (
        <tr className="expanded">
          <td colSpan={8}>
            <Reconcile study={study} onDone={props.onDone} />
          </td>
        </tr>
      )}
    </>
  );
}

function Reconcile({ study, onDone }: { study: UnmatchedStudy; onDone(message: string): void }) {
  const [identifier, setIdentifier] = useState(study.patientId ?? '');
  const [searched, setSearched] = useState(study.patientId ?? '');
  const candidates = useAsync(async (): Promise<Order[]> => {
    if (!searched) return [];
    const found = await patients.search({ identifier: searched, limit: 5 });
    const lists = await Promise.all(
      found.patients.map((p) => orders.search({ patientRef: p.id, limit: 50 })),
    );
    return lists.flatMap((l) => l.orders);
  }, [searched]);
  const [error, setError] = useState<unknown>();
  const [reason, setReason] = useState('');
  const link = async (order: Order) => {
    setError(undefined);
    try {
      await unmatched.link(study.studyInstanceUid, order.id);
      onDone(`Study linked to order ${order.accessionNumber}.`);
    } catch (failure) {
      setError(failure);
    }
  };
  const dismiss = async () => {
    setError(undefined);
    try {
      await unmatched.dismiss(study.studyInstanceUid, reason.trim() || undefined);
      onDone('Study dismissed from the queue.');
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <div className="reconcile" aria-label="Reconcile study">
      <div className="inline">
        <label>
          Patient ID
          <input name="identifier" value={identifier} onChange={(e) => setIdentifier(e.target.value)} />
        </label>
        <button type="button" onClick={() => setSearched(identifier.trim())}>
          Find orders
        </button>
      </div>
      <ErrorMessage error={candidates.error ?? error} />
      {candidates.data && candidates.data.length === 0 && (
        <p className="muted">No order for this patient ID. Place one at the front desk first, or dismiss.</p>
      )}
      <ul className="candidates">
        {(candidates.data ?? []).map((order) => (
          <li key={order.id} data-accession={order.accessionNumber}>
            {order.accessionNumber} · {order.procedure.meaning} · {order.status} ·{' '}
            {new Date(order.createdAt).toLocaleDateString()}{' '}
            <button type="button" onClick={() => void link(order)}>
              Link to this order
            </button>
          </li>
        ))}
      </ul>
      <div className="inline">
        <label>
          Reason
          <input name="dismissReason" value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <button type="button" onClick={() => void dismiss()}>
          Dismiss
        </button>
      </div>
    </div>
  );
}
