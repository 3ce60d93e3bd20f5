// Helpers for the reports tests: a JPEG carrying GPS EXIF (made with sharp), multipart bodies for
// inject(), and the hidden CSRF token of a page.
import sharp from 'sharp';

/** A small JPEG with EXIF: camera make and a GPS position (IFD3), as phones write them. */
export async function gpsJpeg(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#c03030' } }).jpeg()
    .withExif({ IFD0: { Make: 'TestCam', Copyright: 'Privat' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 32/1 1700/100', GPSLongitudeRef: 'E', GPSLongitude: '7/1 13/1 1200/100' } })
    .toBuffer();
}

/** Whether EXIF bytes carry the GPS IFD pointer (tag 0x8825, either byte order). */
export function hasGpsTag(exif: Buffer): boolean {
  return exif.includes(Buffer.from([0x25, 0x88])) || exif.includes(Buffer.from([0x88, 0x25]));
}

export async function multipart(fields: Record<string, string | undefined>, file?: { name: string; type: string; bytes: Buffer }): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) fd.append(k, v);
  if (file) fd.append('photo', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const req = new Request('http://localhost/', { method: 'POST', body: fd });
  return { payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } };
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no _csrf field on the page');
  return m[1]!;
}
