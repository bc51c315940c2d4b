import type { SignalData } from '@conclave/protocol';
import { describe, expect, it, vi } from 'vitest';
import { CONNECT_TIMEOUT_MS, DISCONNECTED_REBUILD_MS, Mesh, type MeshEvents, type MeshOptions } from './mesh.js';
import type { PeerLink, PeerLinkHandlers, PeerLinkOptions } from './peer-link.js';

/** A link that records what the engine does with it; the real one needs a browser (see e2e/). */
class RecordingLink implements PeerLink {
  received: SignalData[] = [];
  sent: string[] = [];
  added: MediaStreamTrack[] = [];
  replaced: [MediaStreamTrack, MediaStreamTrack][] = [];
  destroyed = false;
  open = false;
  constructor(
    readonly options: PeerLinkOptions,
    readonly handlers: PeerLinkHandlers,
  ) {}
  signal(data: SignalData): void {
    this.received.push(data);
  }
  send(text: string): boolean {
    if (this.open) this.sent.push(text);
    return this.open;
  }
  addTrack(track: MediaStreamTrack): void {
    this.added.push(track);
  }
  removeTrack(): void {}
  replaceTrack(old: MediaStreamTrack, next: MediaStreamTrack): void {
    this.replaced.push([old, next]);
  }
  senders(): RTCRtpSender[] {
    return [];
  }
  getStats(): Promise<RTCStatsReport> {
    return Promise.resolve(new Map() as unknown as RTCStatsReport);
  }
  fingerprints() {
    return { local: 'sha-256 AA', remote: 'sha-256 BB' };
  }
  destroy(): void {
    this.destroyed = true;
  }
  connect(): void {
    this.open = true;
    this.handlers.onConnect();
  }
}

