/**
 * Names as searched: lower case and without accents, so that "elodie" finds "Élodie" and
 * "ÉLODIE". NOCASE in SQLite folds ASCII only, hence this key stored beside each name.
 */
export function nameKey(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().normalize('NFC');
}
