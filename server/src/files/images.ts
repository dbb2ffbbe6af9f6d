/**
 * Thumbnails, previews and placeholders for uploaded images (sharp / libvips).
 *
 * The header is read first and the image refused, before any pixel is decoded, when its dimensions or
 * frame count pass the limits: a 65535×65535 header, a decompression bomb and an endless animation all
 * stop there. Decoding then runs with sharp's own pixel limit as a second guard. Served renditions are
 * oriented by EXIF and carry no metadata; an original that holds metadata (EXIF with GPS, XMP, IPTC,
 * PNG text) is re-encoded without it, keeping only its colour profile.
 */
import fsp from 'node:fs/promises';
import type sharpModule from 'sharp';
import type { Metadata, Sharp, SharpOptions } from 'sharp';
import { badRequest } from '../lib/errors.js';

/** Largest accepted frame: 7680×4320 (8K), Mattermost's default resolution limit. */
export const MAX_IMAGE_PIXELS = 7680 * 4320;
/** Most frames in an animation. */
export const MAX_IMAGE_FRAMES = 500;
/** Most pixels over all frames of an animation (what a browser would decode to play it). */
export const MAX_ANIMATION_PIXELS = 10 * MAX_IMAGE_PIXELS;

export const THUMBNAIL = { width: 120, height: 100 } as const;
export const PREVIEW = { width: 1920, height: 1080 } as const;
const MINI = 16;

type SharpFn = typeof sharpModule;
let loading: Promise<SharpFn> | undefined;

/** sharp (and libvips) are loaded at the first image, not at start-up. */
function loadSharp(): Promise<SharpFn> {
  loading ??= import('sharp').then(({ default: sharp }) => {
    // One image at a time per process is plenty for a chat server and bounds libvips' memory.
    sharp.concurrency(1);
    sharp.cache(false);
    return sharp;
  });
  return loading;
}

export interface ImageResult {
  width: number;
  height: number;
  thumb: Buffer;
  preview: Buffer;
  previewType: 'image/jpeg' | 'image/png';
  /** base64 of a 16-pixel JPEG. */
  miniPreview: string;
  /** Set when the original was rewritten without its metadata: the file to store instead. */
  sanitizedPath?: string;
}

const largeImage = () =>
  badRequest(
    'api.file.upload_file.large_image.app_error',
    `The image is too large: at most ${MAX_IMAGE_PIXELS} pixels (7680×4320) are accepted.`,
  );

function input(sharp: SharpFn, path: string, extra: SharpOptions = {}): Sharp {
  return sharp(path, {
    limitInputPixels: MAX_IMAGE_PIXELS,
    sequentialRead: true,
    failOn: 'warning',
    ...extra,
  });
}

/** Header only: dimensions, frames, metadata. undefined when the header does not parse. */
async function readHeader(sharp: SharpFn, path: string): Promise<Metadata | undefined> {
  try {
    return await sharp(path, { limitInputPixels: false }).metadata();
  } catch {
    return undefined;
  }
}

/** Throws 400 for images over the limits; called before anything is decoded. */
export function checkImageLimits(meta: Pick<Metadata, 'width' | 'height' | 'pages' | 'pageHeight'>): void {
  const width = meta.width ?? 0;
  const frames = Math.max(1, meta.pages ?? 1);
  const frameHeight = frames > 1 && meta.pageHeight ? meta.pageHeight : (meta.height ?? 0);
  if (width * frameHeight > MAX_IMAGE_PIXELS) throw largeImage();
  if (frames > MAX_IMAGE_FRAMES) {
    throw badRequest(
      'api.file.upload_file.too_many_frames.app_error',
      `The animation has too many frames: at most ${MAX_IMAGE_FRAMES} are accepted.`,
    );
  }
  if (width * frameHeight * frames > MAX_ANIMATION_PIXELS) throw largeImage();
}

function hasPrivateMetadata(meta: Metadata): boolean {
  const comments = (meta as { comments?: unknown[] }).comments;
  return Boolean(
    meta.exif || meta.xmp || meta.iptc || meta.tifftagPhotoshop || (comments && comments.length),
  );
}

/**
 * Renditions of an image file whose bytes sniffed as png/jpeg/gif/webp. Returns undefined when the
 * image does not decode (truncated or damaged): the caller keeps it as a plain file. Throws 400 when it
 * is over the limits.
 */
export async function processImage(
  path: string,
  format: string,
  tmpOut: string,
): Promise<ImageResult | undefined> {
  const sharp = await loadSharp();
  const meta = await readHeader(sharp, path);
  if (!meta || !meta.width || !meta.height) return undefined;
  checkImageLimits(meta);
  const frames = Math.max(1, meta.pages ?? 1);
  try {
    const preview = await input(sharp, path)
      .rotate()
      .resize(PREVIEW.width, PREVIEW.height, { fit: 'inside', withoutEnlargement: true })
      .toFormat(meta.hasAlpha ? 'png' : 'jpeg', meta.hasAlpha ? {} : { quality: 85 })
      .toBuffer();
    const thumb = await sharp(preview)
      .resize(THUMBNAIL.width, THUMBNAIL.height, { fit: 'cover', withoutEnlargement: true })
      .toFormat(meta.hasAlpha ? 'png' : 'jpeg', meta.hasAlpha ? {} : { quality: 80 })
      .toBuffer();
    const mini = await sharp(preview)
      .flatten({ background: '#ffffff' })
      .resize(MINI, MINI, { fit: 'inside' })
      .blur(0.5)
      .jpeg({ quality: 60 })
      .toBuffer();

    let sanitizedPath: string | undefined;
    if (hasPrivateMetadata(meta)) {
      const animated = frames > 1;
      const pipeline = input(
        sharp,
        path,
        animated ? { animated: true, limitInputPixels: MAX_ANIMATION_PIXELS } : {},
      )
        .rotate()
        .keepIccProfile();
      const out =
        format === 'image/jpeg'
          ? pipeline.jpeg({ quality: 92 })
          : format === 'image/png'
            ? pipeline.png({ palette: meta.isPalette })
            : format === 'image/webp'
              ? pipeline.webp({ quality: 90 })
              : pipeline.gif();
      await out.toFile(tmpOut);
      sanitizedPath = tmpOut;
    }

    const oriented = meta.autoOrient ?? { width: meta.width, height: meta.height };
    return {
      width: oriented.width,
      height: frames > 1 && meta.pageHeight ? meta.pageHeight : oriented.height,
      thumb,
      preview,
      previewType: meta.hasAlpha ? 'image/png' : 'image/jpeg',
      miniPreview: mini.toString('base64'),
      ...(sanitizedPath ? { sanitizedPath } : {}),
    };
  } catch (err) {
    await fsp.rm(tmpOut, { force: true });
    if (err instanceof Error && /pixel limit/i.test(err.message)) throw largeImage();
    return undefined;
  }
}
