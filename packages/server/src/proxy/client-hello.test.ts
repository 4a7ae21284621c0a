import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  helloRecordLength,
  MAX_HELLO_BYTES,
  parseClientHello,
  type HelloResult,
} from './client-hello.js';
import {
  fromHex,
  NODE_SERVERNAME,
  nodeClientHello,
  PYTHON_SERVERNAME,
} from './fixtures/capture-hellos.js';

// ---------------------------------------------------------------------------------------------
// Byte builders for hand-made hellos. Every length prefix can be overridden to make it lie.
// ---------------------------------------------------------------------------------------------

const u8 = (n: number): Uint8Array => Uint8Array.of(n & 0xff);
const u16 = (n: number): Uint8Array => Uint8Array.of((n >> 8) & 0xff, n & 0xff);
const u24 = (n: number): Uint8Array => Uint8Array.of((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const vec8 = (body: Uint8Array): Uint8Array => cat(u8(body.length), body);
const vec16 = (body: Uint8Array): Uint8Array => cat(u16(body.length), body);

function cat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A TLS record: content type, version 3.1, length, body. */
function tlsRecord(body: Uint8Array, opts: { type?: number; length?: number } = {}): Uint8Array {
  return cat(u8(opts.type ?? 0x16), u16(0x0301), u16(opts.length ?? body.length), body);
}

/** A handshake message: type (ClientHello unless told), 24-bit length, body. */
function handshake(body: Uint8Array, opts: { type?: number; length?: number } = {}): Uint8Array {
  return cat(u8(opts.type ?? 0x01), u24(opts.length ?? body.length), body);
}

interface HelloParts {
  /** Encoded session id vector (with its 1-byte length). */
  sessionId?: Uint8Array;
  /** Encoded cipher suites vector (with its 2-byte length). */
  cipherSuites?: Uint8Array;
  /** Encoded compression methods vector (with its 1-byte length). */
  compression?: Uint8Array;
  /** Encoded extensions block (with its 2-byte length); `null` leaves it out. */
  extensions?: Uint8Array | null;
}

/** A ClientHello body: version, random, session id, suites, compression, extensions. */
function helloBody(parts: HelloParts): Uint8Array {
  return cat(
    u16(0x0303),
    new Uint8Array(32).fill(0xaa),
    parts.sessionId ?? vec8(new Uint8Array(32).fill(0x55)),
    parts.cipherSuites ?? vec16(Uint8Array.of(0x13, 0x01, 0x13, 0x02, 0xc0, 0x2f)),
    parts.compression ?? vec8(Uint8Array.of(0x00)),
    parts.extensions === null ? new Uint8Array(0) : (parts.extensions ?? new Uint8Array(0))
  );
}

/** One extension: 2-byte type, 2-byte length, data. */
const extension = (type: number, data: Uint8Array): Uint8Array => cat(u16(type), vec16(data));
/** A server_name extension holding the given (encoded) entries. */
const serverName = (...entries: readonly Uint8Array[]): Uint8Array =>
  extension(0x0000, vec16(cat(...entries)));
/** One server_name entry: name type (host_name unless told), 2-byte length, name. */
const nameEntry = (name: Uint8Array | string, type = 0): Uint8Array =>
  cat(u8(type), vec16(typeof name === 'string' ? ascii(name) : name));
/** Some unrelated extensions: supported_versions and ec_point_formats. */
const supportedVersions = extension(0x002b, vec8(Uint8Array.of(0x03, 0x04, 0x03, 0x03)));
const pointFormats = extension(0x000b, vec8(Uint8Array.of(0x00)));

/** A whole record holding a ClientHello with exactly these extensions. */
const helloWith = (...extensions: readonly Uint8Array[]): Uint8Array =>
  tlsRecord(handshake(helloBody({ extensions: vec16(cat(...extensions)) })));
/** A whole record holding a ClientHello built from these parts. */
const helloFrom = (parts: HelloParts): Uint8Array => tlsRecord(handshake(helloBody(parts)));

const NEED_MORE: HelloResult = { kind: 'need-more' };
const NOT_TLS: HelloResult = { kind: 'not-tls' };
const NO_SNI: HelloResult = { kind: 'no-sni' };
const sni = (name: string): HelloResult => ({ kind: 'sni', name });

/** A record carrying SNI padded (with a padding extension) to a body of exactly `bodyLength`. */
function paddedHello(bodyLength: number): Uint8Array {
  const unpadded = helloWith(serverName(nameEntry('padded')), extension(0x0015, new Uint8Array(0)));
  const padding = new Uint8Array(bodyLength - (unpadded.length - 5));
  return helloWith(serverName(nameEntry('padded')), extension(0x0015, padding));
}

/** Results of parsing every prefix of `hello`, of lengths 0 through `hello.length`. */
function prefixResults(hello: Uint8Array): HelloResult[] {
  return Array.from({ length: hello.length + 1 }, (_, n) => parseClientHello(hello.subarray(0, n)));
}

/** Checks a complete first record: split at every byte boundary, then with trailing bytes. */
function assertCompleteHello(hello: Uint8Array, expected: HelloResult): void {
  assert.equal(helloRecordLength(hello), hello.length, 'the input is exactly one record');
  const results = prefixResults(hello);
  results.slice(0, -1).forEach((result, n) => {
    assert.deepEqual(result, NEED_MORE, `prefix ${n}`);
  });
  assert.deepEqual(results.at(-1), expected);
  const trailing = cat(hello, ascii('\x17\x03\x03\x00\x05extra'), hello);
  assert.deepEqual(parseClientHello(trailing), expected, 'bytes after the first record');
}

const fixture = (file: string): Uint8Array =>
  fromHex(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8'));

const FIXTURES: ReadonlyArray<{ file: string; expected: HelloResult }> = [
  { file: 'node-sni.hex', expected: sni(NODE_SERVERNAME) },
  { file: 'node-no-sni.hex', expected: NO_SNI },
  { file: 'python-sni.hex', expected: sni(PYTHON_SERVERNAME) },
  { file: 'python-no-sni.hex', expected: NO_SNI },
];

// ---------------------------------------------------------------------------------------------

describe('parseClientHello on real ClientHellos', () => {
  const live: ReadonlyArray<{ servername: string; expected: HelloResult }> = [
    { servername: NODE_SERVERNAME, expected: sni(NODE_SERVERNAME) },
    { servername: '', expected: NO_SNI }, // an IP host with no servername: Node sends no SNI
  ];
  for (const { servername, expected } of live) {
    it(`live Node tls.connect, servername ${JSON.stringify(servername)}`, async () => {
      assertCompleteHello(await nodeClientHello(servername), expected);
    });
  }

  for (const { file, expected } of FIXTURES) {
    it(`fixture ${file}`, () => {
      assertCompleteHello(fixture(file), expected);
    });
  }

  it('reads a view into a larger buffer at a non-zero offset', () => {
    const hello = fixture('node-sni.hex');
    const backing = new Uint8Array(hello.length + 10).fill(0x16);
    backing.set(hello, 3);
    assert.deepEqual(parseClientHello(backing.subarray(3)), sni(NODE_SERVERNAME));
    assert.deepEqual(parseClientHello(Buffer.from(hello)), sni(NODE_SERVERNAME));
  });
});

describe('parseClientHello on hand-made input', () => {
  const sniList = serverName(nameEntry('daskgateway-abc123'));
  const cases: ReadonlyArray<{ name: string; input: Uint8Array; expected: HelloResult }> = [
    // Waiting for the first record.
    { name: 'empty input', input: new Uint8Array(0), expected: NEED_MORE },
    { name: 'lone handshake byte', input: Uint8Array.of(0x16), expected: NEED_MORE },
    { name: 'partial record header', input: Uint8Array.of(0x16, 3, 1, 0), expected: NEED_MORE },
    {
      name: 'header, body pending',
      input: Uint8Array.of(0x16, 3, 1, 0, 9, 1),
      expected: NEED_MORE,
    },
    // Not TLS at all.
    { name: 'HTTP request', input: ascii('GET / HTTP/1.1\r\n'), expected: NOT_TLS },
    { name: 'one non-TLS byte', input: ascii('G'), expected: NOT_TLS },
    {
      name: 'TLS alert record',
      input: tlsRecord(Uint8Array.of(2, 40), { type: 0x15 }),
      expected: NOT_TLS,
    },
    {
      name: 'SSLv2-style hello',
      input: Uint8Array.of(0x80, 0x2e, 0x01, 0x03, 0x01),
      expected: NOT_TLS,
    },
    {
      name: 'ClientHello in a data record',
      input: tlsRecord(handshake(helloBody({ extensions: vec16(sniList) })), { type: 0x17 }),
      expected: NOT_TLS,
    },
    // Record framing.
    {
      name: 'record length 2^14 + 1 (header only)',
      input: Uint8Array.of(0x16, 3, 1, 0x40, 0x01),
      expected: NO_SNI,
    },
    {
      name: 'garbage record length 0xffff',
      input: Uint8Array.of(0x16, 0xff, 0xff, 0xff, 0xff),
      expected: NO_SNI,
    },
    { name: 'record of exactly 2^14 bytes', input: paddedHello(16384), expected: sni('padded') },
    { name: 'empty record', input: tlsRecord(new Uint8Array(0)), expected: NO_SNI },
    { name: 'record holding only the handshake type', input: tlsRecord(u8(1)), expected: NO_SNI },
    // Handshake framing.
    {
      name: 'minimal ClientHello with SNI',
      input: helloWith(sniList),
      expected: sni('daskgateway-abc123'),
    },
    {
      name: 'ServerHello handshake type',
      input: tlsRecord(handshake(helloBody({ extensions: vec16(sniList) }), { type: 0x02 })),
      expected: NO_SNI,
    },
    {
      name: 'handshake length past the record (fragmented hello)',
      input: tlsRecord(handshake(helloBody({ extensions: vec16(sniList) }), { length: 4000 })),
      expected: NO_SNI,
    },
    {
      name: 'handshake length cutting off the extensions',
      input: tlsRecord(handshake(helloBody({ extensions: vec16(sniList) }), { length: 100 })),
      expected: NO_SNI,
    },
    {
      name: 'another handshake message after the hello',
      input: tlsRecord(
        cat(
          handshake(helloBody({ extensions: vec16(sniList) })),
          handshake(new Uint8Array(3), { type: 0x0b })
        )
      ),
      expected: sni('daskgateway-abc123'),
    },
    {
      name: 'hello shorter than version + random',
      input: tlsRecord(handshake(new Uint8Array(20))),
      expected: NO_SNI,
    },
    // Fixed fields before the extensions.
    {
      name: 'session id length past the hello',
      input: helloFrom({
        sessionId: cat(u8(0xff), new Uint8Array(32)),
        extensions: vec16(sniList),
      }),
      expected: NO_SNI,
    },
    {
      name: 'cipher suites length past the hello',
      input: helloFrom({ cipherSuites: cat(u16(0x4000), u16(0x1301)), extensions: vec16(sniList) }),
      expected: NO_SNI,
    },
    {
      name: 'compression methods length past the hello',
      input: helloFrom({ compression: cat(u8(0xf0), u8(0)), extensions: vec16(sniList) }),
      expected: NO_SNI,
    },
    {
      name: 'empty session id',
      input: helloFrom({ sessionId: vec8(new Uint8Array(0)), extensions: vec16(sniList) }),
      expected: sni('daskgateway-abc123'),
    },
    // Extensions block.
    {
      name: 'no extensions block (SSL 3.0 style hello)',
      input: helloFrom({ extensions: null }),
      expected: NO_SNI,
    },
    { name: 'empty extensions block', input: helloWith(), expected: NO_SNI },
    {
      name: 'extensions length past the hello',
      input: helloFrom({ extensions: cat(u16(sniList.length + 1), sniList) }),
      expected: NO_SNI,
    },
    {
      name: 'one byte where the extensions length belongs',
      input: helloFrom({ extensions: u8(0) }),
      expected: NO_SNI,
    },
    {
      name: 'extension length past the block',
      input: helloWith(cat(u16(0x000b), u16(200), u8(0)), sniList),
      expected: NO_SNI,
    },
    {
      name: 'bytes after the server_name extension are not inspected',
      input: helloFrom({ extensions: vec16(cat(sniList, Uint8Array.of(0, 0x0b, 0))) }),
      expected: sni('daskgateway-abc123'),
    },
    {
      name: 'truncated extension header before SNI',
      input: helloFrom({ extensions: vec16(Uint8Array.of(0, 0x0b, 0)) }),
      expected: NO_SNI,
    },
    {
      name: 'SNI after other extensions',
      input: helloWith(supportedVersions, pointFormats, sniList),
      expected: sni('daskgateway-abc123'),
    },
    {
      name: 'only other extensions',
      input: helloWith(supportedVersions, pointFormats),
      expected: NO_SNI,
    },
    {
      name: 'two server_name extensions: the first wins',
      input: helloWith(serverName(nameEntry('first')), serverName(nameEntry('second'))),
      expected: sni('first'),
    },
    // Inside server_name.
    {
      name: 'empty server_name extension',
      input: helloWith(extension(0, new Uint8Array(0))),
      expected: NO_SNI,
    },
    {
      name: 'one-byte server_name extension',
      input: helloWith(extension(0, u8(0))),
      expected: NO_SNI,
    },
    {
      name: 'SNI list length past the extension',
      input: helloWith(extension(0, cat(u16(100), nameEntry('daskgateway-abc123')))),
      expected: NO_SNI,
    },
    {
      name: 'SNI list length shorter than its entry',
      input: helloWith(extension(0, cat(u16(5), nameEntry('daskgateway-abc123')))),
      expected: NO_SNI,
    },
    {
      name: 'empty SNI list',
      input: helloWith(extension(0, vec16(new Uint8Array(0)))),
      expected: NO_SNI,
    },
    {
      name: 'truncated SNI entry header',
      input: helloWith(extension(0, vec16(Uint8Array.of(0, 0)))),
      expected: NO_SNI,
    },
    {
      name: 'name length past the list',
      input: helloWith(extension(0, vec16(cat(u8(0), u16(40), ascii('daskgateway-abc123'))))),
      expected: NO_SNI,
    },
    {
      name: 'extension data truncated inside the name',
      input: helloWith(extension(0, serverName(nameEntry('daskgateway-abc123')).subarray(4, -3))),
      expected: NO_SNI,
    },
    { name: 'empty host name', input: helloWith(serverName(nameEntry(''))), expected: NO_SNI },
    {
      name: 'unknown name type skipped',
      input: helloWith(serverName(nameEntry('other', 7), nameEntry('daskgateway-abc123'))),
      expected: sni('daskgateway-abc123'),
    },
    {
      name: 'only an unknown name type',
      input: helloWith(serverName(nameEntry('other', 7))),
      expected: NO_SNI,
    },
    {
      name: 'a trailing byte after the host name entry',
      input: helloWith(serverName(nameEntry('daskgateway-abc123'), u8(0))),
      expected: sni('daskgateway-abc123'),
    },
    {
      name: 'every printable ASCII byte',
      input: helloWith(serverName(nameEntry(printableAscii()))),
      expected: sni(printableAscii()),
    },
    {
      name: 'name with a NUL byte',
      input: helloWith(serverName(nameEntry('dask\0gateway'))),
      expected: NO_SNI,
    },
    {
      name: 'name with a newline',
      input: helloWith(serverName(nameEntry('dask\ngateway'))),
      expected: NO_SNI,
    },
    {
      name: 'name with DEL',
      input: helloWith(serverName(nameEntry('dask\x7fgateway'))),
      expected: NO_SNI,
    },
    {
      name: 'name with a latin1 byte',
      input: helloWith(serverName(nameEntry(Uint8Array.of(0x63, 0x61, 0x66, 0xe9)))),
      expected: NO_SNI,
    },
    {
      name: 'name with UTF-8 bytes',
      input: helloWith(serverName(nameEntry(new TextEncoder().encode('café')))),
      expected: NO_SNI,
    },
    // Only the first record counts.
    {
      name: 'SNI only in the second record',
      input: cat(tlsRecord(new Uint8Array(0)), helloWith(sniList)),
      expected: NO_SNI,
    },
  ];

  for (const { name, input, expected } of cases) {
    it(name, () => {
      assert.deepEqual(parseClientHello(input), expected);
    });
  }

  it('every complete hand-made record reports need-more for each proper prefix', () => {
    const complete = cases.filter(
      ({ input }) => input[0] === 0x16 && helloRecordLength(input) === input.length
    );
    assert.ok(complete.length > 30, `${complete.length} complete records`);
    for (const { name, input, expected } of complete) {
      const results = prefixResults(input);
      assert.deepEqual(results.slice(0, -1), Array(input.length).fill(NEED_MORE), name);
      assert.deepEqual(results.at(-1), expected, name);
    }
  });

  it('does not wait for the body of an oversized record', () => {
    const header = Uint8Array.of(0x16, 3, 1, 0x40, 0x01);
    assert.deepEqual(parseClientHello(cat(header, new Uint8Array(100))), NO_SNI);
    assert.equal(MAX_HELLO_BYTES, 5 + 16384);
    assert.equal(paddedHello(16384).length, MAX_HELLO_BYTES);
  });
});

function printableAscii(): string {
  return String.fromCharCode(...Array.from({ length: 0x7f - 0x20 }, (_, i) => 0x20 + i));
}

describe('helloRecordLength', () => {
  const cases: ReadonlyArray<{ name: string; input: Uint8Array; expected: number | null }> = [
    { name: 'empty', input: new Uint8Array(0), expected: null },
    { name: 'four bytes', input: Uint8Array.of(0x16, 3, 1, 1), expected: null },
    { name: 'a 256-byte record', input: Uint8Array.of(0x16, 3, 1, 1, 0), expected: 261 },
    { name: 'an empty record', input: Uint8Array.of(0x16, 3, 1, 0, 0), expected: 5 },
    {
      name: 'the largest length field',
      input: Uint8Array.of(0x16, 3, 1, 0xff, 0xff, 7),
      expected: 65540,
    },
    { name: 'any content type', input: ascii('GET / HTTP/1.1'), expected: 5 + 0x202f },
    { name: 'a real hello', input: fixture('python-sni.hex'), expected: 517 },
  ];
  for (const { name, input, expected } of cases) {
    it(name, () => {
      assert.equal(helloRecordLength(input), expected);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Fuzzing: mutated real hellos never throw and always give an answer consistent with framing.
// ---------------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, returning floats in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Mutation = (
  input: Uint8Array,
  other: Uint8Array,
  int: (below: number) => number
) => Uint8Array;

const MUTATIONS: ReadonlyArray<Mutation> = [
  // flip a few bytes
  (input, _other, int) => {
    const out = input.slice();
    for (let i = int(4); i >= 0 && out.length > 0; i--) {
      const at = int(out.length);
      out[at] = (out[at] ?? 0) ^ (1 + int(255));
    }
    return out;
  },
  // set one byte to an extreme, where length fields hurt most
  (input, _other, int) => {
    const out = input.slice();
    if (out.length > 0) out[int(out.length)] = [0x00, 0xff, 0x7f, 0x80][int(4)] ?? 0;
    return out;
  },
  // truncate
  (input, _other, int) => input.slice(0, int(input.length + 1)),
  // splice a prefix of one hello onto a suffix of another
  (input, other, int) =>
    cat(input.subarray(0, int(input.length + 1)), other.subarray(int(other.length + 1))),
  // delete a range
  (input, _other, int) => {
    const from = int(input.length + 1);
    return cat(input.subarray(0, from), input.subarray(from + int(16)));
  },
  // insert random bytes
  (input, _other, int) => {
    const at = int(input.length + 1);
    const noise = Uint8Array.from({ length: 1 + int(8) }, () => int(256));
    return cat(input.subarray(0, at), noise, input.subarray(at));
  },
  // rewrite the record length so it disagrees with the bytes present
  (input, _other, int) => {
    const out = input.slice();
    if (out.length >= 5) out.set(u16(int(0x4100)), 3);
    return out;
  },
];

const KINDS = new Set(['need-more', 'not-tls', 'no-sni', 'sni']);

/** Checks that a result is well formed and agrees with the record framing of the input. */
function assertConsistent(input: Uint8Array, result: HelloResult): void {
  assert.ok(KINDS.has(result.kind), `unknown kind ${result.kind}`);
  const total = helloRecordLength(input);
  if (input.length === 0) {
    assert.equal(result.kind, 'need-more');
    return;
  }
  if (input[0] !== 0x16) {
    assert.equal(result.kind, 'not-tls');
    return;
  }
  if (total === null) {
    assert.equal(result.kind, 'need-more');
    return;
  }
  if (total > MAX_HELLO_BYTES) {
    assert.equal(result.kind, 'no-sni');
    return;
  }
  if (input.length < total) {
    assert.equal(result.kind, 'need-more');
    return;
  }
  assert.ok(result.kind === 'no-sni' || result.kind === 'sni', result.kind);
  if (result.kind === 'sni') assert.match(result.name, /^[\x20-\x7e]+$/);
  const withTrailer = cat(input, ascii('\x16\x03\x01\x00\x00trailing'));
  assert.deepEqual(
    parseClientHello(withTrailer),
    result,
    'bytes after the first record changed the result'
  );
}

describe('parseClientHello fuzzing', () => {
  it('survives thousands of mutated real hellos (seeded)', () => {
    const seed = 0x5eed_c11e;
    const random = seededRandom(seed);
    const int = (below: number): number => Math.floor(random() * below);
    const corpus = [
      ...FIXTURES.map(({ file }) => fixture(file)),
      helloWith(supportedVersions, serverName(nameEntry('other', 7), nameEntry('daskgateway-x'))),
    ];
    const seen = new Map<string, number>();
    for (let iteration = 0; iteration < 5000; iteration++) {
      let input = corpus[int(corpus.length)] ?? new Uint8Array(0);
      for (let steps = 1 + int(3); steps > 0; steps--) {
        const mutate = MUTATIONS[int(MUTATIONS.length)];
        input = mutate?.(input, corpus[int(corpus.length)] ?? input, int) ?? input;
      }
      let result: HelloResult;
      try {
        result = parseClientHello(input);
        assertConsistent(input, result);
      } catch (error) {
        const hex = Buffer.from(input).toString('hex');
        throw new Error(`seed ${seed} iteration ${iteration}, input ${hex}`, { cause: error });
      }
      seen.set(result.kind, (seen.get(result.kind) ?? 0) + 1);
    }
    // The mutations should reach every outcome, or the fuzzing is not exploring much.
    assert.deepEqual([...seen.keys()].sort(), [...KINDS].sort(), JSON.stringify([...seen]));
  });
});
