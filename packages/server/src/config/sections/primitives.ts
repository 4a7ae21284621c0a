/**
 * Small schema pieces the config sections share: durations, memory sizes, commands.
 * @module
 */
import { Type } from 'typebox';

/** A duration in seconds (0 or more) with its default. */
export const Seconds = (def: number, description: string) =>
  Type.Number({ minimum: 0, default: def, description });

/** A positive duration in seconds, or null (the default) for "derived from other keys". */
export const NullableSeconds = (description: string) =>
  Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], { default: null, description });

/** A memory size: bytes, or a string with a unit ('4 GiB'). */
export const Memory = Type.Union([Type.Number({ minimum: 0 }), Type.String()]);

/** A command: one string or an argument vector. */
export const Cmd = Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]);
