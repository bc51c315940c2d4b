/** Numbers and times for people, in the portal's language. */

/** "0:05", "12:34", "1:02:03": hours only when there are some. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor(total / 60) % 60;
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

/** Bytes in decimal units (as file managers show them): "512 B", "1.5 MB"; French units are o, ko, Mo... */
export function formatBytes(bytes: number, language: string): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const number = new Intl.NumberFormat(language, { maximumFractionDigits: unit === 0 || value >= 100 ? 0 : 1 }).format(value);
  const name = language.startsWith('fr') ? (UNITS[unit] as string).replace('B', 'o') : (UNITS[unit] as string);
  return `${number}\u00a0${name}`;
}

/** A date and time, medium date and short time, in the given language and the browser's zone. */
export function formatDateTime(iso: string, language: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}

/** Only the time of day (for "locked until"). */
export function formatTimeOfDay(epochMs: number, language: string): string {
  return new Intl.DateTimeFormat(language, { timeStyle: 'short' }).format(new Date(epochMs));
}
