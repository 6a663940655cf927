import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../http';

// A small, bounded reader of `multipart/form-data` (RFC 7578), so the post form and the roster
// upload work without JavaScript. It streams: text fields are capped together, each file is kept
// only up to its limit (the rest is counted and dropped, so a 30 MB picture comes back as "too
// large" next to the field with everything else that was typed), and the whole body is capped.

export interface UploadedFile {
  filename: string;
  type: string;
  /** Empty when `tooLarge`. */
  bytes: Buffer;
  size: number;
  tooLarge: boolean;
}

export interface MultipartLimits {
  /** All text fields together. */
  fieldBytes: number;
  /** Each file. */
  fileBytes: number;
  /** The whole body; past it the request is refused (413). */
  totalBytes: number;
  parts: number;
}

export interface Multipart {
  fields: URLSearchParams;
  files: Map<string, UploadedFile>;
}

const HEADER_MAX = 8 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

export function boundaryOf(contentType: string | undefined): string | undefined {
  const type = String(contentType ?? '');
  if (!/^multipart\/form-data\s*;/i.test(type)) return undefined;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;,"]{1,70}))/i.exec(type);
  return m ? (m[1] ?? m[2]) : undefined;
}

function param(header: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${name}=([^;\\s]+)`, 'i').exec(header);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

interface Part {
  name: string;
  filename?: string;
  type: string;
  chunks: Buffer[];
  size: number;
  tooLarge: boolean;
}

export async function readMultipart(req: IncomingMessage, boundary: string, limits: MultipartLimits): Promise<Multipart> {
  const declared = Number(req.headers['content-length']);
  if (declared > limits.totalBytes) throw new HttpError(413, 'too_large', `body over ${limits.totalBytes} bytes`);
  // The body starts with `--boundary`; every later delimiter has a CRLF before it. Starting from
  // a CRLF makes the first delimiter look like the others.
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const fields = new URLSearchParams();
  const files = new Map<string, UploadedFile>();
  // Asserted, not narrowed: `step` changes it behind the loop's back.
  let state = 'preamble' as 'preamble' | 'after' | 'headers' | 'body' | 'done';
  let buf: Buffer = CRLF;
  let total = 0;
  let fieldBytes = 0;
  let parts = 0;
  let part: Part | undefined;

  const bad = (why: string) => new HttpError(400, 'bad_form', `malformed multipart body: ${why}`);

  const take = (data: Buffer) => {
    if (!part || data.length === 0) return;
    part.size += data.length;
    if (part.filename === undefined) {
      fieldBytes += data.length;
      if (fieldBytes > limits.fieldBytes) throw new HttpError(413, 'too_large', `form fields over ${limits.fieldBytes} bytes`);
      part.chunks.push(Buffer.from(data));
    } else if (!part.tooLarge) {
      if (part.size > limits.fileBytes) {
        part.tooLarge = true;
        part.chunks = [];
      } else part.chunks.push(Buffer.from(data));
    }
  };

  const finish = () => {
    if (!part) return;
    const bytes = Buffer.concat(part.chunks);
    if (part.filename === undefined) fields.append(part.name, bytes.toString('utf8'));
    // A file input left empty still sends a part, without a name or bytes.
    else if (part.filename !== '' || part.size > 0) {
      files.set(part.name, { filename: part.filename, type: part.type, bytes, size: part.size, tooLarge: part.tooLarge });
    }
    part = undefined;
  };

  const step = (): boolean => {
    switch (state) {
      case 'preamble': {
        const at = buf.indexOf(delimiter);
        if (at < 0) {
          buf = buf.subarray(Math.max(0, buf.length - delimiter.length));
          return false;
        }
        buf = buf.subarray(at + delimiter.length);
        state = 'after';
        return true;
      }
      case 'after': {
        if (buf.length < 2) return false;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          state = 'done';
          return false;
        }
        // Transport padding (spaces, tabs) may follow a delimiter before its CRLF.
        const eol = buf.indexOf(CRLF);
        if (eol < 0) {
          if (buf.length > 256) throw bad('delimiter line');
          return false;
        }
        if (buf.subarray(0, eol).toString('latin1').trim() !== '') throw bad('delimiter line');
        buf = buf.subarray(eol + 2);
        state = 'headers';
        return true;
      }
      case 'headers': {
        const end = buf.indexOf(HEADER_END);
        if (end < 0) {
          if (buf.length > HEADER_MAX) throw bad('part headers too long');
          return false;
        }
        if (++parts > limits.parts) throw new HttpError(413, 'too_large', `more than ${limits.parts} form parts`);
        const headers = buf.subarray(0, end).toString('utf8').split('\r\n');
        buf = buf.subarray(end + 4);
        const disposition = headers.find((h) => /^content-disposition\s*:/i.test(h)) ?? '';
        const type =
          headers
            .find((h) => /^content-type\s*:/i.test(h))
            ?.replace(/^[^:]*:\s*/, '')
            .trim() ?? '';
        const name = param(disposition, 'name');
        if (name === undefined || !/^\s*content-disposition\s*:\s*form-data/i.test(disposition)) throw bad('part without a form-data name');
        part = { name, filename: param(disposition, 'filename'), type, chunks: [], size: 0, tooLarge: false };
        state = 'body';
        return true;
      }
      case 'body': {
        const at = buf.indexOf(delimiter);
        if (at < 0) {
          // Keep what could be the start of a delimiter split across chunks.
          const safe = buf.length - (delimiter.length - 1);
          if (safe > 0) {
            take(buf.subarray(0, safe));
            buf = buf.subarray(safe);
          }
          return false;
        }
        take(buf.subarray(0, at));
        finish();
        buf = buf.subarray(at + delimiter.length);
        state = 'after';
        return true;
      }
      case 'done':
        return false;
    }
  };

  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limits.totalBytes) throw new HttpError(413, 'too_large', `body over ${limits.totalBytes} bytes`);
    if (state === 'done') continue;
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (step());
  }
  if (state !== 'done') throw bad('it ends before its last delimiter');
  return { fields, files };
}
