// A small multipart/form-data reader (RFC 7578) for the editor's upload form: the body arrives as one
// buffer (bounded by the route's body limit), text fields become strings, file parts stay buffers.
// Enough for browser forms; no nested multipart/mixed, no transfer encodings.

export interface FilePart {
  field: string;
  fileName: string;
  mediaType: string;
  data: Buffer;
}

export interface Multipart {
  fields: Record<string, string>;
  files: FilePart[];
}

/** The boundary of a multipart/form-data content type, or undefined. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function param(header: string, name: string): string | undefined {
  // name="…" (browsers escape a quote as %22) or name=token; filename* (RFC 5987) is not sent by browsers for forms.
  const m = new RegExp(`;\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(header);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1').replace(/%22/g, '"') : m[2];
}

/** Parses a multipart body; throws an Error with a reason when it is malformed. */
export function parseMultipart(body: Buffer, boundary: string): Multipart {
  const out: Multipart = { fields: {}, files: [] };
  const delim = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delim);
  if (pos < 0) throw new Error('no multipart boundary in the body');
  for (;;) {
    pos += delim.length;
    // "--" after a delimiter ends the body.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return out;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) throw new Error('a multipart part has no header end');
    const headers = body.subarray(pos, headEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headEnd + 4);
    if (next < 0) throw new Error('a multipart part is not terminated');
    const data = body.subarray(headEnd + 4, next);
    let disposition = '';
    let type = 'application/octet-stream';
    for (const h of headers) {
      const i = h.indexOf(':');
      const name = h.slice(0, i).trim().toLowerCase();
      const value = h.slice(i + 1).trim();
      if (name === 'content-disposition') disposition = value;
      else if (name === 'content-type') type = value;
    }
    const field = param(disposition, 'name');
    if (field !== undefined) {
      const fileName = param(disposition, 'filename');
      if (fileName !== undefined) {
        // An empty file input sends a part with an empty file name and no data.
        if (fileName !== '' || data.length > 0) out.files.push({ field, fileName, mediaType: type.toLowerCase(), data: Buffer.from(data) });
      } else if (!(field in out.fields)) out.fields[field] = data.toString('utf8');
    }
    pos = next + 2;
  }
}
