/**
 * Entry point of the recorder page, which only the recording service opens (in its own
 * headless Chromium). Its configuration comes in the URL fragment, which no server sees:
 * base64url JSON of RecorderConfig with the room secret. The service drives it through
 * window.conclaveRecorder.
 */
import '../lib/zod-jitless.js';
import { z } from 'zod';
import { RecorderSession, type RecorderConfig } from '../lib/recorder/recorder-session.js';
import { detectTransformPath } from '../lib/e2ee/media-encryption.js';

const fragmentSchema = z.strictObject({
  recording: z.string().min(1).max(64),
  room: z.string().min(1).max(128),
  secret: z.string().regex(/^[A-Za-z0-9_-]{22,128}$/).nullable(),
  token: z.string().min(1).max(4096),
  signalingUrl: z.url(),
  serviceUrl: z.url(),
  uploadKey: z.string().min(16).max(128),
  segmentMs: z.number().int().min(1000).max(3_600_000),
  feedDecoders: z.boolean(),
});

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function readConfig(): RecorderConfig {
  const raw = JSON.parse(new TextDecoder().decode(fromBase64Url(location.hash.slice(1)))) as unknown;
  const parsed = fragmentSchema.parse(raw);
  const path = detectTransformPath();
  if (parsed.secret && !path) throw new Error('this browser has no encoded transforms');
  return {
    ...parsed,
    signalingUrl: parsed.signalingUrl.replace(/\/$/, ''),
    serviceUrl: parsed.serviceUrl.replace(/\/$/, ''),
    encryption: parsed.secret && path ? { kind: 'e2ee', roomSecret: fromBase64Url(parsed.secret), path } : { kind: 'transport' },
  };
}

const status = document.getElementById('status');
const show = (text: string) => {
  if (status) status.textContent = text;
};

let session: RecorderSession | null = null;
const api = {
  status: () => session?.status ?? 'starting',
  stop: async () => {
    await session?.stop();
    show('stopped');
  },
  rotate: () => session?.rotate(),
};
Object.assign(window, { conclaveRecorder: api });

try {
  session = new RecorderSession(readConfig());
  await session.start();
  show('recording');
} catch (error) {
  show(`failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error('conclave recorder:', error);
}
