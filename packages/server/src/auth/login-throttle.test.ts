/**
 * Tests for the web UI's login throttle, with an injected clock.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../errors.js';
import { LOGIN_BURST, LOGIN_REFILL_SECONDS, createLoginThrottle } from './login-throttle.js';

function throttled(f: () => void): GatewayError {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof GatewayError);
    return err;
  }
  assert.fail('expected a refusal');
}

describe('login throttle', () => {
  it('allows a few failures, then one attempt per interval, per username', () => {
    const clock = {
      t: 0,
      now() {
        return this.t;
      },
    };
    const t = createLoginThrottle(clock);
    for (let i = 0; i < LOGIN_BURST; i++) {
      t.check('Alice', '10.0.0.1');
      t.failed('alice', '10.0.0.1');
    }
    const err = throttled(() => {
      t.check('ALICE', '10.0.0.1');
    });
    assert.equal(err.code, 'too_many_requests');
    assert.equal(err.headers['Retry-After'], String(LOGIN_REFILL_SECONDS));
    assert.match(
      err.message,
      /Too many failed logins for ALICE from this address; try again in 30 s/
    );
    t.check('bob', '10.0.0.1'); // another user is not affected
    t.check('alice', '10.0.0.2'); // nor the same user from another address
    clock.t = LOGIN_REFILL_SECONDS * 1000;
    t.check('alice', '10.0.0.1');
    t.failed('alice', '10.0.0.1');
    assert.throws(() => {
      t.check('alice', '10.0.0.1');
    }, /try again/);
  });

  it('forgets the failures after a successful login', () => {
    const t = createLoginThrottle({ now: () => 0 });
    for (let i = 0; i < LOGIN_BURST; i++) t.failed('carol', '10.0.0.1');
    assert.throws(() => {
      t.check('carol', '10.0.0.1');
    }, /try again/);
    t.succeeded('carol', '10.0.0.1');
    t.check('carol', '10.0.0.1');
  });

  it('never throttles API-token logins (no username), which nobody could guess', () => {
    const t = createLoginThrottle({ now: () => 0 });
    for (let i = 0; i < 3 * LOGIN_BURST; i++) t.failed('', '10.0.0.1');
    t.check('', '10.0.0.1');
  });
});
