/**
 * The `testing` section: settings only the test suites use.
 * @module
 */
import { Type } from 'typebox';
import { FAULT_POINT_NAMES, type FaultPoint } from '../../faults/fault-points.js';

/** Settings only the test suites use; never set them in production. */
export const TestingConfig = Type.Object(
  {
    crash_at: Type.Unsafe<FaultPoint | null>(
      Type.Union([...FAULT_POINT_NAMES.map((p) => Type.Literal(p)), Type.Null()], {
        default: null,
        description:
          'Test only: the fault point (docs/faults.md) at which the gateway SIGKILLs itself the first time it is reached; null disarms.',
      })
    ),
  },
  { additionalProperties: false, default: {} }
);

/** The whole configuration file. */
