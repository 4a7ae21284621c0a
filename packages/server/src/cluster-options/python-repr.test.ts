/**
 * Tests for Python-style value rendering (expected strings taken from CPython 3).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  comparePyStrings,
  pyFloatRepr,
  pyFormatFixed,
  pyIntRepr,
  pyRepr,
  pyStr,
  pyTypeName,
} from './python-repr.js';

describe('pyRepr', () => {
  it('prints scalars as Python does', () => {
    assert.equal(pyRepr(null), 'None');
    assert.equal(pyRepr(undefined), 'None');
    assert.equal(pyRepr(true), 'True');
    assert.equal(pyRepr(false), 'False');
    assert.equal(pyRepr(5), '5');
    assert.equal(pyRepr(-1), '-1');
    assert.equal(pyRepr(2.5), '2.5');
    assert.equal(pyRepr(1e21), '1000000000000000000000');
  });

  it('quotes strings the way CPython chooses', () => {
    assert.equal(pyRepr('abc'), "'abc'");
    assert.equal(pyRepr("it's"), `"it's"`);
    assert.equal(pyRepr('say "hi"'), `'say "hi"'`);
    assert.equal(pyRepr(`both ' and "`), `'both \\' and "'`);
    assert.equal(pyRepr('back\\slash'), "'back\\\\slash'");
    assert.equal(pyRepr('tab\there\n'), "'tab\\there\\n'");
  });

  it('escapes non-printable characters', () => {
    assert.equal(
      pyRepr('\x00\x7f\x85\xa0é\u2028\u{1f600}\ud800'),
      "'\\x00\\x7f\\x85\\xa0é\\u2028\u{1f600}\\ud800'"
    );
    assert.equal(pyRepr('\u{e0001}'), "'\\U000e0001'");
  });

  it('prints lists and dicts', () => {
    assert.equal(pyRepr(['a', 'b']), "['a', 'b']");
    assert.equal(pyRepr([]), '[]');
    assert.equal(pyRepr({ a: 1, b: [null, true] }), "{'a': 1, 'b': [None, True]}");
    assert.equal(pyRepr({}), '{}');
  });
});

describe('pyStr', () => {
  it('prints top-level strings bare and everything else as repr', () => {
    assert.equal(pyStr('abc'), 'abc');
    assert.equal(pyStr(null), 'None');
    assert.equal(pyStr(-1), '-1');
    assert.equal(pyStr(['x']), "['x']");
  });
});

describe('pyFloatRepr', () => {
  const cases: Array<[number, string]> = [
    [3, '3.0'],
    [0.1, '0.1'],
    [2.5, '2.5'],
    [100, '100.0'],
    [-12.5, '-12.5'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e+16'],
    [1e22, '1e+22'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [1.5e-7, '1.5e-07'],
    [123456789012345680, '1.2345678901234568e+17'],
    [-0, '-0.0'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [0.30000000000000004, '0.30000000000000004'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
  ];
  for (const [x, expected] of cases) {
    it(`prints ${String(x)} as ${expected}`, () => {
      assert.equal(pyFloatRepr(x), expected);
    });
  }
});

describe('pyIntRepr', () => {
  it('prints integers in full and -0 as 0', () => {
    assert.equal(pyIntRepr(42), '42');
    assert.equal(pyIntRepr(-0), '0');
    assert.equal(pyIntRepr(1e22), '10000000000000000000000');
  });
});

describe('pyFormatFixed', () => {
  const cases: Array<[number, number, string]> = [
    [0.125, 2, '0.12'],
    [0.375, 2, '0.38'],
    [2.675, 2, '2.67'],
    [1.005, 2, '1.00'],
    [1.5, 0, '2'],
    [2.5, 0, '2'],
    [0.5, 0, '0'],
    [4, 6, '4.000000'],
    [1.5, 6, '1.500000'],
    [1e22, 2, '10000000000000000000000.00'],
    [-0.001, 2, '-0.00'],
    [1024, 2, '1024.00'],
  ];
  for (const [x, digits, expected] of cases) {
    it(`formats ${x} with ${digits} digits as ${expected}`, () => {
      assert.equal(pyFormatFixed(x, digits), expected);
    });
  }
});

describe('pyTypeName', () => {
  it('names decoded JSON values by their Python type', () => {
    assert.equal(pyTypeName([]), 'list');
    assert.equal(pyTypeName({}), 'dict');
    assert.equal(pyTypeName('x'), 'str');
    assert.equal(pyTypeName(1), 'int');
    assert.equal(pyTypeName(1.5), 'float');
    assert.equal(pyTypeName(false), 'bool');
    assert.equal(pyTypeName(null), 'NoneType');
  });
});

describe('comparePyStrings', () => {
  it("sorts by code point like Python's sorted()", () => {
    const sorted = ['b', 'a', '\uffff', '\u{1f600}', 'B'].sort(comparePyStrings);
    assert.deepEqual(sorted, ['B', 'a', 'b', '\uffff', '\u{1f600}']);
    assert.ok(comparePyStrings('ab', 'abc') < 0);
    assert.equal(comparePyStrings('x', 'x'), 0);
  });
});
