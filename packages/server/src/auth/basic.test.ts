/**
 * Tests for HTTP Basic authentication (spec §2.3).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBasicAuthenticator, parseBasic } from './basic.js';

/** `Basic base64(latin1(user:password))`, as the dask-gateway client sends it. */
function basic(credentials: string, scheme = 'Basic'): string {
  return `${scheme} ${Buffer.from(credentials, 'latin1').toString('base64')}`;
}

describe('parseBasic', () => {
  it('parses the spec example (alice, no password)', () => {
    assert.equal(basic('alice:'), 'Basic YWxpY2U6');
    assert.deepEqual(parseBasic('Basic YWxpY2U6'), { username: 'alice', password: '' });
  });

  it('parses a username and password', () => {
    assert.deepEqual(parseBasic(basic('alice:secret')), { username: 'alice', password: 'secret' });
  });

  it('splits at the first colon only', () => {
    assert.deepEqual(parseBasic(basic('alice:pa:ss:')), { username: 'alice', password: 'pa:ss:' });
  });

  it('accepts any characters in the username (upstream alice@non-alpha.characters)', () => {
    assert.deepEqual(parseBasic(basic('alice@non-alpha.characters:pw')), {
      username: 'alice@non-alpha.characters',
      password: 'pw',
    });
    assert.deepEqual(parseBasic(basic('Ann O. Nymous+1/2:')), {
      username: 'Ann O. Nymous+1/2',
      password: '',
    });
  });

  it('decodes latin1 credentials, as the Python client encodes them', () => {
    assert.deepEqual(parseBasic(basic('jürgen:pässword')), {
      username: 'jürgen',
      password: 'pässword',
    });
  });

  it('accepts the scheme in any case', () => {
    assert.deepEqual(parseBasic(basic('alice:pw', 'basic')), { username: 'alice', password: 'pw' });
    assert.deepEqual(parseBasic(basic('alice:pw', 'BASIC')), { username: 'alice', password: 'pw' });
  });

  it('tolerates extra spaces between scheme and credentials, and trailing whitespace', () => {
    assert.deepEqual(parseBasic('Basic   YWxpY2U6  '), { username: 'alice', password: '' });
  });

  it('accepts unpadded base64', () => {
    // "bob:x" is Ym9iOng= padded.
    assert.deepEqual(parseBasic('Basic Ym9iOng'), { username: 'bob', password: 'x' });
  });

  const rejected: Array<[string, string | undefined]> = [
    ['no header', undefined],
    ['an empty header', ''],
    ['the scheme alone', 'Basic'],
    ['empty credentials', 'Basic '],
    ['credentials without a colon', basic('alice')],
    ['an empty username', basic(':secret')],
    ['bad base64 characters', 'Basic !!!!'],
    ['base64url characters', 'Basic YWxp-2U6_'],
    ['a space inside the credentials', 'Basic YWxp Y2U6'],
    ['a wrong scheme', basic('alice:pw', 'Bearer')],
    ['the token scheme', 'token abc'],
    ['a scheme that only starts with Basic', basic('alice:pw', 'Basicx')],
    ['no space after the scheme', 'BasicYWxpY2U6'],
    ['leading whitespace', ' Basic YWxpY2U6'],
  ];
  for (const [what, header] of rejected) {
    it(`returns null for ${what}`, () => {
      assert.equal(parseBasic(header), null);
    });
  }
});

describe('createBasicAuthenticator', () => {
  it('challenges with Basic', () => {
    assert.equal(createBasicAuthenticator(null).challenge, 'Basic');
  });

  it('without a shared password accepts any password', async () => {
    const auth = createBasicAuthenticator(null);
    assert.deepEqual(await auth.authenticate({ authorization: basic('alice:') }), {
      name: 'alice',
      groups: [],
      admin: false,
    });
    assert.deepEqual(await auth.authenticate({ authorization: basic('bob:anything') }), {
      name: 'bob',
      groups: [],
      admin: false,
    });
  });

  it('an empty shared password is no password', async () => {
    const auth = createBasicAuthenticator('');
    assert.equal(
      (await auth.authenticate({ authorization: basic('alice:whatever') }))?.name,
      'alice'
    );
  });

  it('with a shared password checks it', async () => {
    const auth = createBasicAuthenticator('s3cret');
    assert.equal(
      (await auth.authenticate({ authorization: basic('alice:s3cret') }))?.name,
      'alice'
    );
    assert.equal(await auth.authenticate({ authorization: basic('alice:wrong') }), null);
    assert.equal(await auth.authenticate({ authorization: basic('alice:') }), null);
    assert.equal(await auth.authenticate({ authorization: basic('alice:s3cret ') }), null);
    assert.equal(await auth.authenticate({ authorization: basic('alice:S3CRET') }), null);
    assert.equal(await auth.authenticate({ authorization: basic('alice:s3cre') }), null);
  });

  it('compares a non-ASCII shared password with the latin1-decoded one', async () => {
    const auth = createBasicAuthenticator('pässword');
    assert.equal(
      (await auth.authenticate({ authorization: basic('alice:pässword') }))?.name,
      'alice'
    );
  });

  it('keeps the username as given', async () => {
    const auth = createBasicAuthenticator('pw');
    assert.equal(
      (await auth.authenticate({ authorization: basic('alice@non-alpha.characters:pw') }))?.name,
      'alice@non-alpha.characters'
    );
  });

  it('returns null without credentials or with another scheme', async () => {
    const auth = createBasicAuthenticator(null);
    assert.equal(await auth.authenticate({}), null);
    assert.equal(await auth.authenticate({ authorization: undefined }), null);
    assert.equal(await auth.authenticate({ authorization: 'token abc' }), null);
    assert.equal(await auth.authenticate({ authorization: basic('alice') }), null);
  });

  it('uses the first value of a repeated header', async () => {
    const auth = createBasicAuthenticator(null);
    const user = await auth.authenticate({ authorization: [basic('alice:'), basic('bob:')] });
    assert.equal(user?.name, 'alice');
  });
});
