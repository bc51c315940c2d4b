import type { ErrorCode, JoinOk, LobbyKnock, Peer, RecordingInfo, Role, RoomState } from '@conclave/protocol';
import { E2eeSession, type EncryptionMode } from '../e2ee/e2ee-session.js';
import type { IdentityKeys } from '../e2ee/identity.js';
import { openTrack } from '../media/devices.js';
import { Mesh } from '../mesh/mesh.js';
import { isE2eeMessage, type ChatMessage, type PeerMessage, type Presence } from '../mesh/peer-messages.js';
import { assessQuality, sampleStats, SpeakerDetector, type StatsSample } from '../mesh/quality.js';
import { createSimplePeerLink } from '../mesh/simple-peer-link.js';
import { SignalingClient } from '../signaling/signaling-client.js';
import { keepChat, loadChat } from '../storage/chat-history.js';
import type { StoredChat } from '../storage/db.js';
import { loadIdentity } from '../storage/trust.js';
import { newRemote, type RemoteParticipant } from './remote.js';

export type MeetingStatus =
  | 'idle'
  | 'joining'
  | 'knocking'
  | 'joined'
  | 'reconnecting'
  | 'failed'
  | 'refused'
  | 'removed'
  | 'left';

/** Why joining failed, as a message key; `locked` and `bad-password` come with a way forward. */
export type JoinProblem = ErrorCode | 'unreachable';

export interface JoinChoice {
  name: string;
  stream: MediaStream | null;
  audioOn: boolean;
  videoOn: boolean;
  password?: string;
  /** Accepted a compliance room's recording notice. */
  acknowledgeRecording?: true;
}

/** What a person decided about being recorded; sent to the recorder, which logs it. */
export type Consent = 'undecided' | 'consented' | 'declined';

/** The text version of the recording notice the UI shows (the recorder's notice log names it). */
export const RECORDING_NOTICE = 'recording-notice-v1';
export const COMPLIANCE_NOTICE = 'compliance-notice-v1';

export interface Notice {
  id: number;
  key:
    | 'notice.joined'
    | 'notice.left'
    | 'notice.knock'
    | 'notice.reconnected'
    | 'notice.hand'
    | 'notice.screen'
    | 'recording.alert.disk-full'
    | 'recording.alert.upload-failing'
    | 'recording.alert.recovered';
  name: string;
}

/** How often link statistics are read (quality per tile, active speaker). */
const STATS_INTERVAL_MS = 700;
const NOTICE_MS = 4000;

/**
 * One meeting as the UI sees it: local media, the remote participants, chat and notices.
 * Methods are the only way to change it; components read the getters.
 */
export class Meeting {
  #status = $state<MeetingStatus>('idle');
  #problem = $state<JoinProblem | null>(null);
  #self = $state.raw<{ id: string; role: Role; name: string } | null>(null);
  #room = $state.raw<RoomState>({ locked: false, hasPassword: false });
  #remotes = $state.raw<RemoteParticipant[]>([]);
  #speaker = $state<string | null>(null);
  #chat = $state.raw<StoredChat[]>([]);
  #notices = $state.raw<Notice[]>([]);
  #lobby = $state.raw<LobbyKnock[]>([]);
  #recording = $state.raw<RecordingInfo | null>(null);
  #consent = $state<Consent>('undecided');
  #recordingError = $state<string | null>(null);
  /** When the recording notice first appeared for this person (the notice log records it). */
  #noticeShownAt: number | null = null;
  #acknowledgedCompliance = false;

  #stream = $state.raw<MediaStream | null>(null);
  #audioOn = $state(true);
  #videoOn = $state(true);
  #hand = $state(false);
  #screen = $state.raw<MediaStream | null>(null);

  #signaling: SignalingClient | null = null;
  #mesh: Mesh | null = null;
  #e2ee: E2eeSession | null = null;
  #identity: Promise<IdentityKeys> | null = null;
  #ticket: string | null = null;
  #name = '';
  #password: string | undefined;
  #statsTimer: ReturnType<typeof setInterval> | undefined;
  #samples = new Map<string, StatsSample>();
  #speakers = new SpeakerDetector();
  #noticeId = 0;
  /** Peers that said goodbye: not re-added if the server still lists them for a while. */
  #departed = new Set<string>();

