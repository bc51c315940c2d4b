/**
 * Where a new recording sits in the recorder's hash chain, as far as the catalog knows:
 * after a recording already ingested ('linked'), at the start ('first'), after one the
 * archive never received ('missing-previous'), or after one another recording already
 * follows ('forked': a recording was replaced, or two recorders share a chain).
 */
import { type ArchiveCatalog, type ChainStatus } from '../catalog/types.js';

export interface ChainLink {
  status: ChainStatus;
  /** The recording it follows, when that one is in the catalog. */
  previousId: string | null;
  /** Recordings already following the same predecessor, when forked. */
  siblings: string[];
}

export async function chainLink(catalog: ArchiveCatalog, previousManifestSha256: string | null): Promise<ChainLink> {
  if (previousManifestSha256 === null) return { status: 'first', previousId: null, siblings: [] };
  const [previous] = await catalog.findByManifestSha256(previousManifestSha256);
  if (!previous) return { status: 'missing-previous', previousId: null, siblings: [] };
  const siblings = (await catalog.findFollowers(previousManifestSha256)).map((recording) => recording.id);
  return { status: siblings.length > 0 ? 'forked' : 'linked', previousId: previous.id, siblings };
}
