/**
 * Environment variables edited as rows of name and value, with add and remove buttons: a
 * line without "=" cannot be typed, and each input has a label of its own.
 * @module
 */
import type { EnvRow } from '../option-checks.js';

/** The rows editor of mapping field `id`. */
export function EnvRows(props: {
  id: string;
  rows: readonly EnvRow[];
  set: (rows: EnvRow[]) => void;
  describedBy?: string;
  invalid: boolean;
}) {
  const { id, rows, set, describedBy, invalid } = props;
  const update = (i: number, row: EnvRow) => {
    set(rows.map((r, j) => (j === i ? row : r)));
  };
  const aria = {
    ...(describedBy === undefined ? {} : { 'aria-describedby': describedBy }),
    ...(invalid ? { 'aria-invalid': true as const } : {}),
  };
  return (
    <div className="env-rows" id={id} role="group" aria-labelledby={`${id}-label`}>
      {rows.length === 0 && <p className="hint">No variables.</p>}
      {rows.map((r, i) => {
        const n = String(i + 1);
        return (
          <div className="env-row" key={n}>
            <input
              aria-label={`Variable ${n} name`}
              placeholder="NAME"
              value={r.name}
              spellCheck={false}
              autoCapitalize="off"
              {...aria}
              onChange={(e) => {
                update(i, { ...r, name: e.target.value });
              }}
            />
            <input
              aria-label={`Variable ${n} value`}
              placeholder="value"
              value={r.value}
              onChange={(e) => {
                update(i, { ...r, value: e.target.value });
              }}
            />
            <button
              type="button"
              aria-label={`Remove variable ${n}`}
              onClick={() => {
                set(rows.filter((_, j) => j !== i));
              }}
            >
              Remove
            </button>
          </div>
        );
      })}
      <button
        type="button"
        onClick={() => {
          set([...rows, { name: '', value: '' }]);
        }}
      >
        Add variable
      </button>
    </div>
  );
}
