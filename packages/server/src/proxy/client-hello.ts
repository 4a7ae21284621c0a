/**
 * Reading the server name (SNI) out of a TLS ClientHello without terminating TLS.
 *
 * The TLS proxy peeks at the first bytes a client sends, finds the `host_name` of the
 * `server_name` extension (RFC 6066 §3) and routes the still-encrypted stream by it
 * (dask-gateway protocol spec §7.2). This module is the pure parsing part: it never throws,
 * never reads past the bytes it is given, and looks only at the first TLS record. Anything
 * inconsistent (a length running past its enclosing field or the record, a truncated field, a
 * name that is not printable ASCII) is reported as `no-sni` rather than guessed at.
 * @module
 */

/** What the first bytes of a connection say about its TLS server name. */
export type HelloResult =
  /** The first TLS record is not complete yet; call again with more bytes. */
  | { kind: 'need-more' }
  /** The first byte is not 0x16 (a TLS handshake record), so this is not TLS. */
  | { kind: 'not-tls' }
  /** A complete first record without a usable `server_name` (or a malformed ClientHello). */
  | { kind: 'no-sni' }
  /** The `host_name` from the `server_name` extension, decoded as ASCII. */
  | { kind: 'sni'; name: string };

/** Size of a TLS record header: content type (1), legacy version (2), length (2). */
const RECORD_HEADER_BYTES = 5;
/** Largest plaintext record body TLS allows (2^14). */
const MAX_RECORD_BODY_BYTES = 16384;

/**
 * The most bytes {@link parseClientHello} ever needs: a record header plus the largest record
 * body. A caller buffering a connection's first bytes can stop (and give up) at this size.
 */
export const MAX_HELLO_BYTES = RECORD_HEADER_BYTES + MAX_RECORD_BODY_BYTES;

const CONTENT_TYPE_HANDSHAKE = 0x16;
const HANDSHAKE_TYPE_CLIENT_HELLO = 0x01;
const EXTENSION_SERVER_NAME = 0x0000;
const NAME_TYPE_HOST_NAME = 0x00;
/** legacy_version (2 bytes) and random (32 bytes) precede the session id in a ClientHello. */
const VERSION_AND_RANDOM_BYTES = 2 + 32;

const NEED_MORE: HelloResult = Object.freeze({ kind: 'need-more' });
const NOT_TLS: HelloResult = Object.freeze({ kind: 'not-tls' });
const NO_SNI: HelloResult = Object.freeze({ kind: 'no-sni' });

/** A window `[start, end)` of a buffer; every read through it stays inside the window. */
interface Slice {
  readonly buf: Uint8Array;
  readonly start: number;
  readonly end: number;
}

/** Width in bytes of a big-endian length or type field. */
type Width = 1 | 2 | 3;

/**
 * The total size of the first TLS record: the 5-byte header plus the length it announces.
 *
 * Returns `null` while fewer than 5 bytes are available. It does not check the content type;
 * the announced length may exceed {@link MAX_HELLO_BYTES}.
 */
export function helloRecordLength(buf: Uint8Array): number | null {
  const length = readUint({ buf, start: 0, end: buf.length }, 3, 2);
  return length === null ? null : RECORD_HEADER_BYTES + length;
}

/**
 * Parses the server name out of the first bytes a client sent.
 *
 * Only the first TLS record is considered; bytes after it are ignored. Never throws.
 */
export function parseClientHello(buf: Uint8Array): HelloResult {
  if (buf.length === 0) return NEED_MORE;
  if (buf[0] !== CONTENT_TYPE_HANDSHAKE) return NOT_TLS;
  const total = helloRecordLength(buf);
  if (total === null) return NEED_MORE;
  if (total > MAX_HELLO_BYTES) return NO_SNI;
  if (buf.length < total) return NEED_MORE;
  const name = serverNameOf({ buf, start: RECORD_HEADER_BYTES, end: total });
  return name === null ? NO_SNI : { kind: 'sni', name };
}

/** The host name in a handshake record body, or `null` if there is none or it is malformed. */
function serverNameOf(record: Slice): string | null {
  const hello = clientHelloBody(record);
  const extensions = hello === null ? null : extensionsOf(hello);
  const serverName = extensions === null ? null : findExtension(extensions, EXTENSION_SERVER_NAME);
  return serverName === null ? null : hostNameOf(serverName);
}

/** The body of the ClientHello handshake message that starts the record, if it fits in it. */
function clientHelloBody(record: Slice): Slice | null {
  if (readUint(record, record.start, 1) !== HANDSHAKE_TYPE_CLIENT_HELLO) return null;
  return readVector(record, record.start + 1, 3);
}

/** The extensions block of a ClientHello body; `null` if absent or malformed. */
function extensionsOf(hello: Slice): Slice | null {
  let at = hello.start + VERSION_AND_RANDOM_BYTES;
  // session id, cipher suites, compression methods
  for (const width of [1, 2, 1] as const) {
    const skipped = readVector(hello, at, width);
    if (skipped === null) return null;
    at = skipped.end;
  }
  return readVector(hello, at, 2);
}

/** The data of the first extension of the given type; `null` if absent or the block is malformed. */
function findExtension(extensions: Slice, type: number): Slice | null {
  for (let at = extensions.start; at < extensions.end;) {
    const extType = readUint(extensions, at, 2);
    const data = readVector(extensions, at + 2, 2);
    if (extType === null || data === null) return null;
    if (extType === type) return data;
    at = data.end;
  }
  return null;
}

/** The first `host_name` entry of a `server_name` extension's data, if well formed. */
function hostNameOf(extension: Slice): string | null {
  const list = readVector(extension, extension.start, 2);
  if (list === null) return null;
  for (let at = list.start; at < list.end;) {
    const nameType = readUint(list, at, 1);
    const name = readVector(list, at + 1, 2);
    if (nameType === null || name === null) return null;
    if (nameType === NAME_TYPE_HOST_NAME) return decodeHostName(name);
    at = name.end;
  }
  return null;
}

/** The bytes as a string if they are non-empty printable ASCII (0x20–0x7e), else `null`. */
function decodeHostName(name: Slice): string | null {
  if (name.end <= name.start) return null;
  let text = '';
  for (let at = name.start; at < name.end; at++) {
    const byte = readUint(name, at, 1);
    if (byte === null || byte < 0x20 || byte > 0x7e) return null;
    text += String.fromCharCode(byte);
  }
  return text;
}

/** A big-endian unsigned integer of `width` bytes at `at`, or `null` if it leaves the slice. */
function readUint(slice: Slice, at: number, width: Width): number | null {
  if (at < slice.start || at + width > slice.end || slice.end > slice.buf.length) return null;
  let value = 0;
  for (let i = 0; i < width; i++) {
    const byte = slice.buf[at + i];
    if (byte === undefined) return null;
    value = value * 256 + byte;
  }
  return value;
}

/**
 * The body of a vector with a `width`-byte length prefix at `at`, or `null` if the prefix or the
 * body runs past the end of the slice.
 */
function readVector(slice: Slice, at: number, width: Width): Slice | null {
  const length = readUint(slice, at, width);
  if (length === null) return null;
  const start = at + width;
  const end = start + length;
  return end > slice.end ? null : { buf: slice.buf, start, end };
}
