import { en, type MessageKey } from './en.js';
import { fr } from './fr.js';

export type Language = 'en' | 'fr';
export const LANGUAGES: readonly { code: Language; label: string }[] = [
  { code: 'en', label: 'English' },
  { code: 'fr', label: 'Français' },
];

const dictionaries: Record<Language, Record<MessageKey, string>> = { en, fr };

/** The browser's first preferred language that we have, else English. */
export function detectLanguage(preferred: readonly string[] = globalThis.navigator?.languages ?? []): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'fr' || base === 'en') return base;
  }
  return 'en';
}

/** Fills `{name}` placeholders. */
export function format(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

class I18n {
  #language = $state<Language>(detectLanguage());

  get language(): Language {
    return this.#language;
  }

  set language(language: Language) {
    this.#language = language;
    document.documentElement.lang = language;
  }

  t(key: MessageKey, params?: Record<string, string | number>): string {
    return format(dictionaries[this.#language][key], params);
  }
}

/** The app's language; reading `t` in a template re-renders it when the language changes. */
export const i18n = new I18n();
export const t = (key: MessageKey, params?: Record<string, string | number>): string => i18n.t(key, params);
export type { MessageKey };
