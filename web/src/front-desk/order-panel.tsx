// Order entry: a procedure from the catalogue, priority and reason, for the chosen patient. The patient's
// open orders are listed too, so one placed earlier can be booked.
import { useState, type FormEvent } from 'react';
import { orders, procedures, type Order, type Patient, type Priority } from '../api/ris';
import { ErrorMessage } from '../shell/error-message';
import { useAsync } from '../shell/use-async';

export function OrderPanel(props: { patient: Patient; selected?: Order; onSelect(order: Order): void }) {
  const catalogue = useAsync(() => procedures.list(), []);
  const open = useAsync(
    () => orders.search({ patientRef: props.patient.id, status: 'ordered', limit: 20 }),
    [props.patient.id],
  );
  const [procedureId, setProcedureId] = useState('');
  const [priority, setPriority] = useState<Priority>('ROUTINE');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();

  const place = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const order = await orders.place({
        patientRef: props.patient.id,
        procedureId: Number(procedureId),
        priority,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      });
      open.reload();
      props.onSelect(order);
    } catch (failure) {
      setError(failure);
    }
  };

  const list = catalogue.data?.procedures ?? [];
  return (
    <section className="panel" aria-labelledby="order-heading">
      <h2 id="order-heading">2. Order</h2>
      <ErrorMessage error={catalogue.error} onRetry={catalogue.reload} />
      {catalogue.data && list.length === 0 && (
        <p className="notice">The procedure catalogue is empty; an administrator adds procedures first.</p>
      )}
      <form onSubmit={place} aria-label="Place order">
        <label>
          Procedure
          <select
            name="procedure"
            value={procedureId}
            onChange={(e) => setProcedureId(e.target.value)}
            required
          >
            <option value="">Choose…</option>
            {list.map((p) => (
              <option key={p.id} value={p.id}>
                {p.modality} · {p.meaning} ({p.durationMinutes} min)
              </option>
            ))}
          </select>
        </label>
        <label>
          Priority
          <select name="priority" value={priority} onChange={(e) => setPriority(e.target.value as Priority)}>
            <option>ROUTINE</option>
            <option>URGENT</option>
            <option>STAT</option>
          </select>
        </label>
        <label>
          Reason
          <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <ErrorMessage error={error} />
        <button type="submit" className="primary">
          Place order
        </button>
      </form>
      {open.data && open.data.orders.length > 0 && (
        <>
          <h3>Orders to book</h3>
          <ul className="choices">
            {open.data.orders.map((order) => (
              <li key={order.id}>
                <button
                  type="button"
                  aria-pressed={props.selected?.id === order.id}
                  onClick={() => props.onSelect(order)}
                >
                  {order.accessionNumber} · {order.procedure.meaning} · {order.priority}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
