// Front desk: patient → order → booking, left to right, each step unlocking the next.
import { useState } from 'react';
import type { Order, Patient } from '../api/ris';
import { BookingPanel } from './booking-panel';
import { OrderPanel } from './order-panel';
import { PatientPanel } from './patient-panel';

export function FrontDeskPage() {
  const [patient, setPatient] = useState<Patient>();
  const [order, setOrder] = useState<Order>();
  return (
    <section className="page">
      <h1>Front desk</h1>
      <div className="columns three">
        <PatientPanel
          {...(patient ? { selected: patient } : {})}
          onSelect={(next) => {
            setPatient(next);
            setOrder(undefined);
          }}
        />
        {patient ? (
          <OrderPanel
            key={patient.id}
            patient={patient}
            {...(order ? { selected: order } : {})}
            onSelect={setOrder}
          />
        ) : (
          <section className="panel muted">2. Order: choose or register a patient first.</section>
        )}
        {order ? (
          <BookingPanel key={order.id} order={order} onBooked={() => undefined} />
        ) : (
          <section className="panel muted">3. Booking: place or choose an order first.</section>
        )}
      </div>
    </section>
  );
}