  constructor(
    readonly roomId: string,
    readonly encryption: EncryptionMode,
  ) {}

  get status(): MeetingStatus {
    return this.#status;
  }
  get problem(): JoinProblem | null {
    return this.#problem;
  }
  get self(): { id: string; role: Role; name: string } | null {
    return this.#self;
  }
  get isModerator(): boolean {
    return this.#self?.role === 'moderator';
  }
  get room(): RoomState {
    return this.#room;
  }
  get remotes(): readonly RemoteParticipant[] {
    return this.#remotes;
  }
  get activeSpeaker(): string | null {
    return this.#speaker;
  }
  get chat(): readonly StoredChat[] {
    return this.#chat;
  }
  get notices(): readonly Notice[] {
    return this.#notices;
  }
  get lobby(): readonly LobbyKnock[] {
    return this.#lobby;
  }
  get recording(): RecordingInfo | null {
    return this.#recording;
  }
  /** Someone is recording: the recorder is in the room (it cannot hide). */
  get recorderPresent(): boolean {
    return this.#remotes.some((remote) => remote.role === 'recorder');
  }
  get consent(): Consent {
    return this.#consent;
  }
  get recordingError(): string | null {
    return this.#recordingError;
  }
  /** Whether this person may start or stop the recording here. */
  get canControlRecording(): boolean {
    const recording = this.#recording;
    if (!recording?.url || recording.compliance) return false;
    return recording.policy === 'anyone' || this.isModerator;
  }
  get localStream(): MediaStream | null {
    return this.#stream;
  }
  get audioOn(): boolean {
    return this.#audioOn;
  }
  get videoOn(): boolean {
    return this.#videoOn;
  }
  get hasCamera(): boolean {
    return (this.#stream?.getVideoTracks().length ?? 0) > 0;
  }
  get hasMicrophone(): boolean {
    return (this.#stream?.getAudioTracks().length ?? 0) > 0;
  }
  get handRaised(): boolean {
    return this.#hand;
  }
  get screen(): MediaStream | null {
    return this.#screen;
  }
  /** Whoever shares a screen (self first), for the presentation layout. */
  get presenter(): string | null {
    if (this.#screen) return this.#self?.id ?? null;
    return this.#remotes.find((remote) => remote.presence.screen && remote.streams.has(remote.presence.screen))?.id ?? null;
  }

  // ---- joining ----

  /** Connects to the server while the person is still on the pre-join page. */
  prepare(): void {
    this.#identity ??= loadIdentity();
    this.#signaling ??= this.#newSignaling();
    this.#signaling.connect();
  }

  /**
   * Joins with the media chosen on the pre-join page (possibly none). The meeting owns
   * the stream once joined and stops it when it ends; if joining fails, the stream is
   * handed back (the pre-join page still shows it).
   */
  async join(choice: JoinChoice): Promise<void> {
    if (this.#status === 'joining' || this.#status === 'joined') return;
    this.#take(choice);
    await this.#enter();
  }

  /** Asks a moderator to let us into the locked room; `admitted` then joins. */
  async knock(choice: JoinChoice): Promise<void> {
    this.#take(choice);
    this.#signaling ??= this.#newSignaling();
    this.#status = 'knocking';
    const signaling = this.#signaling;
    const reply = await signaling.knock({ room: this.roomId, name: this.#name });
    if (this.#signaling !== signaling) return; // left while knocking
    if (reply.ok) {
      this.#ticket = reply.ticket;
      return;
    }
    if (reply.error.code === 'not-locked') return this.#enter();
    this.#failJoin(reply.error.code);
  }

  #take(choice: JoinChoice): void {
    this.#problem = null;
    this.#name = choice.name;
    this.#password = choice.password;
    if (choice.acknowledgeRecording) this.#acknowledgedCompliance = true;
    this.#stream = choice.stream;
    this.#audioOn = choice.audioOn;
    this.#videoOn = choice.videoOn;
    this.#applyEnabled();
  }

  #failJoin(code: ErrorCode): void {
    this.#signaling?.close();
    this.#signaling = null;
    this.#problem = code === 'internal' ? 'unreachable' : code;
    this.#stream = null; // back to the pre-join page, which owns it again
    this.#status = 'failed';
  }

  leave(): void {
    // Peers hear it directly, and at once; the server's peer-left confirms it.
    const mesh = this.#mesh;
    clearInterval(this.#statsTimer);
    mesh?.broadcast({ t: 'bye' });
    this.#mesh = null;
    // A moment for the goodbye to leave the data channels before the connections close.
    if (mesh) setTimeout(() => mesh.close(), 200);
    this.#teardown();
    this.#stopLocal();
    this.#status = 'left';
  }

  async #enter(): Promise<void> {
    this.#status = 'joining';
    this.#signaling ??= this.#newSignaling();
    const signaling = this.#signaling;
    this.#identity ??= loadIdentity();
    const identity = await this.#identity;
    const reply = await signaling.join({
      room: this.roomId,
      name: this.#name,
      ...(this.#password ? { password: this.#password } : {}),
      ...(this.#ticket ? { ticket: this.#ticket } : {}),
      ...(this.#acknowledgedCompliance ? { acknowledgeRecording: true as const } : {}),
    });
    // Left (or started over) while waiting for the answer: this join is not wanted any more.
    if (this.#signaling !== signaling) {
      if (reply.ok) signaling.close();
      return;
    }
    this.#ticket = null;
    if (!reply.ok) return this.#failJoin(reply.error.code);
    this.#entered(reply, identity);
    // The newcomer makes the offers to everyone already present.
    for (const peer of reply.peers) this.#connectTo(peer, true);
  }

  #newSignaling(): SignalingClient {
    return new SignalingClient({
      onPeerJoined: (peer) => {
        this.#connectTo(peer, false);
        this.#notify('notice.joined', peer.name);
      },
      onPeerLeft: (peerId) => {
        this.#departed.delete(peerId);
        const name = this.#remotes.find((remote) => remote.id === peerId)?.name;
        this.#removeRemote(peerId);
        if (name !== undefined) this.#notify('notice.left', name);
      },
      onPeerUpdated: (peer) => this.#peerUpdated(peer),
      onRoomUpdated: (state) => (this.#room = state),
      onSignal: (from, data) => {
        if (!this.#mesh?.receiveSignal(from, data)) console.warn(`conclave: signal from unknown participant ${from}`);
      },
      onReconnectPeer: (from) => this.#mesh?.receiveReconnect(from),
      onConnectionLost: () => {
        if (this.#status === 'joined') this.#status = 'reconnecting';
      },
      onResumed: (reply) => this.#resumed(reply),
      onSessionLost: () => this.#rejoin(),
      onRemoved: () => {
        this.#teardown();
        this.#stopLocal();
        this.#status = 'removed';
      },
      onLobbyKnock: (knock) => {
        this.#lobby = [...this.#lobby.filter((entry) => entry.id !== knock.id), knock];
        this.#notify('notice.knock', knock.name);
      },
      onLobbyLeft: (id) => (this.#lobby = this.#lobby.filter((entry) => entry.id !== id)),
      onAdmitted: () => void this.#enter(),
      onRefused: () => {
        this.#signaling?.close();
        this.#signaling = null;
        this.#status = 'refused';
      },
    });
  }

  #entered(reply: JoinOk, identity: IdentityKeys): void {
    this.#self = { id: reply.id, role: reply.role, name: this.#name };
    this.#room = reply.room;
    this.#mesh?.close();
    this.#e2ee?.close();
    const signaling = this.#signaling;
    const e2ee = this.#newE2ee(identity);
    const mesh = new Mesh({
      selfId: reply.id,
      createLink: createSimplePeerLink,
      media: (linkId) => e2ee.mediaHooks(linkId),
      signaling: {
        sendSignal: (to, data) => signaling?.sendSignal(to, data),
        requestReconnect: (to) => signaling?.requestReconnect(to),
      },
      iceServers: reply.iceServers,
      iceTransportPolicy: reply.iceTransportPolicy,
      events: {
        onTrack: (peerId, _track, stream) => this.#addStream(peerId, stream),
        onLinkState: (peerId, link) => this.#updateRemote(peerId, { link }),
        onLinkOpen: (peerId, link) => {
          mesh.send(peerId, { t: 'presence', ...this.#presence() });
          const recorder = this.#isRecorder(peerId);
          // The recorder gets keys (so media) only from those who consented.
          e2ee.linkOpened(peerId, reply.id, link, recorder && this.#consent !== 'consented');
          if (recorder) this.#tellRecorder(peerId);
        },
        onLinkClosed: (peerId, linkId) => e2ee.linkClosed(peerId, linkId),
        onMessage: (peerId, message, linkId) => (isE2eeMessage(message) ? e2ee.message(linkId, message) : this.#received(peerId, message)),
      },
    });
    this.#e2ee = e2ee;
    mesh.setCamera(this.#stream);
    if (this.#screen) mesh.startScreen(this.#screen);
    this.#mesh = mesh;
    this.#remotes = [];
    this.#recording = reply.recording;
    // In a compliance room, accepting the notice to join is the consent.
    if (reply.recording.compliance && this.#acknowledgedCompliance) {
      this.#consent = 'consented';
      this.#noticeShownAt ??= Date.now();
      // Always recorded: whoever finds no recorder starts one (the service keeps one per room).
      setTimeout(() => {
        if (this.#status === 'joined' && !this.recorderPresent) void this.startRecording();
      }, 1000);
    }
    this.#status = 'joined';
    this.#startStats();
    void loadChat(this.roomId).then((history) => {
      const known = new Set(this.#chat.map((message) => message.id));
      this.#chat = [...history.filter((message) => !known.has(message.id)), ...this.#chat].sort((a, b) => a.at - b.at);
    });
    if (reply.role === 'moderator') void this.#loadLobby();
  }

  #newE2ee(identity: IdentityKeys): E2eeSession {
    const testing = (key: string) => localStorage.getItem(key);
    const session = new E2eeSession({
      roomId: this.roomId,
      mode: this.encryption,
      identity,
      send: (peerId, message) => this.#mesh?.send(peerId, message),
      nameOf: (peerId) => this.#remotes.find((remote) => remote.id === peerId)?.name ?? '',
      onChange: (peerId, security) => this.#updateRemote(peerId, { security }),
      onRebuildAll: () => this.#mesh?.rebuildAll(),
      // Test aids, off unless a test sets them: a faster ratchet and a look at frames before and after encryption.
      ...(Number(testing('conclave.ratchetIntervalMs')) > 0 ? { ratchetIntervalMs: Number(testing('conclave.ratchetIntervalMs')) } : {}),
      capture: testing('conclave.e2eeCapture') === '1',
    });
    if (testing('conclave.e2eeCapture') === '1') {
      Object.assign(window, { __conclaveCaptured: () => session.captured(), __conclaveCounters: () => session.counters() });
    }
    return session;
  }

  /** Back with the same id: keep every working link, and catch up on who came and went meanwhile. */
  #resumed(reply: JoinOk): void {
    this.#self = { id: reply.id, role: reply.role, name: this.#name };
    this.#room = reply.room;
    for (const remote of this.#remotes) {
      if (!reply.peers.some((peer) => peer.id === remote.id)) this.#removeRemote(remote.id);
    }
    // Newcomers made us offers while we were away; they arrive right after this reply.
    for (const peer of reply.peers) if (!this.#mesh?.has(peer.id)) this.#connectTo(peer, false);
    this.#status = 'joined';
  }

  /** Our seat is gone: join again as a newcomer (new id, fresh links), with the same media. */
  #rejoin(): void {
    const stream = this.#stream;
    this.#teardown();
    void this.#enter().then(() => {
      // Could not get back in (locked meanwhile, full): release the devices we still hold.
      if (this.#status === 'failed') for (const track of stream?.getTracks() ?? []) track.stop();
    });
  }

  /** Those who knocked before we joined as moderator (later ones arrive as lobby-knock). */
  async #loadLobby(): Promise<void> {
    const reply = await this.#signaling?.lobby();
    if (reply?.ok) this.#lobby = reply.lobby;
  }

  #teardown(): void {
    clearInterval(this.#statsTimer);
    this.#mesh?.close();
    this.#mesh = null;
    this.#e2ee?.close();
    this.#e2ee = null;
    this.#signaling?.close();
    this.#signaling = null;
    this.#remotes = [];
    this.#lobby = [];
    this.#samples.clear();
  }

  #stopLocal(): void {
    for (const track of [...(this.#stream?.getTracks() ?? []), ...(this.#screen?.getTracks() ?? [])]) track.stop();
    this.#stream = null;
    this.#screen = null;
  }

  // ---- local media ----

  toggleAudio(): void {
    if (!this.hasMicrophone) return;
    this.#audioOn = !this.#audioOn;
    this.#applyEnabled();
    this.#announce();
  }

  toggleVideo(): void {
    if (!this.hasCamera) return;
    this.#videoOn = !this.#videoOn;
    this.#applyEnabled();
    this.#announce();
  }

  toggleHand(): void {
    this.#hand = !this.#hand;
    this.#announce();
  }

  async startScreenShare(): Promise<void> {
    if (this.#screen) return;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    } catch {
      return; // the person closed the picker
    }
    // Ending the share from the browser's own bar must end it here too.
    stream.getVideoTracks()[0]?.addEventListener('ended', () => this.stopScreenShare());
    this.#screen = stream;
    this.#mesh?.startScreen(stream);
    this.#announce();
  }

  stopScreenShare(): void {
    const screen = this.#screen;
    if (!screen) return;
    this.#mesh?.stopScreen();
    for (const track of screen.getTracks()) track.stop();
    this.#screen = null;
    this.#announce();
  }

  /** Switches camera or microphone on every link without renegotiation. */
  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    const stream = this.#stream;
    if (!stream) return;
    const next = await openTrack(kind, deviceId);
    const old = kind === 'video' ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
    next.enabled = kind === 'video' ? this.#videoOn : this.#audioOn;
    if (old) {
      this.#mesh?.replaceTrack(old, next);
      stream.removeTrack(old);
      old.stop();
      if (kind === 'video') this.#mesh?.broadcast({ t: 'camera-switched' });
    }
    stream.addTrack(next);
    // A new MediaStream object makes the self view pick up the new track.
    this.#stream = new MediaStream(stream.getTracks());
    this.#mesh?.setCamera(stream);
  }

  #applyEnabled(): void {
    for (const track of this.#stream?.getAudioTracks() ?? []) track.enabled = this.#audioOn;
    for (const track of this.#stream?.getVideoTracks() ?? []) track.enabled = this.#videoOn;
  }

  #presence(): Presence {
    return {
      audio: this.hasMicrophone && this.#audioOn,
      video: this.hasCamera && this.#videoOn,
      hand: this.#hand,
      camera: this.#stream?.id ?? null,
      screen: this.#screen?.id ?? null,
    };
  }

  #announce(): void {
    this.#mesh?.broadcast({ t: 'presence', ...this.#presence() });
  }

  // ---- chat ----

  /** Sends a chat message to everyone over the peer data channels; the server never sees it. */
  sendChat(text: string): boolean {
    const trimmed = text.trim();
    if (!trimmed || !this.#mesh || !this.#self) return false;
    const message: ChatMessage = { t: 'chat', id: crypto.randomUUID(), text: trimmed, at: Date.now() };
    // Only to peers whose keys the room secret confirmed: never to someone in the middle.
    for (const peerId of this.#mesh.peerIds()) if (this.#e2ee?.confirmed(peerId)) this.#mesh.send(peerId, message);
    this.#keep({ room: this.roomId, id: message.id, from: this.#self.id, name: this.#name, text: trimmed, at: message.at, mine: true });
    return true;
  }

  #keep(message: StoredChat): void {
    if (this.#chat.some((known) => known.id === message.id)) return;
    this.#chat = [...this.#chat, message];
    void keepChat(message);
  }

  // ---- end-to-end encryption ----

  /** The person compared the short authentication string with this peer and it matched. */
  async verifyPeer(peerId: string): Promise<void> {
    await this.#e2ee?.verify(peerId);
  }

  /** It did not match: media with this peer stops. */
  async reportMismatch(peerId: string): Promise<void> {
    await this.#e2ee?.reportMismatch(peerId);
  }

  // ---- recording ----

  /** The person's answer to the recording notice; it reaches the recorder at once. */
  setConsent(decision: 'consented' | 'declined'): void {
    const previous = this.#consent;
    this.#consent = decision;
    for (const remote of this.#remotes.filter((candidate) => candidate.role === 'recorder')) {
      if (decision === 'consented') {
        // A link whose keys were dropped on a revocation cannot agree again: rebuild it.
        if (previous === 'declined' && remote.security.state === 'withheld' && this.#revoked.has(remote.id)) this.#mesh?.rebuild(remote.id);
        else this.#e2ee?.release(remote.id);
      } else if (previous === 'consented') {
        // Revoked: the keys go now, so not one more frame reaches the recorder.
        this.#e2ee?.withhold(remote.id);
        this.#revoked.add(remote.id);
      }
      this.#tellRecorder(remote.id, previous === 'consented' && decision === 'declined' ? 'revoked' : decision);
    }
  }

  /** Peers whose recorder link lost its keys on a revocation. */
  #revoked = new Set<string>();

  async startRecording(): Promise<void> {
    await this.#recordingRequest('start');
  }

  async stopRecording(): Promise<void> {
    await this.#recordingRequest('stop');
  }

  /**
   * Asks the server for a grant, then the recording service to act. The room secret goes
   * to the recording service only (it joins as a participant and needs it), never to the
   * signaling server.
   */
  async #recordingRequest(action: 'start' | 'stop'): Promise<void> {
    this.#recordingError = null;
    const reply = await this.#signaling?.recordingGrant(action);
    if (!reply?.ok) {
      this.#recordingError = reply?.error.message ?? 'not connected';
      return;
    }
    const encryption = this.encryption.kind === 'e2ee' ? { kind: 'e2ee', secret: bytesToBase64Url(this.encryption.roomSecret) } : { kind: 'transport' };
    try {
      const response = await fetch(`${reply.url}/api/recordings${action === 'stop' ? '/stop' : ''}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant: reply.grant, room: this.roomId, ...(action === 'start' ? { encryption } : {}) }),
      });
      if (!response.ok) this.#recordingError = ((await response.json().catch(() => null)) as { error?: string } | null)?.error ?? `HTTP ${response.status}`;
    } catch {
      this.#recordingError = 'the recording service cannot be reached';
    }
  }

  #isRecorder(peerId: string): boolean {
    return this.#remotes.find((remote) => remote.id === peerId)?.role === 'recorder';
  }

  /** The notice log entry for this person, as the recorder keeps it. */
  #tellRecorder(peerId: string, event?: 'consented' | 'declined' | 'revoked'): void {
    const now = Date.now();
    this.#noticeShownAt ??= now;
    const notice = this.#recording?.compliance ? COMPLIANCE_NOTICE : RECORDING_NOTICE;
    const state = event ?? (this.#consent === 'undecided' ? 'shown' : this.#consent);
    this.#mesh?.send(peerId, { t: 'consent', state, notice, shownAt: this.#noticeShownAt, at: now });
  }

  // ---- moderation ----

  async admit(id: string): Promise<void> {
    await this.#signaling?.moderate('admit', id);
  }
  async refuse(id: string): Promise<void> {
    await this.#signaling?.moderate('refuse', id);
  }
  async setLocked(locked: boolean): Promise<void> {
    await this.#signaling?.moderate('lock', locked);
  }
  /** Sets (or with null, clears) the password newcomers must give; true once the server took it. */
  async setPassword(password: string | null): Promise<boolean> {
    const reply = await this.#signaling?.moderate('set-password', password);
    return reply?.ok ?? false;
  }
  async removeParticipant(id: string): Promise<void> {
    await this.#signaling?.moderate('remove', id);
  }

  // ---- remote participants ----

  #connectTo(peer: Peer, initiator: boolean): void {
    if (!this.#mesh || this.#departed.has(peer.id)) return;
    if (!this.#remotes.some((remote) => remote.id === peer.id)) this.#remotes = [...this.#remotes, newRemote(peer, this.#e2ee?.security(peer.id))];
    this.#mesh.connect(peer, initiator);
  }

  #received(peerId: string, message: PeerMessage): void {
    const remote = this.#remotes.find((candidate) => candidate.id === peerId);
    if (!remote) return;
    if (message.t === 'bye') {
      this.#departed.add(peerId);
      this.#removeRemote(peerId);
      this.#notify('notice.left', remote.name);
    } else if (message.t === 'presence') {
      const { t: _t, ...presence } = message;
      if (presence.hand && !remote.presence.hand) this.#notify('notice.hand', remote.name);
      if (presence.screen && !remote.presence.screen) this.#notify('notice.screen', remote.name);
      this.#updateRemote(peerId, { presence });
    } else if (message.t === 'recorder-alert') {
      if (remote.role === 'recorder') this.#notify(`recording.alert.${message.code}`, remote.name);
    } else if (message.t === 'chat' && this.#e2ee?.confirmed(peerId)) {
      this.#keep({ room: this.roomId, id: message.id, from: peerId, name: remote.name, text: message.text, at: message.at, mine: false });
    }
  }

  #addStream(peerId: string, stream: MediaStream): void {
    const remote = this.#remotes.find((candidate) => candidate.id === peerId);
    if (!remote || remote.streams.get(stream.id) === stream) return;
    const streams = new Map(remote.streams);
    streams.set(stream.id, stream);
    this.#updateRemote(peerId, { streams });
  }

  #peerUpdated(peer: Peer): void {
    if (peer.id === this.#self?.id) {
      this.#self = { ...this.#self, role: peer.role };
      if (peer.role === 'moderator') void this.#loadLobby();
    }
    else this.#updateRemote(peer.id, { role: peer.role, name: peer.name });
  }

  #removeRemote(peerId: string): void {
    this.#mesh?.disconnect(peerId);
    this.#samples.delete(peerId);
    this.#remotes = this.#remotes.filter((remote) => remote.id !== peerId);
  }

  #updateRemote(peerId: string, change: Partial<Omit<RemoteParticipant, 'id'>>): void {
    this.#remotes = this.#remotes.map((remote) => (remote.id === peerId ? { ...remote, ...change } : remote));
  }

  // ---- statistics ----

  #startStats(): void {
    clearInterval(this.#statsTimer);
    this.#statsTimer = setInterval(() => void this.#readStats(), STATS_INTERVAL_MS);
  }

  async #readStats(): Promise<void> {
    const mesh = this.#mesh;
    if (!mesh) return;
    const levels = new Map<string, number>();
    const qualities = new Map<string, ReturnType<typeof assessQuality>>();
    await Promise.all(
      mesh.peerIds().map(async (peerId) => {
        const report = await mesh.getStats(peerId)?.catch(() => undefined);
        if (!report) return;
        const sample = sampleStats(report);
        const quality = assessQuality(this.#samples.get(peerId) ?? null, sample);
        this.#samples.set(peerId, sample);
        qualities.set(peerId, quality);
        const remote = this.#remotes.find((candidate) => candidate.id === peerId);
        if (remote?.presence.audio) levels.set(peerId, quality.audioLevel);
      }),
    );
    if (this.#mesh !== mesh) return;
    this.#remotes = this.#remotes.map((remote) => {
      const quality = qualities.get(remote.id);
      return quality && quality.level !== remote.quality?.level ? { ...remote, quality } : remote;
    });
    this.#speaker = this.#speakers.update(levels, Date.now());
  }

  // ---- notices ----

  #notify(key: Notice['key'], name: string): void {
    const notice: Notice = { id: ++this.#noticeId, key, name };
    this.#notices = [...this.#notices.slice(-4), notice];
    setTimeout(() => (this.#notices = this.#notices.filter((candidate) => candidate !== notice)), NOTICE_MS);
  }
}

function bytesToBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
