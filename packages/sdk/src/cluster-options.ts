/**
 * The cluster options a user may set, as `GET /api/v1/options` describes them: the fields with
 * their specs, and the values to submit (starting from the defaults), like the Python client's
 * `Options` object.
 * @module
 */
import type { OptionEntry } from '@gatehouse/api';
import { InvalidOptionsError } from './errors.js';

/** The option fields of a gateway and the values to submit with `newCluster`. */
export class ClusterOptions {
  /** Every field the gateway offers this user, in the gateway's order. */
  readonly fields: readonly OptionEntry[];
  /** The values to submit: each field's default until {@link set} changes it. */
  readonly values: Record<string, unknown>;

  /** @param fields - the `cluster_options` list of `GET /api/v1/options`. */
  constructor(fields: readonly OptionEntry[]) {
    this.fields = fields;
    this.values = Object.fromEntries(fields.map((f) => [f.field, structuredClone(f.default)]));
  }

  /** The field named `name`, or `undefined`. */
  field(name: string): OptionEntry | undefined {
    return this.fields.find((f) => f.field === name);
  }

  /**
   * Sets one value; the gateway validates it when the cluster is created.
   * @throws InvalidOptionsError when the gateway offers no field `name`, or a select value is
   *   not one of its choices.
   */
  set(name: string, value: unknown): this {
    const f = this.field(name);
    if (f === undefined) {
      const known = this.fields.map((x) => x.field).join(', ');
      throw new InvalidOptionsError(
        `This gateway has no cluster option ${JSON.stringify(name)}; its options are: ${known || 'none'}`,
        null,
        'invalid_option',
        name
      );
    }
    if (
      f.spec.type === 'select' &&
      (typeof value !== 'string' || !f.spec.options.includes(value))
    ) {
      throw new InvalidOptionsError(
        `${JSON.stringify(value)} is not a valid option for ${name}; choose one of ${f.spec.options.join(', ')}`,
        null,
        'invalid_option',
        name
      );
    }
    this.values[name] = value;
    return this;
  }

  /** The `cluster_options` object to submit. */
  toJSON(): Record<string, unknown> {
    return { ...this.values };
  }
}
