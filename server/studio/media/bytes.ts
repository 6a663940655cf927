/**
 * Small byte readers shared by the picture and video checks. Every read is bounds-checked and throws
 * `Truncated` rather than returning `undefined`, so a parser that forgot a length check still
 * refuses the file as corrupt instead of computing with NaN.
 */

export class Truncated extends Error {
  constructor(readonly at: number) {
    super(`read past the end of the data at byte ${at}`);
    this.name = 'Truncated';
  }
}

function need(bytes: Uint8Array, at: number, length: number): void {
  if (at < 0 || at + length > bytes.length) throw new Truncated(at);
}

export function u8(bytes: Uint8Array, at: number): number {
  need(bytes, at, 1);
  return bytes[at]!;
}

export function u16be(bytes: Uint8Array, at: number): number {
  need(bytes, at, 2);
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

export function u24be(bytes: Uint8Array, at: number): number {
  need(bytes, at, 3);
  return (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!;
}

export function u32be(bytes: Uint8Array, at: number): number {
  need(bytes, at, 4);
  // `>>> 0`: the top byte shifted by 24 would otherwise come out negative.
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

export function i32be(bytes: Uint8Array, at: number): number {
  return u32be(bytes, at) | 0;
}

/** A 64-bit size or time as a number; values past 2^53 come out as Infinity so limits refuse them. */
export function u64be(bytes: Uint8Array, at: number): number {
  const high = u32be(bytes, at);
  const low = u32be(bytes, at + 4);
  if (high >= 0x20_0000) return Infinity;
  return high * 0x1_0000_0000 + low;
}

export function u16le(bytes: Uint8Array, at: number): number {
  need(bytes, at, 2);
  return bytes[at]! | (bytes[at + 1]! << 8);
}

export function u24le(bytes: Uint8Array, at: number): number {
  need(bytes, at, 3);
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
}

export function u32le(bytes: Uint8Array, at: number): number {
  need(bytes, at, 4);
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** Bytes as Latin-1 text: four-character codes and the ASCII signatures of file formats. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  need(bytes, start, end - start);
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

export function fourcc(bytes: Uint8Array, at: number): string {
  return latin1(bytes, at, at + 4);
}

/** Whether `ascii` appears at `at`; false (not an error) when the data is too short. */
export function hasAscii(bytes: Uint8Array, at: number, ascii: string): boolean {
  if (at < 0 || at + ascii.length > bytes.length) return false;
  for (let i = 0; i < ascii.length; i++) if (bytes[at + i] !== ascii.charCodeAt(i)) return false;
  return true;
}

export function hasBytes(bytes: Uint8Array, at: number, expected: readonly number[]): boolean {
  if (at < 0 || at + expected.length > bytes.length) return false;
  return expected.every((value, i) => bytes[at + i] === value);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A printable four-character code for messages: `hvc1`, or hex when it holds control bytes. */
export function printableCode(code: string): string {
  return /^[\x20-\x7e]{4}$/.test(code) ? code : [...code].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ');
}

export function hexHead(bytes: Uint8Array, count = 8): string {
  return [...bytes.subarray(0, count)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

const MB = 1024 * 1024;

/** "12.4 MB (13,002,345 bytes)": the rounded size for people, the exact one so near-misses are clear. */
export function describeSize(bytes: number): string {
  const exact = `${bytes.toLocaleString('en-US')} bytes`;
  if (bytes < MB) return exact;
  const mb = Math.round((bytes / MB) * 10) / 10;
  return `${mb.toLocaleString('en-US')} MB (${exact})`;
}

export type FormatKind = 'picture' | 'video' | 'audio' | 'program' | 'document' | 'archive';

/**
 * Names a file format from its first bytes, so a refusal can say what the file is ("a Windows
 * program") rather than only what it is not. Advisory only: nothing is accepted because of it.
 */
export function identifyFormat(head: Uint8Array): { kind: FormatKind; name: string } | undefined {
  const at = (ascii: string, offset = 0) => hasAscii(head, offset, ascii);
  if (hasBytes(head, 0, [0xff, 0xd8, 0xff])) return { kind: 'picture', name: 'a JPEG picture' };
  if (hasBytes(head, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'picture', name: 'a PNG picture' };
  if (at('RIFF') && at('WEBP', 8)) return { kind: 'picture', name: 'a WebP picture' };
  if (at('GIF87a') || at('GIF89a')) return { kind: 'picture', name: 'a GIF picture' };
  if (at('II*\0') || at('MM\0*')) return { kind: 'picture', name: 'a TIFF picture' };
  if (hasBytes(head, 0, [0xff, 0x0a]) || at('JXL ', 4)) return { kind: 'picture', name: 'a JPEG XL picture' };
  if (at('BM') && head.length >= 14 && u32le(head, 2) > 0) return { kind: 'picture', name: 'a BMP picture' };
  if (at('ftyp', 4)) {
    const brand = head.length >= 12 ? fourcc(head, 8) : '';
    if (/^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(brand)) return { kind: 'picture', name: 'an HEIC picture' };
    if (/^avi[fs]$/.test(brand)) return { kind: 'picture', name: 'an AVIF picture' };
    if (brand === 'qt  ') return { kind: 'video', name: 'a QuickTime movie (.mov)' };
    if (/^M4[AB]/.test(brand)) return { kind: 'audio', name: 'an M4A audio file' };
    return { kind: 'video', name: 'an MP4 video' };
  }
  if (at('RIFF') && at('AVI ', 8)) return { kind: 'video', name: 'an AVI video' };
  if (at('RIFF') && at('WAVE', 8)) return { kind: 'audio', name: 'a WAV audio file' };
  if (hasBytes(head, 0, [0x1a, 0x45, 0xdf, 0xa3])) return { kind: 'video', name: 'a WebM or Matroska video' };
  if (at('ID3') || at('OggS') || at('fLaC')) return { kind: 'audio', name: 'an audio file' };
  if (at('MZ')) return { kind: 'program', name: 'a Windows program (an .exe or .dll, “MZ” header)' };
  if (at('\x7fELF')) return { kind: 'program', name: 'a Linux program (ELF)' };
  if (hasBytes(head, 0, [0xcf, 0xfa, 0xed, 0xfe]) || hasBytes(head, 0, [0xca, 0xfe, 0xba, 0xbe])) {
    return { kind: 'program', name: 'a macOS program (Mach-O)' };
  }
  if (at('#!')) return { kind: 'program', name: 'a script' };
  if (at('%PDF')) return { kind: 'document', name: 'a PDF document' };
  if (at('PK\x03\x04')) return { kind: 'archive', name: 'a ZIP archive (or an Office document)' };
  if (at('Rar!') || hasBytes(head, 0, [0x37, 0x7a, 0xbc, 0xaf]) || hasBytes(head, 0, [0x1f, 0x8b])) {
    return { kind: 'archive', name: 'a compressed archive' };
  }
  const text = latin1(head, 0, Math.min(head.length, 512))
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart()
    .toLowerCase();
  if (text.startsWith('<') && text.includes('<svg')) return { kind: 'picture', name: 'an SVG drawing' };
  if (/^<(!doctype html|html|head|body|script)/.test(text)) return { kind: 'document', name: 'a web page (HTML)' };
  return undefined;
}
