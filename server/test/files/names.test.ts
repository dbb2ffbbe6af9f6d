import { describe, expect, it } from 'vitest';
import { contentDisposition, extensionOf, sanitizeFileName } from '../../src/files/names.js';
import { parseRange, RangeNotSatisfiableError } from '../../src/services/files.js';

describe('sanitizeFileName', () => {
  it('keeps only the last path segment, for either separator', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('..\\..\\windows\\win.ini')).toBe('win.ini');
    expect(sanitizeFileName('/absolute/path/report.pdf')).toBe('report.pdf');
    expect(sanitizeFileName('C:\\Users\\me\\photo.jpg')).toBe('photo.jpg');
  });

  it('drops NUL, other controls and direction overrides', () => {
    expect(sanitizeFileName('a\u0000b.txt')).toBe('ab.txt');
    expect(sanitizeFileName('line\r\nbreak.txt')).toBe('linebreak.txt');
    // "invoice\u202Egpj.exe" displays as "invoiceexe.jpg"
    expect(sanitizeFileName('invoice\u202egpj.exe')).toBe('invoicegpj.exe');
  });

  it('never yields an empty or dot-only name', () => {
    expect(sanitizeFileName('')).toBe('file');
    expect(sanitizeFileName('..')).toBe('file');
    expect(sanitizeFileName('../')).toBe('file');
    expect(sanitizeFileName('\u0000\u0001')).toBe('file');
  });

  it('shortens 10 KB names to 255 code points, keeping the extension', () => {
    const name = sanitizeFileName('é'.repeat(10_000) + '.pdf');
    expect(Array.from(name).length).toBe(255);
    expect(name.endsWith('.pdf')).toBe(true);
  });

  it('reads extensions from the name only when they look like one', () => {
    expect(extensionOf('a.PNG')).toBe('png');
    expect(extensionOf('archive.tar.gz')).toBe('gz');
    expect(extensionOf('.bashrc')).toBe('');
    expect(extensionOf('noext')).toBe('');
    expect(extensionOf('x.<script>')).toBe('');
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and an RFC 5987 filename*', () => {
    expect(contentDisposition('attachment', 'résumé "final".pdf')).toBe(
      `attachment; filename="r_sum_ _final_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf`,
    );
  });

  it('cannot be used to inject headers or parameters', () => {
    const v = contentDisposition('inline', 'x.png"; filename=evil.html\r\nSet-Cookie: a=b');
    expect(v).not.toMatch(/[\r\n]/);
    expect(v.startsWith('inline; filename="x.png_; filename=evil.htmlSet-Cookie: a=b"; ')).toBe(true);
    expect(v.split('filename*=')[1]).not.toMatch(/[;" ]/);
  });
});

describe('parseRange', () => {
  it('reads single byte ranges', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=50-1000', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=-1000', 100)).toEqual({ start: 0, end: 99 });
  });

  it('serves everything for absent, multiple or malformed ranges', () => {
    expect(parseRange(undefined, 100)).toBeUndefined();
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(parseRange('items=0-1', 100)).toBeUndefined();
    expect(parseRange('bytes=9-3', 100)).toBeUndefined();
  });

  it('refuses ranges past the end', () => {
    expect(() => parseRange('bytes=100-', 100)).toThrow(RangeNotSatisfiableError);
    expect(() => parseRange('bytes=-0', 100)).toThrow(RangeNotSatisfiableError);
    expect(() => parseRange('bytes=99999999999999999999-', 100)).toThrow(RangeNotSatisfiableError);
  });
});
