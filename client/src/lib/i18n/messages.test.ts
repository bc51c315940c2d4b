import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { fr } from './fr.js';

/** Every language module; English is the reference the others must match key for key. */
const languages: Record<string, Record<string, string>> = { en, fr };

/**
 * Values a language may legitimately share with English (names, words spelt the same).
 * Anything else identical to English is taken for a string left untranslated.
 */
const sameAsEnglish: Record<string, ReadonlySet<string>> = {
  fr: new Set(['Conclave', 'Microphone', 'Participants', 'Participants ({count})']),
};

const reference: Record<string, string> = en;
const referenceKeys = Object.keys(reference).sort();

const placeholders = (text: string) => [...new Set(Array.from(text.matchAll(/\{(\w+)\}/g), (match) => match[1]!))].sort();

describe.each(Object.entries(languages))('messages: %s', (language, messages) => {
  it('has exactly the English keys', () => {
    const keys = Object.keys(messages);
    expect(referenceKeys.filter((key) => !keys.includes(key)), 'missing keys').toEqual([]);
    expect(keys.filter((key) => !(key in reference)), 'extra keys').toEqual([]);
  });

  it('has no empty or blank value', () => {
    const blank = Object.entries(messages).filter(([, text]) => text.trim() === '').map(([key]) => key);
    expect(blank).toEqual([]);
  });

  it('keeps the English placeholders of every key', () => {
    const mismatched = referenceKeys
      .filter((key) => key in messages)
      .filter((key) => placeholders(messages[key]!).join() !== placeholders(reference[key]!).join())
      .map((key) => `${key}: {${placeholders(messages[key]!).join('}, {')}}`);
    expect(mismatched).toEqual([]);
  });

});

describe.each(Object.entries(languages).filter(([language]) => language !== 'en'))('translation: %s', (language, messages) => {
  it('translates every value', () => {
    const allowed = sameAsEnglish[language] ?? new Set<string>();
    const untranslated = referenceKeys.filter((key) => messages[key] === reference[key] && !allowed.has(reference[key]!));
    expect(untranslated).toEqual([]);
  });
});

describe('French typography', () => {
  const entries: [string, string][] = Object.entries(fr);

  it('uses the typographic apostrophe', () => {
    expect(entries.filter(([, text]) => text.includes("'")).map(([key]) => key)).toEqual([]);
  });

  it('puts a no-break space before : and a narrow no-break space before ; ? !', () => {
    const wrong = entries
      .filter(([, text]) => /(?:^|[^\u00a0]):|(?:^|[^\u202f])[;?!]/.test(text))
      .map(([key]) => key);
    expect(wrong).toEqual([]);
  });
});
