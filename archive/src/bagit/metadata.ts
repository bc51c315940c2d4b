/** metadata/dublin-core.xml (dcterms) and metadata/premis.xml (PREMIS 3) of a recording's bag. */
import { isoDuration, mediaTypeOf } from './encoding.js';
import type { BagFixityEvent, BagHold, RecordingBagInput } from './types.js';
import { el, xmlDocument, type XmlElement } from './xml.js';

/** One payload file as it ended up in the bag. */
export interface BaggedFile {
  /** Path inside the bag ("data/segments/segment-0001.mkv"). */
  bagPath: string;
  /** Path inside the recording ("segments/segment-0001.mkv"). */
  originalPath: string;
  bytes: number;
  sha256: string;
  /** True when the copy was compared with a SHA-256 the catalog expected (false for files the export wrote). */
  catalogChecked: boolean;
}

export interface MetadataContext {
  input: RecordingBagInput;
  files: BaggedFile[];
  /** When the bag was written. */
  exportedAt: Date;
  softwareAgent: string;
  requestedBy?: string;
  sourceOrganization: string;
}

const DCTERMS = 'http://purl.org/dc/terms/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const PREMIS = 'http://www.loc.gov/premis/v3';

/** Participants who agreed to be recorded at least once: only their media can be in the recording. */
export function recordedParticipants(input: RecordingBagInput): RecordingBagInput['participants'] {
  return input.participants.filter((participant) => participant.notices.some((notice) => notice.event === 'consented'));
}

export function describeRecording(input: RecordingBagInput): string {
  const recorded = recordedParticipants(input).length;
  return `Recording of the Conclave meeting room "${input.room}" from ${input.startedAt} to ${input.endedAt}: ${recorded} recorded participant${recorded === 1 ? '' : 's'}, ${input.files.length} file${input.files.length === 1 ? '' : 's'} and the recorder's signed manifest.`;
}

/** "legal hold hold-7 since 2024-06-01T00:00:00Z: litigation", leaving out what is unknown. */
export function describeHold(hold: BagHold): string {
  return `legal hold${hold.id ? ` ${hold.id}` : ''}${hold.since ? ` since ${hold.since}` : ''}: ${hold.reason}`;
}

export function describeRetention(input: RecordingBagInput): string {
  const until = input.retention.retainUntil ? `retained until ${input.retention.retainUntil}` : 'retained with no end date';
  const holds = input.retention.holds.map((hold) => describeHold(hold));
  return [until, ...holds].join('; ');
}

export function dublinCoreXml(context: MetadataContext): string {
  const { input, files } = context;
  const durationMs = Date.parse(input.endedAt) - Date.parse(input.startedAt);
  const formats = [...new Set(files.map((file) => mediaTypeOf(file.originalPath)))].sort();
  return xmlDocument(
    el(
      'metadata',
      [
        el('dcterms:title', `Conclave meeting ${input.room}, ${input.startedAt}`),
        el('dcterms:identifier', input.recordingId),
        el('dcterms:type', 'MovingImage', { 'xsi:type': 'dcterms:DCMIType' }),
        el('dcterms:description', describeRecording(input)),
        el('dcterms:created', input.startedAt, { 'xsi:type': 'dcterms:W3CDTF' }),
        el('dcterms:temporal', `start=${input.startedAt}; end=${input.endedAt}; scheme=W3C-DTF`, { 'xsi:type': 'dcterms:Period' }),
        el('dcterms:extent', isoDuration(durationMs)),
        ...recordedParticipants(input).map((participant) => el('dcterms:contributor', participant.name)),
        ...input.tags.map((tag) => el('dcterms:subject', tag)),
        ...formats.map((format) => el('dcterms:format', format, { 'xsi:type': 'dcterms:IMT' })),
        el('dcterms:publisher', context.sourceOrganization),
        el('dcterms:accessRights', describeRetention(input)),
      ],
      { 'xmlns:dcterms': DCTERMS, 'xmlns:xsi': XSI },
    ),
  );
}

