// The scheduling calendar of one room for one day: its slots as rows, the booked exams placed on them. Drag
// an exam to another slot (or choose one from its menu) to reschedule it through the booking API; a conflict
// comes back as the server's message and the calendar reloads.
import { useState, type DragEvent } from 'react';
import {
  bookings,
  orders,
  patientName,
  patients,
  resources,
  timeOf,
  today,
  type Order,
  type ScheduledStep,
} from '../api/ris';
import { ErrorMessage } from '../shell/error-message';
import { useAsync } from '../shell/use-async';

interface Placed {
  order: Order;
  step: ScheduledStep & { bookingId: number; scheduledStart: string };
}

export function ScheduleCalendar() {
  const rooms = useAsync(() => resources.list(), []);
  const [roomId, setRoomId] = useState<number>();
  const [date, setDate] = useState(today());
  const room = roomId ?? rooms.data?.resources[0]?.id;
  const day = useAsync(async () => {
    if (!room) return undefined;
    const { slots, durationMinutes } = await resources.slots(room, date);
    if (slots.length === 0) return { slots, durationMinutes, placed: [] as Placed[], names: new Map() };
    const found = await orders.search({
      scheduledFrom: slots[0]!.start,
      scheduledTo: slots[slots.length - 1]!.end,
      limit: 500,
    });
    const placed: Placed[] = [];
    for (const order of found.orders) {
      for (const step of order.steps) {
        if (step.resourceId === room && step.bookingId !== null && step.scheduledStart !== null) {
          placed.push({ order, step: step as Placed['step'] });
        }
      }
    }
    const refs = [...new Set(placed.map((p) => p.order.patientRef))];
    const names = new Map(
      await Promise.all(refs.map(async (ref) => [ref, patientName(await patients.get(ref))] as const)),
    );
    return { slots, durationMinutes, placed, names };
  }, [room, date]);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [dragging, setDragging] = useState<number>();

  const move = async (placed: Placed, start: string) => {
    setError(undefined);
    setNotice(undefined);
    if (new Date(start).getTime() === new Date(placed.step.scheduledStart).getTime()) return;
    try {
      const booking = await bookings.reschedule(placed.step.bookingId, { start });
      setNotice(
        `${placed.order.accessionNumber} moved to ${timeOf(booking.startsAt)}–${timeOf(booking.endsAt)}.`,
      );
    } catch (failure) {
      setError(failure);
    }
    day.reload();
  };
  const drop = (start: string) => (event: DragEvent) => {
    event.preventDefault();
    const bookingId = Number(event.dataTransfer.getData('text/plain'));
    setDragging(undefined);
    const placed = day.data?.placed.find((p) => p.step.bookingId === bookingId);
    if (placed) void move(placed, start);
  };
  const startsAt = (iso: string) => new Date(iso).getTime();

  return (
    <section className="page">
      <h1>Schedule</h1>
      <div className="inline">
        <label>
          Room
          <select name="room" value={room ?? ''} onChange={(e) => setRoomId(Number(e.target.value))}>
            {(rooms.data?.resources ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} ({r.modality}, {r.aeTitle})
              </option>
            ))}
          </select>
        </label>
        <label>
          Day
          <input name="date" type="date" value={date} onChange={(e) => setDate(e.target.value)} />
        </label>
        <button type="button" onClick={day.reload}>
          Refresh
        </button>
      </div>
      <ErrorMessage error={rooms.error ?? day.error} onRetry={day.reload} />
      <ErrorMessage error={error} />
      {notice && (
        <p className="success" role="status">
          {notice}
        </p>
      )}
      {rooms.data && rooms.data.resources.length === 0 && (
        <p className="notice">No room is set up yet; an administrator adds modality rooms first.</p>
      )}
      {day.data && day.data.slots.length === 0 && <p className="muted">The room is closed that day.</p>}
      <div
        className="calendar"
        data-testid="calendar"
        aria-label="Day calendar: drag an exam to another time"
      >
        {(day.data?.slots ?? []).map((slot) => {
          const here = (day.data?.placed ?? []).filter(
            (p) =>
              startsAt(p.step.scheduledStart) >= startsAt(slot.start) &&
              startsAt(p.step.scheduledStart) < startsAt(slot.end),
          );
          return (
            <div
              key={slot.start}
              className={`calendar-slot${dragging !== undefined ? ' droppable' : ''}`}
              data-start={slot.start}
              data-available={slot.available}
              data-testid="calendar-slot"
              onDragOver={(e) => e.preventDefault()}
              onDrop={drop(slot.start)}
            >
              <span className="calendar-time">{timeOf(slot.start)}</span>
              {here.map((p) => (
                <div
                  key={p.step.bookingId}
                  className="calendar-exam"
                  draggable
                  data-accession={p.order.accessionNumber}
                  onDragStart={(e) => {
                    e.dataTransfer.setData('text/plain', String(p.step.bookingId));
                    e.dataTransfer.effectAllowed = 'move';
                    setDragging(p.step.bookingId);
                  }}
                  onDragEnd={() => setDragging(undefined)}
                >
                  <strong>{timeOf(p.step.scheduledStart)}</strong> {day.data?.names.get(p.order.patientRef)} ·{' '}
                  {p.order.procedure.meaning} · {p.order.accessionNumber}
                  <select
                    aria-label={`Move ${p.order.accessionNumber} to`}
                    value=""
                    onChange={(e) => e.target.value && void move(p, e.target.value)}
                  >
                    <option value="">Move to…</option>
                    {(day.data?.slots ?? [])
                      .filter((s) => s.available)
                      .map((s) => (
                        <option key={s.start} value={s.start}>
                          {timeOf(s.start)}
                        </option>
                      ))}
                  </select>
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </section>
  );
}
