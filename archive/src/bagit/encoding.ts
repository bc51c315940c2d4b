/** Small text rules of BagIt (RFC 8493) and XML, shared by the writer and the validator. */

/**
 * A file path as written in a manifest (RFC 8493 section 2.1.3): "%" becomes %25, LF
 * %0A and CR %0D, and nothing else changes (spaces stay as they are).
 */
export function encodeManifestPath(path: string): string {
  return path.replace(/%/g, '%25').replace(/\n/g, '%0A').replace(/\r/g, '%0D');
}

/** The reverse of encodeManifestPath, in one pass so that "%250A" gives "%0A". */
export function decodeManifestPath(encoded: string): string {
  return encoded.replace(/%(25|0A|0D)/gi, (_match, code: string) => String.fromCharCode(parseInt(code, 16)));
}

/** One manifest line: checksum, two spaces, encoded path, LF. */
export function manifestLine(sha256: string, path: string): string {
  return `${sha256}  ${encodeManifestPath(path)}\n`;
}

/** A bag-info.txt value on one line: line breaks and tabs become spaces. */
export function bagInfoValue(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ').trim();
}

/** bag-info.txt: "Label: value" lines in order, LF endings. */
export function formatBagInfo(fields: ReadonlyArray<readonly [string, string]>): string {
  return fields.map(([label, value]) => `${label}: ${bagInfoValue(value)}\n`).join('');
}

/** "12345.4" for Payload-Oxum: octets, a dot, the file count. */
export function payloadOxum(bytes: number, files: number): string {
  return `${bytes}.${files}`;
}

/** A human size for Bag-Size, in decimal units as the Library of Congress writes them ("1.2 GB"). */
export function formatBagSize(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${bytes} bytes`;
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

// Characters XML 1.0 cannot hold at all, even escaped: C0 controls but tab, LF and CR;
// lone surrogates; U+FFFE and U+FFFF.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text or attribute content for XML: escapes & < > " ', writes CR as a character reference
 * (so files keep LF line endings and the CR survives parsing), and replaces what XML
 * cannot hold with U+FFFD.
 */
export function escapeXml(value: string): string {
  return value.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>"'\r]/g, (char) => {
    switch (char) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case '\r':
        return '&#13;';
      default:
        return '&apos;';
    }
  });
}

/** An ISO 8601 duration ("PT1H2M3.5S") for a number of milliseconds. */
export function isoDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const millis = total % 60_000;
  const seconds = millis % 1000 === 0 ? String(millis / 1000) : (millis / 1000).toFixed(3).replace(/0+$/, '');
  let out = 'PT';
  if (hours) out += `${hours}H`;
  if (minutes) out += `${minutes}M`;
  if (millis || (!hours && !minutes)) out += `${seconds}S`;
  return out;
}

const MEDIA_TYPES: Record<string, string> = {
  mkv: 'video/matroska',
  webm: 'video/webm',
  json: 'application/json',
  vtt: 'text/vtt',
  txt: 'text/plain',
  xml: 'application/xml',
};

/** The media type of a recording file from its extension (application/octet-stream when unknown). */
export function mediaTypeOf(path: string): string {
  const dot = path.lastIndexOf('.');
  const ext = dot > path.lastIndexOf('/') ? path.slice(dot + 1).toLowerCase() : '';
  return MEDIA_TYPES[ext] ?? 'application/octet-stream';
}

/**
 * Why `path` cannot be a file inside a bag directory, or null if it can: relative, forward
 * slashes, no empty, "." or ".." segment, no NUL. Spaces, "%" and other characters are
 * fine: manifests encode what needs it.
 */
export function unsafeBagPathReason(path: string): string | null {
  if (path.length === 0) return 'empty path';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'absolute path';
  if (path.includes('\\')) return 'backslash in path';
  if (path.includes('\0')) return 'NUL in path';
  const segments = path.split('/');
  if (segments.includes('..')) return "a '..' segment";
  if (segments.some((segment) => segment === '' || segment === '.')) return "an empty or '.' segment";
  if (segments.some((segment) => Buffer.byteLength(segment) > 255)) return 'a name longer than 255 bytes';
  return null;
}

/** Sorts by UTF-16 code units, the same on every machine (localeCompare is not). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
