/**
 * What the admin sections share: running an action and saying how it went (a status line, or an
 * alert with the gateway's message), and an error line.
 * @module
 */
import { useRef, useState, type ReactNode } from 'react';

/** The message of a failed call. */
export const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** An error line, announced (`role=alert`); nothing for ''. */
export function Problem({ text }: { text: string }) {
  if (text === '') return null;
  return (
    <p className="error" role="alert">
      {text}
    </p>
  );
}

/** An action's outcome. */
interface Note {
  readonly ok: boolean;
  readonly text: string;
}

/**
 * `act(p, ok)` waits for `p`, then shows `ok` (or `p`'s value when it is a string) and calls
 * `after`, or shows the error; `notice` is the line to render.
 */
export function useAction(after: () => void): {
  act: (p: Promise<unknown>, ok: string) => void;
  notice: ReactNode;
} {
  const [note, setNote] = useState<Note | null>(null);
  const afterRef = useRef(after);
  afterRef.current = after;
  const act = (p: Promise<unknown>, ok: string) => {
    p.then(
      (said: unknown) => {
        setNote({ ok: true, text: typeof said === 'string' ? said : ok });
        afterRef.current();
      },
      (e: unknown) => {
        setNote({ ok: false, text: message(e) });
      }
    );
  };
  const notice =
    note === null ? null : note.ok ? (
      <p className="ok" role="status">
        {note.text}
      </p>
    ) : (
      <Problem text={note.text} />
    );
  return { act, notice };
}

/** A labelled text field with its own error (announced, tied by `aria-describedby`). */
export function TextField(props: {
  label: string;
  name: string;
  value: string;
  set: (v: string) => void;
  error?: string;
  placeholder?: string;
}) {
  const { label, name, value, set, error = '', placeholder } = props;
  const errorId = `${name}-error`;
  return (
    <label>
      {label}
      <input
        name={name}
        value={value}
        autoComplete="off"
        placeholder={placeholder}
        aria-invalid={error !== ''}
        aria-describedby={error === '' ? undefined : errorId}
        onChange={(e) => {
          set(e.target.value);
        }}
      />
      {error !== '' && (
        <span id={errorId} className="field-error" role="alert">
          {error}
        </span>
      )}
    </label>
  );
}
