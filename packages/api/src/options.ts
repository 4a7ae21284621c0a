/**
 * The cluster-options specification as sent by `GET /api/v1/options` (spec §4.1).
 *
 * The client passes `spec` minus `type` as keyword arguments to its widget classes, so each
 * variant allows exactly the keys listed here.
 * @module
 */
import { Type, type Static } from 'typebox';

const Bound = Type.Union([Type.Number(), Type.Null()]);

/** The `spec` object of one option field. */
export const OptionSpec = Type.Union([
  Type.Object(
    { type: Type.Literal('int'), min: Bound, max: Bound },
    { additionalProperties: false }
  ),
  Type.Object(
    { type: Type.Literal('float'), min: Bound, max: Bound },
    { additionalProperties: false }
  ),
  Type.Object({ type: Type.Literal('string') }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('bool') }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('select'), options: Type.Array(Type.String(), { minItems: 1 }) },
    { additionalProperties: false }
  ),
  Type.Object({ type: Type.Literal('mapping') }, { additionalProperties: false }),
]);

/** The `spec` object of one option field. */
export type OptionSpec = Static<typeof OptionSpec>;

/** One entry of `cluster_options`. */
export const OptionEntry = Type.Object(
  {
    field: Type.String(),
    label: Type.String(),
    default: Type.Unknown(),
    spec: OptionSpec,
  },
  { additionalProperties: false }
);

/** One entry of `cluster_options`. */
export type OptionEntry = Static<typeof OptionEntry>;

/** `GET /api/v1/options` answer. */
export const OptionsResponse = Type.Object(
  { cluster_options: Type.Array(OptionEntry) },
  { additionalProperties: false }
);
