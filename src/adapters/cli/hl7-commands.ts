import type { Logger } from '../../platform/log/index.js';
import { MESSAGE_STATES, type MessageLog } from '../../platform/messages/index.js';
import { cliContext } from './cli-context.js';
import { formatTable } from './terminal-table.js';

/** `lantern hl7 list`: counts by state, then the newest messages (filtered). */
export async function listHl7Messages(
  messages: MessageLog,
  log: Logger,
  options: { direction?: string; state?: string; limit: number },
): Promise<string> {
  const counts = await messages.counts(cliContext(log, 'hl7 list'));
  const summary = (['inbound', 'outbound'] as const)
    .map((d) => `${d}: ${MESSAGE_STATES.map((s) => `${s} ${counts[d][s]}`).join(', ')}`)
    .join('\n');
  const { total, messages: rows } = await messages.list(cliContext(log, 'hl7 list'), {
    direction: options.direction,
    state: options.state,
    limit: options.limit,
  });
  if (rows.length === 0) return `${summary}\nNo messages match.`;
  const table = formatTable(
    ['Id', 'Dir', 'Type', 'Control ID', 'From/To', 'State', 'Tries', 'Received', 'Reason / outcome'],
    rows.map((m) => [
      String(m.id),
      m.direction === 'inbound' ? 'in' : 'out',
      m.messageType,
      m.controlId,
      m.direction === 'inbound' ? `${m.sendingApplication}^${m.sendingFacility}` : m.peer,
      m.state,
      String(m.attempts),
      m.createdAt,
      (m.lastError ?? m.outcome ?? '').slice(0, 60),
    ]),
  );
  return `${summary}\n${table}\n${rows.length} of ${total} shown`;
}

/** `lantern hl7 show <id>`: one message, its segments one a line, and the ACK. */
export async function showHl7Message(messages: MessageLog, log: Logger, id: number): Promise<string> {
  const m = await messages.get(cliContext(log, 'hl7 show'), id);
  const text = (bytes: Buffer) => bytes.toString('utf8').replace(/\r/g, '\n').trimEnd();
  return [
    `Message ${m.id} (${m.direction}) ${m.messageType} control ID ${m.controlId}`,
    `State: ${m.state}, attempts ${m.attempts}${m.nextAttemptAt && m.state === 'failed' ? `, next ${m.nextAttemptAt}` : ''}`,
    ...(m.lastError ? [`Reason: ${m.lastError}`] : []),
    ...(m.outcome ? [`Outcome: ${m.outcome}`] : []),
    ...(m.duplicateOf ? [`Duplicate of message ${m.duplicateOf}`] : []),
    '',
    text(m.payload),
    ...(m.ack ? ['', `ACK (${m.ackCode}):`, text(m.ack)] : []),
  ].join('\n');
}

/** `lantern hl7 replay <id>` (inbound) and `lantern hl7 resend <id>` (outbound). */
export async function replayHl7Message(
  messages: MessageLog,
  log: Logger,
  id: number,
  direction: 'inbound' | 'outbound',
): Promise<string> {
  const verb = direction === 'inbound' ? 'replay' : 'resend';
  const m = await messages.replay(cliContext(log, `hl7 ${verb}`), id, direction);
  return `Message ${m.id} (${m.messageType}) is pending again: a running server ${direction === 'inbound' ? 'processes' : 'sends'} it next.`;
}
