/**
 * File names are user text: kept only for display and for the download's `Content-Disposition`, never
 * used to name anything in storage. Stored names are reduced to a safe single segment; header values
 * are built from them with an ASCII fallback and RFC 5987 / RFC 6266 `filename*`.
 */

/** Longest stored name, in code points (the column holds 256). */
export const MAX_NAME_LENGTH = 255;
const MAX_EXTENSION_LENGTH = 16;

// C0/C1 controls (NUL included), and the bidirectional overrides and isolates that make
// "gpj.exe" read as "exe.jpg".
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** A display name that is one path segment, without controls, at most 255 code points. */
export function sanitizeFileName(raw: string): string {
  let name = raw.normalize('NFC');
  // Whatever came before the last separator is a client's path, not part of the name.
  const cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  if (cut >= 0) name = name.slice(cut + 1);
  name = name.replace(UNSAFE_CHARS, '').trim();
  if (/^\.*$/.test(name)) name = '';
  const chars = Array.from(name);
  if (chars.length > MAX_NAME_LENGTH) {
    const ext = extensionOf(name);
    const keep = ext ? MAX_NAME_LENGTH - ext.length - 1 : MAX_NAME_LENGTH;
    name = chars.slice(0, keep).join('').trimEnd() + (ext ? '.' + ext : '');
  }
  return name === '' ? 'file' : name;
}

/** Lower-case extension of a name ('' when it has none or an odd one). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return '';
  const ext = name.slice(dot + 1).toLowerCase();
  return ext.length <= MAX_EXTENSION_LENGTH && /^[a-z0-9]+$/.test(ext) ? ext : '';
}

function encodeRfc5987(s: string): string {
  return encodeURIComponent(s).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** `attachment; filename="…"; filename*=UTF-8''…` (or inline) for any stored name. */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const clean = sanitizeFileName(name);
  // The quoted fallback holds printable ASCII only, without quote, backslash or percent.
  const fallback = clean.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(clean)}`;
}
