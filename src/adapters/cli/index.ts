export { importFolder, formatImportSummary, type ImportSummary } from './import-command.js';
export { listStudies, type StudiesOptions } from './studies-command.js';
export { exportStudy } from './export-command.js';
export { verifyArchive, formatVerifyReport } from './verify-command.js';
export { listAes, addAe, removeAe } from './ae-command.js';
export { listHl7Messages, replayHl7Message, showHl7Message } from './hl7-commands.js';
export { registerSecurityCommands } from './security-commands.js';
export { securityFirstStart } from './first-start.js';
export { cliContext } from './cli-context.js';
