// Booking: the order's modality rooms, a day, and that day's free slots; choosing a slot books it.
import { useState } from 'react';
import { bookings, resources, timeOf, today, type Booking, type Order } from '../api/ris';
import { ErrorMessage } from '../shell/error-message';
import { useAsync } from '../shell/use-async';

export function BookingPanel(props: { order: Order; onBooked(booking: Booking): void }) {
  const { order } = props;
  const rooms = useAsync(() => resources.list(), []);
  const matching = (rooms.data?.resources ?? []).filter((r) => r.modality === order.procedure.modality);
  const [resourceId, setResourceId] = useState<number>();
  const [date, setDate] = useState(today());
  const chosen = resourceId ?? matching[0]?.id;
  const slots = useAsync(
    () => (chosen ? resources.slots(chosen, date, order.procedure.id) : Promise.resolve(undefined)),
    [chosen, date, order.procedure.id],
  );
  const [error, setError] = useState<unknown>();
  const [booked, setBooked] = useState<Booking>();

  const book = async (start: string) => {
    if (!chosen) return;
    setError(undefined);
    try {
      const booking = await bookings.book({ orderId: order.id, resourceId: chosen, start });
      setBooked(booking);
      slots.reload();
      props.onBooked(booking);
    } catch (failure) {
      setError(failure);
      slots.reload();
    }
  };

  return (
    <section className="panel" aria-labelledby="booking-heading">
      <h2 id="booking-heading">3. Booking</h2>
      <p>
        Order {order.accessionNumber}: {order.procedure.meaning} ({order.procedure.durationMinutes} min)
      </p>
      <ErrorMessage error={rooms.error} onRetry={rooms.reload} />
      {rooms.data && matching.length === 0 && (
        <p className="notice">
          No {order.procedure.modality} room is set up; an administrator adds one first.
        </p>
      )}
      <div className="inline">
        <label>
          Room
          <select
            name="resource"
            value={chosen ?? ''}
            onChange={(e) => setResourceId(Number(e.target.value))}
          >
            {matching.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} ({r.aeTitle})
              </option>
            ))}
          </select>
        </label>
        <label>
          Day
          <input name="date" type="date" value={date} onChange={(e) => setDate(e.target.value)} />
        </label>
      </div>
      <ErrorMessage error={slots.error ?? error} />
      {booked ? (
        <p className="success" role="status">
          Booked {new Date(booked.startsAt).toLocaleString()} – {timeOf(booked.endsAt)}.
        </p>
      ) : (
        slots.data && (
          <div className="slots" aria-label="Slots">
            {slots.data.slots.length === 0 && <p className="muted">The room is closed that day.</p>}
            {slots.data.slots.map((slot) => (
              <button
                type="button"
                key={slot.start}
                disabled={!slot.available}
                onClick={() => void book(slot.start)}
                title={slot.available ? 'Book this slot' : 'Taken'}
              >
                {timeOf(slot.start)}
              </button>
            ))}
          </div>
        )
      )}
    </section>
  );
}
