/**
 * Ogg framing (RFC 3533): packets are cut into 255-byte lacing segments and carried in
 * pages of at most 255 segments, each page with its own header and CRC. This module
 * knows nothing about the codec inside; ogg-opus.ts builds on it.
 */

export const OGG_FLAG_CONTINUED = 0x01;
export const OGG_FLAG_BOS = 0x02;
export const OGG_FLAG_EOS = 0x04;

/** Granule position of a page on which no packet ends. */
export const NO_GRANULE = -1n;

const HEADER = 27;
const MAX_SEGMENTS = 255;

/** CRC-32 with polynomial 0x04c11db7, no reflection, initial value and final XOR 0. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    table[i] = crc >>> 0;
  }
  return table;
})();

export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ byte) & 0xff] ?? 0)) >>> 0;
  return crc;
}

export interface OggPacket {
  data: Uint8Array;
  /** Granule position once this packet ends (codec-defined; Opus: 48 kHz samples). */
  granule: bigint;
}

/**
 * Writes one logical bitstream page by page. A packet may span pages; a page is closed
 * when it holds 255 segments, when `flush` is called, or at `end`.
 */
export class OggStreamWriter {
  readonly #serial: number;
  readonly #pages: PendingPage[] = [];
  #page: PendingPage = emptyPage(false);

  constructor(serial: number) {
    if (!Number.isInteger(serial) || serial < 0 || serial > 0xffffffff) throw new RangeError(`bad Ogg serial ${serial}`);
    this.#serial = serial;
  }

  /** Appends a packet. Its lacing ends with a value below 255 (a 0 when its size is a multiple of 255). */
  write(packet: OggPacket): void {
    const { data } = packet;
    let offset = 0;
    for (;;) {
      if (this.#page.segments.length === MAX_SEGMENTS) this.#closePage(offset > 0);
      const length = Math.min(255, data.byteLength - offset);
      this.#page.segments.push(length);
      this.#page.body.push(data.subarray(offset, offset + length));
      offset += length;
      if (length < 255) break;
    }
    // The page's granule is that of the last packet that ends on it.
    this.#page.granule = packet.granule;
  }

  /** Closes the current page so the next packet starts a new one (Ogg Opus headers need this). */
  flush(): void {
    if (this.#page.segments.length > 0) this.#closePage(false);
  }

  /** Closes the stream and returns all pages, concatenated: BOS on the first, EOS on the last. */
  end(): Uint8Array {
    this.flush();
    if (this.#pages.length === 0) this.#closePage(false); // an empty stream is one empty page
    const pages = this.#pages.map((page, sequence) =>
      serializePage(page, this.#serial, sequence, sequence === 0, sequence === this.#pages.length - 1),
    );
    return concat(pages);
  }

  /** `packetOpen`: the page ends inside a packet, which goes on on the next page. */
  #closePage(packetOpen: boolean): void {
    this.#pages.push(this.#page);
    this.#page = emptyPage(packetOpen);
  }
}

interface PendingPage {
  continued: boolean;
  /** NO_GRANULE until a packet ends on the page. */
  granule: bigint;
  segments: number[];
  body: Uint8Array[];
}

function emptyPage(continued: boolean): PendingPage {
  return { continued, granule: NO_GRANULE, segments: [], body: [] };
}

function serializePage(page: PendingPage, serial: number, sequence: number, first: boolean, last: boolean): Uint8Array {
  const bodySize = page.body.reduce((sum, part) => sum + part.byteLength, 0);
  const out = new Uint8Array(HEADER + page.segments.length + bodySize);
  const view = new DataView(out.buffer);
  out.set([0x4f, 0x67, 0x67, 0x53]); // "OggS", then version 0
  out[5] = (page.continued ? OGG_FLAG_CONTINUED : 0) | (first ? OGG_FLAG_BOS : 0) | (last ? OGG_FLAG_EOS : 0);
  view.setBigInt64(6, page.granule, true);
  view.setUint32(14, serial, true);
  view.setUint32(18, sequence, true);
  // Bytes 22-25 (the CRC) stay 0 while the CRC is computed.
  out[26] = page.segments.length;
  out.set(page.segments, HEADER);
  let offset = HEADER + page.segments.length;
  for (const part of page.body) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  view.setUint32(22, oggCrc(out), true);
  return out;
}

export interface OggPage {
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
  crcValid: boolean;
  segments: number[];
  body: Uint8Array;
}

/** Splits a physical Ogg stream into pages; throws on a truncated page or lost capture pattern. */
export function readOggPages(bytes: Uint8Array): OggPage[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pages: OggPage[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    if (offset + HEADER > bytes.byteLength || view.getUint32(offset) !== 0x4f676753) {
      throw new Error(`no Ogg page at ${offset}`);
    }
    const count = view.getUint8(offset + 26);
    const segments = [...bytes.subarray(offset + HEADER, offset + HEADER + count)];
    const bodySize = segments.reduce((sum, length) => sum + length, 0);
    const end = offset + HEADER + count + bodySize;
    if (end > bytes.byteLength) throw new Error(`truncated Ogg page at ${offset}`);
    const page = bytes.slice(offset, end);
    const stored = view.getUint32(offset + 22, true);
    page.fill(0, 22, 26);
    pages.push({
      flags: view.getUint8(offset + 5),
      granule: view.getBigInt64(offset + 6, true),
      serial: view.getUint32(offset + 14, true),
      sequence: view.getUint32(offset + 18, true),
      crcValid: oggCrc(page) === stored,
      segments,
      body: bytes.subarray(offset + HEADER + count, end),
    });
    offset = end;
  }
  return pages;
}

/** Reassembles the packets of one logical stream from its pages (in order). */
export function readOggPackets(pages: readonly OggPage[]): Uint8Array[] {
  const packets: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  for (const page of pages) {
    let offset = 0;
    for (const length of page.segments) {
      pending.push(page.body.subarray(offset, offset + length));
      offset += length;
      if (length < 255) {
        packets.push(concat(pending));
        pending = [];
      }
    }
  }
  return packets;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
