import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_CODES } from '@gatehouse/api';
import {
  ForbiddenError,
  GatehouseError,
  InvalidOptionsError,
  NotGrantedError,
  ServerError,
  errorFromResponse,
} from './errors.js';

describe('errorFromResponse', () => {
  it('chooses the class from the code, not the text or the status', () => {
    const e = errorFromResponse(403, 'Forbidden', {
      error: 'Cluster x not found',
      code: 'not_granted',
    });
    assert.ok(e instanceof NotGrantedError);
    assert.equal(e.message, 'Cluster x not found');
    assert.ok(
      errorFromResponse(403, '', { error: 'not granted', code: 'forbidden' }) instanceof
        ForbiddenError
    );
  });

  it('carries the field of an invalid option', () => {
    const e = errorFromResponse(422, '', { error: 'x', code: 'invalid_option', field: 'size' });
    assert.ok(e instanceof InvalidOptionsError);
    assert.equal(e.field, 'size');
  });

  it('has a specific class for every server code', () => {
    for (const code of ERROR_CODES) {
      const e = errorFromResponse(400, '', { error: 'x', code });
      assert.notEqual(e.constructor, GatehouseError, code);
      assert.equal(e.code, code);
    }
  });

  it('falls back to the status for bodies without a code', () => {
    const e = errorFromResponse(502, 'Bad Gateway', null);
    assert.ok(e instanceof ServerError);
    assert.equal(e.message, 'HTTP 502 Bad Gateway');
  });
});