const ident = (prefix: string, type: string, value: string): XmlElement =>
  el(`premis:${prefix}Identifier`, [el(`premis:${prefix}IdentifierType`, type), el(`premis:${prefix}IdentifierValue`, value)]);

interface PremisEvent {
  id: string;
  type: string;
  at: string;
  detail: string;
  outcome: 'success' | 'failure';
  outcomeNote?: string;
  agents: Array<{ id: string; role: string }>;
  objects: string[];
}

interface PremisAgent {
  id: string;
  name: string;
  type: 'software' | 'person' | 'organization';
}

const FIXITY_OUTCOMES: Record<BagFixityEvent['outcome'], PremisEvent['outcome']> = { pass: 'success', fail: 'failure', missing: 'failure' };

function eventXml(event: PremisEvent): XmlElement {
  return el('premis:event', [
    ident('event', 'local', event.id),
    el('premis:eventType', event.type),
    el('premis:eventDateTime', event.at),
    el('premis:eventDetailInformation', [el('premis:eventDetail', event.detail)]),
    el('premis:eventOutcomeInformation', [
      el('premis:eventOutcome', event.outcome),
      event.outcomeNote ? el('premis:eventOutcomeDetail', [el('premis:eventOutcomeDetailNote', event.outcomeNote)]) : null,
    ]),
    ...event.agents.map((agent) =>
      el('premis:linkingAgentIdentifier', [
        el('premis:linkingAgentIdentifierType', 'local'),
        el('premis:linkingAgentIdentifierValue', agent.id),
        el('premis:linkingAgentRole', agent.role),
      ]),
    ),
    ...event.objects.map((object) =>
      el('premis:linkingObjectIdentifier', [el('premis:linkingObjectIdentifierType', 'local'), el('premis:linkingObjectIdentifierValue', object)]),
    ),
  ]);
}