function setup(selfId = 'm-self', extra: Partial<MeshOptions> = {}) {
  const links: RecordingLink[] = [];
  const sent: { to: string; data: SignalData }[] = [];
  const reconnects: string[] = [];
  const timers: { run: () => void; at: number; cancelled: boolean }[] = [];
  let now = 0;
  const events = { onTrack: vi.fn(), onLinkState: vi.fn(), onLinkOpen: vi.fn(), onLinkClosed: vi.fn(), onMessage: vi.fn() } satisfies MeshEvents;
  const mesh = new Mesh({
    selfId,
    createLink: (options, handlers) => {
      const link = new RecordingLink(options, handlers);
      links.push(link);
      return link;
    },
    signaling: { sendSignal: (to, data) => sent.push({ to, data }), requestReconnect: (to) => reconnects.push(to) },
    iceServers: [],
    events,
    setTimer: (run, ms) => {
      const timer = { run, at: now + ms, cancelled: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => {
      if (timer) (timer as { cancelled: boolean }).cancelled = true;
    },
    now: () => now,
    ...extra,
  });
  /** Moves the clock on and runs the timers that came due. */
  const fire = (ms: number) => {
    now += ms;
    const due = timers.filter((timer) => !timer.cancelled && timer.at <= now);
    for (const timer of due) {
      timers.splice(timers.indexOf(timer), 1);
      timer.run();
    }
  };
  return { mesh, links, sent, reconnects, events, fire, advance: (ms: number) => (now += ms) };
}

const peer = (id: string) => ({ id, name: id, role: 'participant' as const });
const offer: SignalData = { type: 'offer', sdp: 'v=0\r\n' };
const track = (id: string) => ({ id, kind: 'video' }) as MediaStreamTrack;

describe('Mesh links', () => {
  it('opens one link per participant and passes who initiates', () => {
    const { mesh, links, events } = setup();
    mesh.connect(peer('a'), true);
    mesh.connect(peer('b'), false);
    expect(links.map((link) => link.options.initiator)).toEqual([true, false]);
    expect(mesh.size).toBe(2);
    expect(events.onLinkState).toHaveBeenCalledWith('a', 'connecting');
  });

  it('routes signals both ways and drops those from strangers', () => {
    const { mesh, links, sent } = setup();
    mesh.connect(peer('a'), true);
    links[0]!.handlers.onSignal(offer);
    expect(sent).toEqual([{ to: 'a', data: offer }]);
    expect(mesh.receiveSignal('a', offer)).toBe(true);
    expect(links[0]!.received).toEqual([offer]);
    expect(mesh.receiveSignal('stranger', offer)).toBe(false);
  });

  it('closing one link leaves the others untouched', () => {
    const { mesh, links } = setup();
    mesh.connect(peer('a'), true);
    mesh.connect(peer('b'), true);
    mesh.disconnect('a');
    expect(links[0]!.destroyed).toBe(true);
    expect(links[1]!.destroyed).toBe(false);
    expect(mesh.has('b')).toBe(true);
  });

  it('gives every link a new id with its own transforms, tells when it goes, and rebuilds all on request', () => {
    const media = vi.fn((linkId: string) => ({ config: { encodedInsertableStreams: true }, sender: vi.fn(), receiver: vi.fn(), linkId }));
    const { mesh: withMedia, links, reconnects, events } = setup('m-self', { media });
    withMedia.connect(peer('z-a'), true);
    withMedia.connect(peer('z-b'), false);
    expect(media.mock.calls.map(([id]) => id)).toEqual(['z-a/1', 'z-b/2']);
    expect(links[0]!.options.media?.config).toEqual({ encodedInsertableStreams: true });
    withMedia.rebuildAll();
    // Both old links are gone (and said so), both peers asked to rebuild, new ids for the new links.
    expect(events.onLinkClosed.mock.calls).toEqual([['z-a', 'z-a/1'], ['z-b', 'z-b/2']]);
    expect(reconnects).toEqual(['z-a', 'z-b']);
    expect(media.mock.calls.map(([id]) => id).slice(2)).toEqual(['z-a/3', 'z-b/4']);
    expect(links.slice(2).every((link) => !link.destroyed)).toBe(true);
  });

  it('hands remote tracks and valid peer messages to the session, and drops malformed ones', () => {
    const { mesh, links, events } = setup();
    mesh.connect(peer('a'), false);
    const stream = {} as MediaStream;
    links[0]!.handlers.onTrack(track('t'), stream);
    expect(events.onTrack).toHaveBeenCalledWith('a', track('t'), stream);
    links[0]!.handlers.onData(JSON.stringify({ t: 'chat', id: 'abcdefgh', text: 'hello', at: 1 }));
    links[0]!.handlers.onData('{"t":"chat","text":""}');
    links[0]!.handlers.onData('not json');
    expect(events.onMessage).toHaveBeenCalledTimes(1);
    expect(events.onMessage).toHaveBeenCalledWith('a', { t: 'chat', id: 'abcdefgh', text: 'hello', at: 1 }, 'a/1');
  });

  it('broadcasts to open links only, and tells the session when a link opens', () => {
    const { mesh, links, events } = setup();
    mesh.connect(peer('a'), true);
    mesh.connect(peer('b'), true);
    links[0]!.connect();
    expect(events.onLinkOpen).toHaveBeenCalledWith('a', { id: 'a/1', initiator: true, fingerprints: { local: 'sha-256 AA', remote: 'sha-256 BB' } });
    expect(mesh.broadcast({ t: 'chat', id: 'abcdefgh', text: 'hi', at: 2 })).toBe(1);
    expect(links[0]!.sent).toHaveLength(1);
  });
});

describe('Mesh media', () => {
  it('sends the camera on new links, replaces tracks on all, and adds a screen share to all', () => {
    const { mesh, links } = setup();
    const camera = { getTracks: () => [track('cam')] } as unknown as MediaStream;
    mesh.setCamera(camera);
    mesh.connect(peer('a'), true);
    mesh.connect(peer('b'), true);
    expect(links[0]!.options.streams).toEqual([camera]);
    mesh.replaceTrack(track('cam'), track('cam2'));
    expect(links.map((link) => link.replaced.length)).toEqual([1, 1]);
    const screen = { getTracks: () => [track('screen')] } as unknown as MediaStream;
    mesh.startScreen(screen);
    expect(links.map((link) => link.added.map((t) => t.id))).toEqual([['screen'], ['screen']]);
    // A link opened during the share gets both streams from the start.
    mesh.connect(peer('c'), true);
    expect(links[2]!.options.streams).toEqual([camera, screen]);
  });
});

describe('Mesh recovery', () => {
  it('rebuilds a link that stays disconnected for 5 s, and only that one', () => {
    const { mesh, links, reconnects, events, fire } = setup('m-self');
    mesh.connect(peer('z-peer'), true);
    mesh.connect(peer('y-peer'), true);
    links[0]!.connect();
    links[1]!.connect();
    links[0]!.handlers.onIceState('disconnected');
    expect(events.onLinkState).toHaveBeenLastCalledWith('z-peer', 'reconnecting');
    fire(DISCONNECTED_REBUILD_MS);
    expect(reconnects).toEqual(['z-peer']);
    expect(links[0]!.destroyed).toBe(true);
    expect(links[2]!.options.initiator).toBe(true); // 'm-self' < 'z-peer': we make the offer
    expect(links[1]!.destroyed).toBe(false);
  });

  it('does nothing when a disconnected link recovers by itself', () => {
    const { mesh, links, reconnects, fire } = setup();
    mesh.connect(peer('z'), true);
    links[0]!.connect();
    links[0]!.handlers.onIceState('disconnected');
    links[0]!.handlers.onIceState('connected');
    fire(DISCONNECTED_REBUILD_MS);
    expect(reconnects).toEqual([]);
    expect(links).toHaveLength(1);
  });

  it('rebuilds a failed link after a back-off that grows', () => {
    const { mesh, links, reconnects, fire } = setup('z-self');
    mesh.connect(peer('a-peer'), false);
    links[0]!.handlers.onClose(new Error('ice failed'));
    fire(1000);
    expect(reconnects).toEqual(['a-peer']);
    expect(links[1]!.options.initiator).toBe(false); // the smaller id makes the offer: we wait
    links[1]!.handlers.onClose(new Error('again'));
    fire(1000);
    expect(links).toHaveLength(2); // second failure waits 2 s
    fire(2000);
    expect(links).toHaveLength(3);
  });

  it('gives up on a link that never connects: shown as failed at once, rebuilt, and a connected one is left alone', () => {
    const { mesh, links, reconnects, events, fire } = setup('a-self');
    mesh.connect(peer('b-peer'), true);
    mesh.connect(peer('c-peer'), true);
    links[1]!.connect();
    fire(CONNECT_TIMEOUT_MS - 1);
    expect(reconnects).toEqual([]);
    fire(1);
    expect(events.onLinkState).toHaveBeenCalledWith('b-peer', 'failed');
    expect(events.onLinkState).not.toHaveBeenCalledWith('c-peer', 'failed');
    fire(1000); // the first back-off
    expect(reconnects).toEqual(['b-peer']);
    expect(events.onLinkState).toHaveBeenLastCalledWith('b-peer', 'failed'); // still, while the rebuilt link tries
    expect(links[0]!.destroyed).toBe(true);
    expect(links[1]!.destroyed).toBe(false);
    links[2]!.connect(); // the rebuilt link makes it: its own timer no longer fires
    fire(CONNECT_TIMEOUT_MS);
    expect(reconnects).toEqual(['b-peer']);
    expect(events.onLinkState).toHaveBeenLastCalledWith('b-peer', 'connected');
  });

  it('on a reconnect request, the smaller id initiates; a fresh rebuild of ours is kept', () => {
    const small = setup('a-self');
    small.mesh.connect(peer('b-peer'), false);
    small.mesh.receiveReconnect('b-peer');
    expect(small.links[1]!.options.initiator).toBe(true);
    small.mesh.receiveReconnect('b-peer'); // both asked at once: keep the link just made
    expect(small.links).toHaveLength(2);

    const large = setup('z-self');
    large.mesh.connect(peer('b-peer'), true);
    large.mesh.receiveReconnect('b-peer');
    expect(large.links[1]!.options.initiator).toBe(false);
    expect(large.reconnects).toEqual([]); // answering a request sends none back
  });

  it('ignores the late close of a link it already replaced, and stops after close()', () => {
    const { mesh, links, events, fire } = setup();
    mesh.connect(peer('a'), true);
    mesh.connect(peer('a'), true);
    links[1]!.connect();
    links[0]!.handlers.onClose(new Error('old'));
    fire(60_000);
    expect(links).toHaveLength(2);
    mesh.close();
    links[1]!.handlers.onClose(new Error('after close'));
    fire(60_000);
    expect(links).toHaveLength(2);
    expect(events.onLinkState).not.toHaveBeenCalledWith('a', 'failed');
  });
});
