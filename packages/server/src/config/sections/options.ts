/**
 * The `options` section: the user-facing cluster option fields (spec §4.1).
 * @module
 */
import { Type, type Static } from 'typebox';

const Label = Type.Optional(Type.String());
const Target = Type.Optional(Type.String({ minLength: 1 }));
const Field = Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });
const NumberBound = Type.Optional(Type.Union([Type.Number(), Type.Null()]));

/** One user-facing cluster option (spec §4.1). */
export const OptionFieldConfig = Type.Union([
  Type.Object(
    {
      type: Type.Literal('int'),
      field: Field,
      label: Label,
      target: Target,
      default: Type.Optional(Type.Integer()),
      min: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
      max: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    },
    { additionalProperties: false }
  ),
  Type.Object(
    {
      type: Type.Literal('float'),
      field: Field,
      label: Label,
      target: Target,
      default: Type.Optional(Type.Number()),
      min: NumberBound,
      max: NumberBound,
    },
    { additionalProperties: false }
  ),
  Type.Object(
    {
      type: Type.Literal('string'),
      field: Field,
      label: Label,
      target: Target,
      default: Type.Optional(Type.String()),
    },
    { additionalProperties: false }
  ),
  Type.Object(
    {
      type: Type.Literal('bool'),
      field: Field,
      label: Label,
      target: Target,
      default: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false }
  ),
  Type.Object(
    {
      type: Type.Literal('select'),
      field: Field,
      label: Label,
      target: Target,
      default: Type.Optional(Type.String()),
      apply: Type.Optional(
        Type.Literal('merge', {
          description: "'merge': the chosen value is an object of cluster settings merged in.",
        })
      ),
      options: Type.Array(
        Type.Union([
          Type.String(),
          Type.Object(
            { key: Type.String(), value: Type.Optional(Type.Unknown()) },
            { additionalProperties: false }
          ),
        ]),
        { minItems: 1 }
      ),
    },
    { additionalProperties: false }
  ),
  Type.Object(
    {
      type: Type.Literal('mapping'),
      field: Field,
      label: Label,
      target: Target,
      default: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    },
    { additionalProperties: false }
  ),
]);

/** One cluster option definition. */
export type OptionFieldConfig = Static<typeof OptionFieldConfig>;
