/**
 * Tests of the cluster name rules: DNS labels that do not look like ids, '' for no name, and
 * the 422 `invalid_option` error on field `cluster_name` saying what a name may be.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../errors.js';
import { checkClusterName, clusterNameOf, nameField, nameFieldProblems } from './cluster-name.js';

function refused(value: unknown, pattern: RegExp): void {
  assert.throws(
    () => checkClusterName(value),
    (e: unknown) =>
      e instanceof GatewayError &&
      e.code === 'invalid_option' &&
      e.field === 'cluster_name' &&
      pattern.test(e.message)
  );
}

describe('checkClusterName', () => {
  it('accepts DNS labels and the empty name', () => {
    for (const ok of ['', 'a', 'my-analysis', 'x1', 'a'.repeat(63), 'run-2026-12-07']) {
      assert.equal(checkClusterName(ok), ok);
    }
  });

  it('refuses what is not a DNS label, saying what a name may be', () => {
    for (const bad of ['My', '1abc', 'ends-', '-x', 'a_b', 'a.b', 'a b', 'é', 'a'.repeat(64)]) {
      refused(bad, /lower-case letters, digits and '-', starting with a letter/);
    }
  });

  it('refuses names that look like cluster ids, and non-strings', () => {
    refused('a'.repeat(32), /look like a cluster id/);
    refused('f00d'.repeat(8), /look like a cluster id/);
    refused(3, /must be a string, got 3/);
    refused(null, /must be a string, got None/);
  });
});

describe('clusterNameOf and nameField', () => {
  it("reads a cluster's name from its options; '' and absent are no name", () => {
    assert.equal(clusterNameOf({ cluster_name: 'x' }), 'x');
    assert.equal(clusterNameOf({ cluster_name: '' }), null);
    assert.equal(clusterNameOf({}), null);
  });

  it('is a string field defaulting to no name', () => {
    assert.deepEqual(nameField('Name'), {
      type: 'string',
      field: 'cluster_name',
      label: 'Name',
      default: '',
    });
  });
});

describe('nameFieldProblems', () => {
  it('refuses a general option named cluster_name only while names are on', () => {
    const general = [{ field: 'cluster_name' }, { field: 'queue' }];
    assert.match(nameFieldProblems(true, general).join(), /cluster_name is the cluster name/);
    assert.deepEqual(nameFieldProblems(false, general), []);
    assert.deepEqual(nameFieldProblems(true, [{ field: 'queue' }]), []);
  });
});
