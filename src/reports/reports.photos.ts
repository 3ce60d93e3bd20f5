// Photo uploads: the declared type, the size and the real image are checked (the bytes are decoded
// by libvips through sharp), and the image is re-encoded, which drops every metadata segment (EXIF
// with GPS position, XMP, IPTC, comments). The orientation EXIF held is applied to the pixels first.
import sharp from 'sharp';

export const PHOTO_TYPES = ['image/jpeg', 'image/png'] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];

export interface PhotoLimits {
  maxBytes: number;
  /** Longer side after re-encoding; larger images are scaled down. */
  maxSide: number;
  /** Refuses decompression bombs before decoding. */
  maxPixels: number;
}

export const DEFAULT_PHOTO_LIMITS: PhotoLimits = { maxBytes: 8 * 1024 * 1024, maxSide: 2048, maxPixels: 40_000_000 };

export class PhotoRejected extends Error {
  constructor(readonly reason: 'type' | 'size' | 'decode', message: string) { super(message); this.name = 'PhotoRejected'; }
}

/** What the bytes say they are (magic numbers), whatever the client declared. */
export function sniff(b: Buffer): PhotoType | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return undefined;
}

export interface CleanPhoto {
  contentType: PhotoType;
  width: number;
  height: number;
  data: Buffer;
}

export async function cleanPhoto(bytes: Buffer, declaredType: string | undefined, limits: PhotoLimits = DEFAULT_PHOTO_LIMITS): Promise<CleanPhoto> {
  if (bytes.length > limits.maxBytes) throw new PhotoRejected('size', `the photo has ${bytes.length} bytes; at most ${limits.maxBytes} are accepted`);
  const declared = (declaredType ?? '').toLowerCase().split(';')[0]!.trim();
  if (declared && !(PHOTO_TYPES as readonly string[]).includes(declared)) throw new PhotoRejected('type', `photos must be JPEG or PNG, not ${declared}`);
  const type = sniff(bytes);
  if (!type) throw new PhotoRejected('type', 'the file is neither a JPEG nor a PNG image');
  if (declared && declared !== type) throw new PhotoRejected('type', `the file is ${type}, not ${declared} as declared`);
  try {
    const img = sharp(bytes, { failOn: 'error', limitInputPixels: limits.maxPixels, sequentialRead: true })
      .rotate() // applies the EXIF orientation, so nothing depends on metadata any more
      .resize({ width: limits.maxSide, height: limits.maxSide, fit: 'inside', withoutEnlargement: true });
    // sharp writes no metadata unless keepMetadata()/withMetadata() is called: the output has no EXIF, XMP, IPTC or ICC.
    const out = type === 'image/jpeg' ? img.jpeg({ quality: 85, mozjpeg: true }) : img.png({ compressionLevel: 9 });
    const { data, info } = await out.toBuffer({ resolveWithObject: true });
    return { contentType: type, width: info.width, height: info.height, data };
  } catch (e) {
    throw new PhotoRejected('decode', `the image cannot be decoded: ${(e as Error).message.slice(0, 200)}`);
  }
}

/** Whether a JPEG or PNG carries a metadata segment (EXIF/XMP APP1, IPTC APP13, PNG eXIf/tEXt/iTXt/zTXt). */
export function hasMetadata(b: Buffer): boolean {
  if (sniff(b) === 'image/jpeg') {
    let i = 2;
    while (i + 4 <= b.length && b[i] === 0xff) {
      const marker = b[i + 1]!;
      if (marker === 0xda || marker === 0xd9) break; // start of scan: no more headers
      const len = b.readUInt16BE(i + 2);
      if (marker === 0xe1 || marker === 0xed) return true;
      i += 2 + len;
    }
    return false;
  }
  if (sniff(b) === 'image/png') {
    let i = 8;
    while (i + 8 <= b.length) {
      const len = b.readUInt32BE(i);
      const t = b.toString('latin1', i + 4, i + 8);
      if (t === 'eXIf' || t === 'tEXt' || t === 'iTXt' || t === 'zTXt') return true;
      i += 12 + len;
    }
  }
  return false;
}
