// Streaming a query's values (one column, or one of two) out of Postgres with `COPY (query) TO STDOUT
// (FORMAT binary)`: Postgres sends rows as fast as the reader takes them, with no batches, no row objects
// and no round trips. The binary format is used because it passes the column's bytes through untouched
// (the text format escapes backslashes and newlines, the CSV format quotes and ends lines with LF); the
// framing around each value is stripped here, so the stream is the values back to back.
import { Transform, type TransformCallback } from 'node:stream';

/** "PGCOPY\n\377\r\n\0", then a 32-bit flags field and a 32-bit header-extension length. */
const SIGNATURE_BYTES = 11;

/**
 * Turns the binary COPY stream of a query with exactly one non-null column into that column's bytes, in
 * row order. A row may arrive split across chunks; the incomplete tail waits for the next chunk.
 *
 * With `render`, the query has two columns, exactly one of them non-null per row: the first is sent as
 * it is, the second is handed to `render` and what it returns is sent in its place (the NDJSON export
 * renders in JavaScript the few rows SQL cannot render exactly).
 */
export class CopyValues extends Transform {
  private rest: Buffer | null = null;
  private headerDone = false;
  private ended = false;

  constructor(private readonly render?: (value: Buffer) => Buffer) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    let pos = 0;
    if (!this.headerDone) {
      if (buf.length < SIGNATURE_BYTES + 8) return this.keep(buf, 0, done);
      const extension = buf.readUInt32BE(SIGNATURE_BYTES + 4);
      if (buf.length < SIGNATURE_BYTES + 8 + extension) return this.keep(buf, 0, done);
      pos = SIGNATURE_BYTES + 8 + extension;
      this.headerDone = true;
    }
    // The values are copied into one buffer per chunk (never larger than the chunk), so the reader gets a
    // few large writes rather than one per row.
    let out = Buffer.allocUnsafe(buf.length);
    let size = 0;
    const columns = this.render ? 2 : 1;
    while (!this.ended && pos + 2 <= buf.length) {
      const fields = buf.readInt16BE(pos);
      if (fields === -1) {
        this.ended = true;
        pos += 2;
        break;
      }
      if (fields !== columns) return done(new Error(`COPY row with ${fields} columns where ${columns} were expected`));
      if (pos + 6 > buf.length) break;
      const length = buf.readInt32BE(pos + 2);
      if (columns === 1 || length >= 0) {
        if (length < 0) return done(new Error('COPY row with a null value where none was expected'));
        // The second column (null here) follows the first.
        const end = pos + 6 + length + (columns === 2 ? 4 : 0);
        if (end > buf.length) break;
        if (columns === 2 && buf.readInt32BE(pos + 6 + length) !== -1) return done(new Error('COPY row with both columns set'));
        size += buf.copy(out, size, pos + 6, pos + 6 + length);
        pos = end;
        continue;
      }
      if (pos + 10 > buf.length) break;
      const second = buf.readInt32BE(pos + 6);
      if (second < 0) return done(new Error('COPY row with both columns null'));
      if (pos + 10 + second > buf.length) break;
      let rendered: Buffer;
      try {
        rendered = this.render!(buf.subarray(pos + 10, pos + 10 + second));
      } catch (err) {
        return done(err as Error);
      }
      // What is rendered may be longer than what it replaces: send what is gathered so far, then it.
      if (size > 0) this.push(out.subarray(0, size));
      this.push(rendered);
      out = Buffer.allocUnsafe(buf.length);
      size = 0;
      pos += 10 + second;
    }
    if (size > 0) this.push(out.subarray(0, size));
    this.keep(buf, pos, done);
  }

  override _flush(done: TransformCallback): void {
    done(this.rest || !this.ended ? new Error('COPY stream ended before its last row') : null);
  }

  private keep(buf: Buffer, from: number, done: TransformCallback): void {
    if (from < buf.length) this.rest = Buffer.from(buf.subarray(from));
    done();
  }
}
