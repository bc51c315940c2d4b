import { db } from './db.js';

/** Settings remembered on this device between meetings. */
export interface Preferences {
  displayName: string;
  cameraId: string | null;
  microphoneId: string | null;
  language: 'en' | 'fr' | null;
}

const DEFAULTS: Preferences = { displayName: '', cameraId: null, microphoneId: null, language: null };

export async function loadPreferences(): Promise<Preferences> {
  try {
    const rows = await db().prefs.bulkGet(Object.keys(DEFAULTS));
    const stored = Object.fromEntries(rows.filter((row) => row !== undefined).map((row) => [row.key, row.value]));
    return { ...DEFAULTS, ...stored } as Preferences;
  } catch (error) {
    // Private browsing or a full disk: the app works, it just forgets.
    console.warn('conclave: preferences unavailable', error);
    return { ...DEFAULTS };
  }
}

export async function savePreferences(change: Partial<Preferences>): Promise<void> {
  try {
    await db().prefs.bulkPut(Object.entries(change).map(([key, value]) => ({ key, value })));
  } catch (error) {
    console.warn('conclave: could not save preferences', error);
  }
}