export function premisXml(context: MetadataContext): string {
  const { input, files } = context;
  const manifest = input.manifest.parsed;
  const exportedAt = context.exportedAt.toISOString();
  const entityId = `recording:${input.recordingId}`;
  const fileId = (bagPath: string): string => `${input.recordingId}/${bagPath}`;
  const byOriginal = new Map(files.map((file) => [file.originalPath, file]));

  const agents = new Map<string, PremisAgent>();
  const agent = (id: string, name: string, type: PremisAgent['type']): string => {
    if (!agents.has(id)) agents.set(id, { id, name, type });
    return id;
  };
  const software = agent(`software:${context.softwareAgent}`, context.softwareAgent, 'software');
  const recorder = agent(`recorder-key:${manifest.recorder.keyId}`, `Conclave recorder (Ed25519 key ${manifest.recorder.keyId})`, 'software');

  const events: PremisEvent[] = [];
  events.push({
    id: `${input.recordingId}/creation`,
    type: 'creation',
    at: manifest.endedAt,
    detail: `Recorded and sealed: manifest signed with Ed25519 key ${manifest.recorder.keyId}${manifest.previousManifestSha256 ? `, chained to manifest ${manifest.previousManifestSha256}` : ', first of its chain'}`,
    outcome: 'success',
    agents: [{ id: recorder, role: 'executing program' }],
    objects: [entityId],
  });
  if (input.ingestedAt) {
    events.push({
      id: `${input.recordingId}/ingestion`,
      type: 'ingestion',
      at: input.ingestedAt,
      detail: 'Catalogued by the Conclave archive',
      outcome: 'success',
      agents: [{ id: software, role: 'executing program' }],
      objects: [entityId],
    });
  }
  input.fixityEvents.forEach((fixity, i) => {
    const file = byOriginal.get(fixity.path);
    const note =
      fixity.outcome === 'missing'
        ? `file missing; expected SHA-256 ${fixity.expected}`
        : `expected SHA-256 ${fixity.expected}, found ${fixity.actual ?? 'nothing'}`;
    events.push({
      id: `${input.recordingId}/fixity-check/${i + 1}`,
      type: 'fixity check',
      at: fixity.at,
      detail: `SHA-256 of ${fixity.path} in the archive's storage`,
      outcome: FIXITY_OUTCOMES[fixity.outcome],
      outcomeNote: note,
      agents: [{ id: agent(`agent:${fixity.agent}`, fixity.agent, 'software'), role: 'executing program' }],
      objects: [file ? fileId(file.bagPath) : `${input.recordingId}/${fixity.path}`],
    });
  });
  for (const file of files) {
    if (!file.catalogChecked) continue;
    events.push({
      id: `${input.recordingId}/export-fixity/${file.bagPath}`,
      type: 'fixity check',
      at: exportedAt,
      detail: 'SHA-256 and size computed while copying into the bag, compared with the catalog',
      outcome: 'success',
      outcomeNote: `SHA-256 ${file.sha256}, ${file.bytes} bytes`,
      agents: [{ id: software, role: 'executing program' }],
      objects: [fileId(file.bagPath)],
    });
  }
  const packingAgents = [{ id: software, role: 'executing program' }];
  if (context.requestedBy) packingAgents.push({ id: agent(`person:${context.requestedBy}`, context.requestedBy, 'person'), role: 'authorizer' });
  events.push({
    id: `${input.recordingId}/packing`,
    type: 'packing',
    at: exportedAt,
    detail: `BagIt 1.0 (RFC 8493) export for ${context.sourceOrganization}`,
    outcome: 'success',
    agents: packingAgents,
    objects: [entityId, ...files.map((file) => fileId(file.bagPath))],
  });

  const entity = el(
    'premis:object',
    [
      ident('object', 'local', entityId),
      el('premis:significantProperties', [el('premis:significantPropertiesType', 'room'), el('premis:significantPropertiesValue', input.room)]),
      el('premis:significantProperties', [el('premis:significantPropertiesType', 'recorder key id'), el('premis:significantPropertiesValue', manifest.recorder.keyId)]),
      el('premis:significantProperties', [el('premis:significantPropertiesType', 'retention'), el('premis:significantPropertiesValue', describeRetention(input))]),
      el('premis:originalName', input.recordingId),
    ],
    { 'xsi:type': 'premis:intellectualEntity' },
  );
  const fileObjects = files.map((file) =>
    el(
      'premis:object',
      [
        ident('object', 'local', fileId(file.bagPath)),
        el('premis:objectCharacteristics', [
          el('premis:compositionLevel', '0'),
          el('premis:fixity', [
            el('premis:messageDigestAlgorithm', 'SHA-256'),
            el('premis:messageDigest', file.sha256),
            el('premis:messageDigestOriginator', context.softwareAgent),
          ]),
          el('premis:size', String(file.bytes)),
          el('premis:format', [el('premis:formatDesignation', [el('premis:formatName', mediaTypeOf(file.originalPath))])]),
        ]),
        el('premis:originalName', file.originalPath),
        el('premis:relationship', [
          el('premis:relationshipType', 'structural'),
          el('premis:relationshipSubType', 'is included in'),
          el('premis:relatedObjectIdentifier', [
            el('premis:relatedObjectIdentifierType', 'local'),
            el('premis:relatedObjectIdentifierValue', entityId),
          ]),
        ]),
      ],
      { 'xsi:type': 'premis:file' },
    ),
  );
  const agentElements = [...agents.values()].map((entry) =>
    el('premis:agent', [ident('agent', 'local', entry.id), el('premis:agentName', entry.name), el('premis:agentType', entry.type)]),
  );
  return xmlDocument(
    el('premis:premis', [entity, ...fileObjects, ...events.map(eventXml), ...agentElements], {
      'xmlns:premis': PREMIS,
      'xmlns:xsi': XSI,
      'xsi:schemaLocation': `${PREMIS} https://www.loc.gov/standards/premis/premis.xsd`,
      version: '3.0',
    }),
  );
}
