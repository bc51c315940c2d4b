import { describe, expect, it } from 'vitest';
import { escapeXml, formatBagInfo, formatBagSize, isoDuration, mediaTypeOf, unsafeBagPathReason } from './encoding.js';

describe('encoding helpers', () => {
  it('escapes XML and replaces what XML 1.0 cannot hold', () => {
    expect(escapeXml(`Ada & "Bob" <x> 'y'`)).toBe('Ada &amp; &quot;Bob&quot; &lt;x&gt; &apos;y&apos;');
    expect(escapeXml('a\u0000b\u001bc\ud800d\uFFFE')).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFD');
    expect(escapeXml('line\r\nnext\ttab 😀')).toBe('line&#13;\nnext\ttab 😀');
  });

  it('writes ISO 8601 durations', () => {
    expect(isoDuration(0)).toBe('PT0S');
    expect(isoDuration(3_723_500)).toBe('PT1H2M3.5S');
    expect(isoDuration(3_600_000)).toBe('PT1H');
    expect(isoDuration(61_001)).toBe('PT1M1.001S');
    expect(isoDuration(-5)).toBe('PT0S');
  });

  it('writes Bag-Size in decimal units', () => {
    expect(formatBagSize(999)).toBe('999 bytes');
    expect(formatBagSize(75_116)).toBe('75.1 KB');
    expect(formatBagSize(260_000_000_000)).toBe('260 GB');
  });

  it('keeps bag-info values on one line', () => {
    expect(formatBagInfo([['External-Description', 'two\r\nlines\tand a tab']])).toBe('External-Description: two lines and a tab\n');
  });

  it('knows the media types of a recording', () => {
    expect(mediaTypeOf('segments/segment-0001.mkv')).toBe('video/matroska');
    expect(mediaTypeOf('timelines/speaking.vtt')).toBe('text/vtt');
    expect(mediaTypeOf('dir.d/noext')).toBe('application/octet-stream');
  });

  it('refuses bag paths that leave the bag', () => {
    expect(unsafeBagPathReason('segments/a b%.mkv')).toBeNull();
    expect(unsafeBagPathReason('a/./b')).toBe("an empty or '.' segment");
    expect(unsafeBagPathReason('C:/x')).toBe('absolute path');
    expect(unsafeBagPathReason('a\\b')).toBe('backslash in path');
  });
});
