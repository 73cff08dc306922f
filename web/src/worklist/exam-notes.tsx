// Notes on an exam: the technologist writes what the reader must know (contrast given, breath-hold failed,
// series repeated); the radiologist reads them beside the report. Notes are never edited: a correction is a
// new note that names the one it corrects, so what someone already read stays on record.
import { useState, type FormEvent } from 'react';
import { examNotes, type ExamNote } from '../api/ris';
import { sessionState } from '../api/session';
import { ErrorMessage } from '../shell/error-message';
import { useAsync } from '../shell/use-async';

const WRITERS = ['technologist', 'radiologist', 'administrator'];
const MAX_LENGTH = 2000;

/** Whether the session may add notes (the server decides; this only hides a form that would be refused). */
function mayWrite(): boolean {
  const session = sessionState();
  if (session.kind === 'open') return true;
  return session.kind === 'signed-in' && session.user.roles.some((role) => WRITERS.includes(role));
}

export function ExamNotes({ orderId, title = 'Exam notes' }: { orderId: number; title?: string }) {
  const notes = useAsync(() => examNotes.list(orderId), [orderId]);
  const [text, setText] = useState('');
  const [corrects, setCorrects] = useState<ExamNote>();
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSaving(true);
    try {
      await examNotes.add(orderId, {
        text: text.trim(),
        ...(corrects ? { correctsNoteId: corrects.id } : {}),
      });
      setText('');
      setCorrects(undefined);
      notes.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  };
  const list = notes.data?.notes ?? [];
  return (
    <section className="exam-notes" aria-label={title}>
      <h3>{title}</h3>
      <ErrorMessage error={notes.error} onRetry={notes.reload} />
      {notes.data && list.length === 0 && <p className="muted">No notes on this exam.</p>}
      {list.length > 0 && (
        <ol data-testid="exam-notes">
          {list.map((note) => (
            <li key={note.id} id={`note-${note.id}`}>
              <p>{note.text}</p>
              <span className="muted">
                {note.author.id}, {new Date(note.createdAt).toLocaleString()}
                {note.correctsNoteId !== null &&
                  ` · corrects note ${list.findIndex((n) => n.id === note.correctsNoteId) + 1}`}
              </span>
              {mayWrite() && (
                <button type="button" className="link" onClick={() => setCorrects(note)}>
                  Correct…
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      {mayWrite() && (
        <form onSubmit={submit} aria-label="Add exam note" className="stacked">
          <label>
            {corrects ? `Correction of note ${list.indexOf(corrects) + 1}` : 'New note'}
            <textarea
              name="note"
              value={text}
              maxLength={MAX_LENGTH}
              rows={2}
              placeholder="e.g. Contrast 80 ml IV; series 3 repeated (motion)"
              onChange={(e) => setText(e.target.value)}
              required
            />
          </label>
          <ErrorMessage error={error} />
          <div className="inline">
            <button type="submit" className="primary" disabled={saving || text.trim() === ''}>
              Add note
            </button>
            {corrects && (
              <button type="button" onClick={() => setCorrects(undefined)}>
                Not a correction
              </button>
            )}
          </div>
        </form>
      )}
    </section>
  );
}
