export { publishEvent, listEvents, type DomainEvent, type StoredEvent } from './outbox.js';
export { createEventConsumer, type EventConsumerOptions } from './event-consumer.js';
