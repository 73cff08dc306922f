export { createDimseDoor, type DimseDoorSettings } from './dimse-door.js';
