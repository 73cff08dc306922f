export { createDimseDoor, type DimseDoorSettings } from './dimse-door.js';
export { echoAe, sendStudy } from './dicom-commands.js';
