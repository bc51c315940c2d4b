/**
 * Names as searched: lower case and without accents, so that "elodie" finds "Élodie" and
 * "ÉLODIE". NOCASE in SQLite folds ASCII only, hence this key stored beside each name.
 */
export function nameKey(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().normalize('NFC');
}

/**
 * Between a recording's name keys when they are searched as one string (SQLite's
 * search_rows.names): a combining mark, which nameKey takes out of every name and so out of
 * every fragment searched for, so that no fragment can match across two names.
 */
export const NAME_SEPARATOR = '\u0300';

export function joinedNameKeys(names: readonly string[]): string {
  return names.map(nameKey).join(NAME_SEPARATOR);
}
