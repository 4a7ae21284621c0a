/**
 * A server-sent events parser over a fetch body (`ReadableStream<Uint8Array>`), following the
 * HTML event-stream rules: lines end in LF, CRLF or CR; `:` starts a comment; `data` lines
 * join with newlines; a blank line dispatches; `id` persists across messages.
 * @module
 */

/** One dispatched server-sent event. */
export interface SseMessage {
  /** The `event` field; `message` when the server sent none. */
  readonly event: string;
  /** The `data` lines joined with `\n`. */
  readonly data: string;
  /** The last `id` seen (it carries over to later messages), or `''`. */
  readonly id: string;
}

/** Incremental parser: feed text chunks, get the completed messages. */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id = '';

  /** Parses `chunk` and returns the messages it completed. */
  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (m === null) break;
      // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
      if (m[0] === '\r' && m.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const message = this.line(line);
      if (message !== null) out.push(message);
    }
    return out;
  }

  /** Ends the stream: a last line ended by a lone CR counts; an undispatched message does not. */
  end(): SseMessage[] {
    const out = this.buffer.endsWith('\r') ? this.push('\n') : [];
    this.buffer = '';
    this.data = [];
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === '') {
      if (this.data.length === 0) {
        this.event = '';
        return null;
      }
      const message = { event: this.event || 'message', data: this.data.join('\n'), id: this.id };
      this.event = '';
      this.data = [];
      return message;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\u0000')) this.id = value;
    return null;
  }
}

/**
 * Yields the messages of an event stream until it ends or `signal` aborts. A consumer that
 * stops early (`break`, `return`, a throw) cancels the body, closing the connection: a body
 * left open would keep the process alive for as long as the server keeps the stream.
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal
): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const onAbort = () => {
    void reader.cancel().catch(() => undefined);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        yield* parser.push(decoder.decode());
        yield* parser.end();
        return;
      }
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!ended) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
