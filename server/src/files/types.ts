/**
 * What a file is, decided from its bytes (file-type), never from its name or the header the client
 * sent, and how it may be served: only images, audio and video that browsers play are served inline,
 * with their real type; everything else (SVG and HTML included) is an attachment.
 */

/** Types sharp turns into thumbnails and previews. */
export const IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
]);

/** Sniffed types served inline (`Content-Disposition: inline`), with their real Content-Type. */
export const INLINE_TYPES: ReadonlySet<string> = new Set([
  ...IMAGE_TYPES,
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/webm',
  'audio/mp4',
  'video/mp4',
  'video/webm',
]);

/** file-type's names for the same formats, mapped to what browsers expect. */
const ALIASES: Record<string, string> = {
  'audio/opus': 'audio/ogg',
  'audio/x-wav': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
};

/**
 * Types guessed from the extension when the bytes say nothing (text formats have no signature). None of
 * them is served inline, so a lying name gains nothing.
 */
const TEXT_BY_EXTENSION: Record<string, string> = {
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  xml: 'application/xml',
  html: 'text/html',
  htm: 'text/html',
  svg: 'image/svg+xml',
  js: 'text/javascript',
  css: 'text/css',
  yaml: 'application/yaml',
  yml: 'application/yaml',
};

export const OCTET_STREAM = 'application/octet-stream';

/** The type of a stored file from its first bytes; text formats by extension; else octet-stream. */
export async function sniffType(filePath: string, extension: string): Promise<string> {
  // file-type is loaded at the first upload, not at start-up.
  const { fileTypeFromFile } = await import('file-type');
  const found = await fileTypeFromFile(filePath).catch(() => undefined);
  if (found) return ALIASES[found.mime] ?? found.mime;
  return TEXT_BY_EXTENSION[extension] ?? OCTET_STREAM;
}

export function isInlineType(mime: string): boolean {
  return INLINE_TYPES.has(mime);
}
