/**
 * Where the project's own files are, seen from the installed CLI package.
 * @module
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (three levels above `packages/cli/dist` or `packages/cli/src`). */
export const PROJECT_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..'
);

/** The Python environment `npm start` sets up, used when the config names none. */
export const PROJECT_PYTHON_ENV = path.join(PROJECT_ROOT, '.venv');
