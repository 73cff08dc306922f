export { publishEvent, listEvents, type DomainEvent, type StoredEvent } from './outbox.js';
