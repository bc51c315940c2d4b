import type { Page } from '@playwright/test';
import type { RelayedSignal } from '@conclave/protocol';
import type { SignalInterceptor } from '@conclave/signaling';

/**
 * A malicious signaling server that sits in the middle of DTLS, as a compromised server
 * would: it answers the newcomer's offer itself and makes its own offer to the other
 * participant, with its own certificates (so it rewrites every `a=fingerprint`). A page
 * of the test browser runs its two RTCPeerConnections. It relays the data channel both
 * ways, rewriting the fingerprints the clients announce in their E2EE hellos so that
 * each matches what the other's session description says, and it sends its own camera
 * to the first participant, posing as the newcomer.
 *
 * The page script is a string: functions handed to Playwright are serialised, and the
 * test loader's helpers would not exist in the page.
 */
const MITM_SCRIPT = `
window.mitm = (() => {
  const peers = {};
  const relayed = [];
  const other = (side) => (side === 'newcomer' ? 'first' : 'newcomer');
  const fingerprintOf = (pc) => /^a=fingerprint:(\\S+ \\S+)/m.exec(pc.localDescription?.sdp ?? '')?.[1] ?? '';
  let chain = Promise.resolve();

  // The fingerprint is rewritten when the message leaves for its receiver, not when it
  // arrives: until then the middle's connection to the receiver may have no local
  // description yet (its offer waits for the camera).
  function rewrite(target, text) {
    try {
      const message = JSON.parse(text);
      if (message.t !== 'e2ee-hello') return text;
      // What the receiver's session description says: the middle's own certificate.
      message.fingerprint = fingerprintOf(target.pc);
      return JSON.stringify(message);
    } catch {
      return text;
    }
  }

  function relay(fromSide, text) {
    try { relayed.push(JSON.parse(text).t); } catch {}
    const target = peers[other(fromSide)];
    if (target?.dc?.readyState === 'open') target.dc.send(rewrite(target, text));
    else target?.queue.push(text);
  }

  function setup(side) {
    const pc = new RTCPeerConnection();
    const entry = { pc, dc: null, queue: [] };
    peers[side] = entry;
    pc.onicecandidate = (event) => {
      if (event.candidate) window.mitmSignal(side, { type: 'candidate', candidate: { candidate: event.candidate.candidate, sdpMLineIndex: event.candidate.sdpMLineIndex, sdpMid: event.candidate.sdpMid } });
    };
    entry.bind = (dc) => {
      entry.dc = dc;
      dc.onopen = () => { for (const text of entry.queue.splice(0)) dc.send(rewrite(entry, text)); };
      dc.onmessage = (event) => relay(side, event.data);
    };
    pc.ondatachannel = (event) => entry.bind(event.channel);
    return entry;
  }

  async function handle(side, data) {
    if (data.type === 'offer' && side === 'newcomer' && !peers.newcomer) {
      const toNewcomer = setup('newcomer');
      await toNewcomer.pc.setRemoteDescription(data);
      const answer = await toNewcomer.pc.createAnswer();
      await toNewcomer.pc.setLocalDescription(answer);
      window.mitmSignal('newcomer', { type: 'answer', sdp: answer.sdp });
      const toFirst = setup('first');
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: true });
      for (const track of stream.getTracks()) toFirst.pc.addTrack(track, stream);
      toFirst.bind(toFirst.pc.createDataChannel('mitm'));
      const offer = await toFirst.pc.createOffer();
      await toFirst.pc.setLocalDescription(offer);
      window.mitmSignal('first', { type: 'offer', sdp: offer.sdp });
    } else if (data.type === 'answer' && side === 'first') {
      await peers.first.pc.setRemoteDescription(data);
    } else if (data.type === 'candidate' && data.candidate?.candidate && peers[side]) {
      await peers[side].pc.addIceCandidate(data.candidate).catch(() => {});
    }
  }

  return {
    receive: (side, data) => (chain = chain.then(() => handle(side, data)).catch((error) => console.error('mitm', error))),
    connected: () => Object.values(peers).filter((peer) => peer.dc?.readyState === 'open').length,
    relayed: () => relayed.slice(),
  };
})();
`;

type Side = 'newcomer' | 'first';

/** Sets up the middle's page; returns the interceptor to give the test server. */
export async function manInTheMiddle(
  page: Page,
): Promise<{ interceptSignal: SignalInterceptor; connectedChannels(): Promise<number>; relayedTypes(): Promise<string[]> }> {
  const ids: Partial<Record<Side, string>> = {};
  let deliver: ((to: string, message: RelayedSignal) => void) | null = null;
  let queue = Promise.resolve();

  await page.exposeFunction('mitmSignal', (side: Side, data: RelayedSignal['data']) => {
    const to = ids[side];
    const posingAs = ids[side === 'newcomer' ? 'first' : 'newcomer'];
    if (to && posingAs && deliver) deliver(to, { from: posingAs, data });
  });
  // Evaluated, not added as a <script>: the app's CSP refuses inline scripts.
  await page.evaluate(`${MITM_SCRIPT}; undefined`);

  const interceptSignal: SignalInterceptor = ({ to, message }, send) => {
    deliver = send;
    // The newcomer makes the first offer: that tells who is who.
    if (!ids.newcomer && message.data.type === 'offer') {
      ids.newcomer = message.from;
      ids.first = to;
    }
    const side: Side | undefined = message.from === ids.newcomer ? 'newcomer' : message.from === ids.first ? 'first' : undefined;
    if (!side) return false;
    queue = queue.then(() => page.evaluate(([s, data]) => (window as unknown as { mitm: { receive(s: string, d: unknown): Promise<void> } }).mitm.receive(s, data), [side, message.data] as const));
    return true;
  };
  return {
    interceptSignal,
    connectedChannels: () => page.evaluate(() => (window as unknown as { mitm: { connected(): number } }).mitm.connected()),
    relayedTypes: () => page.evaluate(() => (window as unknown as { mitm: { relayed(): string[] } }).mitm.relayed()),
  };
}
