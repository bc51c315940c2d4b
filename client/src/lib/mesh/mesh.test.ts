import type { SignalData } from '@conclave/protocol';
import { describe, expect, it, vi } from 'vitest';
import { Mesh, type MeshEvents } from './mesh.js';
import type { PeerLink, PeerLinkHandlers, PeerLinkOptions } from './peer-link.js';

/** A link that records what the engine does with it; the real one needs a browser (see e2e/). */
class RecordingLink implements PeerLink {
  received: SignalData[] = [];
  destroyed = false;
  constructor(
    readonly options: PeerLinkOptions,
    readonly handlers: PeerLinkHandlers,
  ) {}
  signal(data: SignalData): void {
    this.received.push(data);
  }
  getStats(): Promise<RTCStatsReport> {
    return Promise.resolve(new Map() as unknown as RTCStatsReport);
  }
  destroy(): void {
    this.destroyed = true;
  }
}

function setup() {
  const links: RecordingLink[] = [];
  const sent: { to: string; data: SignalData }[] = [];
  const events = { onRemoteStream: vi.fn(), onLinkState: vi.fn() } satisfies MeshEvents;
  const mesh = new Mesh({
    createLink: (options, handlers) => {
      const link = new RecordingLink(options, handlers);
      links.push(link);
      return link;
    },
    sendSignal: (to, data) => sent.push({ to, data }),
    localStream: null,
    iceServers: [],
    events,
  });
  return { mesh, links, sent, events };
}

const peer = (id: string) => ({ id, name: id, role: 'participant' as const });
const offer: SignalData = { type: 'offer', sdp: 'v=0\r\n' };

describe('Mesh', () => {
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

  it('reports a failed link, but not the late close of a link it already replaced', () => {
    const { mesh, links, events } = setup();
    mesh.connect(peer('a'), true);
    mesh.connect(peer('a'), true);
    expect(links[0]!.destroyed).toBe(true);
    links[0]!.handlers.onClose(new Error('old'));
    expect(events.onLinkState).not.toHaveBeenCalledWith('a', 'failed', expect.anything());
    links[1]!.handlers.onClose(new Error('ice failed'));
    expect(events.onLinkState).toHaveBeenCalledWith('a', 'failed', new Error('ice failed'));
    expect(mesh.has('a')).toBe(false);
  });

  it('hands remote streams to the session with the participant id', () => {
    const { mesh, links, events } = setup();
    mesh.connect(peer('a'), false);
    const stream = {} as MediaStream;
    links[0]!.handlers.onStream(stream);
    expect(events.onRemoteStream).toHaveBeenCalledWith('a', stream);
  });
});
