/**
 * What a finished Matroska file holds, read with Debian's ffprobe (an independent
 * reader): its streams with their titles and PARTICIPANT tags, packet counts, and each
 * packet's time, to count the frames of a participant inside a window of wall-clock time.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const FFPROBE = '/usr/bin/ffprobe';

export interface MkvStream {
  index: number;
  kind: 'audio' | 'video';
  codec: string;
  /** The PARTICIPANT tag (the participant's name), else the title. */
  participant: string;
  title: string;
  packets: number;
  width?: number;
  height?: number;
  /** Presentation times of the stream's packets, seconds from the file's start. */
  times: number[];
}

export interface MkvFile {
  durationSeconds: number;
  bytes: number;
  streams: MkvStream[];
}

interface ProbeJson {
  streams: { index: number; codec_type: string; codec_name: string; width?: number; height?: number; nb_read_packets?: string; tags?: Record<string, string> }[];
  format: { duration?: string; size?: string };
}

/** The file's streams and packet counts; with `times` (default) every packet's time too. */
export async function readMkv(path: string, { times: withTimes = true } = {}): Promise<MkvFile> {
  const big = { maxBuffer: 512 * 1024 * 1024 };
  const { stdout: probeText } = await run(FFPROBE, ['-v', 'error', '-count_packets', '-show_streams', '-show_format', '-of', 'json', path], big);
  const probe = JSON.parse(probeText) as ProbeJson;
  const packetText = withTimes ? (await run(FFPROBE, ['-v', 'error', '-show_entries', 'packet=stream_index,pts_time', '-of', 'csv=p=0', path], big)).stdout : '';
  const times = new Map<number, number[]>();
  for (const line of packetText.split('\n')) {
    const [index, time] = line.split(',');
    if (index === undefined || time === undefined || time === '' || time === 'N/A') continue;
    const list = times.get(Number(index)) ?? [];
    list.push(Number(time));
    times.set(Number(index), list);
  }
  return {
    durationSeconds: Number(probe.format.duration ?? Number.NaN),
    bytes: Number(probe.format.size ?? Number.NaN),
    streams: probe.streams
      .filter((stream) => stream.codec_type === 'audio' || stream.codec_type === 'video')
      .map((stream) => {
        const tag = (name: string) => stream.tags?.[name] ?? stream.tags?.[name.toUpperCase()] ?? stream.tags?.[name.toLowerCase()];
        const title = tag('title') ?? '';
        return {
          index: stream.index,
          kind: stream.codec_type as 'audio' | 'video',
          codec: stream.codec_name,
          participant: tag('PARTICIPANT') ?? title,
          title,
          packets: Number(stream.nb_read_packets ?? Number.NaN),
          ...(stream.width ? { width: stream.width, height: stream.height } : {}),
          times: times.get(stream.index) ?? [],
        };
      }),
  };
}
