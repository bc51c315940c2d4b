// Writers of the per-track files the recorder keeps: IVF for VP8/VP9, Ogg Opus for audio.
export { type IvfCodec, type IvfFile, type IvfFrame, readIvf, vp8KeyFrameSize, vp9KeyFrameSize, writeIvf } from './ivf.js';
export { type OggOpusOptions, type OggOpusResult, type OpusGap, type OpusInputPacket, OPUS_SAMPLE_RATE, writeOggOpus } from './ogg-opus.js';
export { type OggPage, oggCrc, readOggPackets, readOggPages } from './ogg.js';
export { opusPacketSamples } from './opus-toc.js';
export { RtpTimestampUnwrapper, unwrapRtpTimestamps } from './rtp-time.js';
