import { describe, expect, it } from 'vitest';
import { joinedNameKeys, NAME_SEPARATOR, nameKey } from './names.js';

describe('name keys', () => {
  it('fold case and accents', () => {
    expect(nameKey('ÉLODIE Ñúñez')).toBe('elodie nunez');
    expect(nameKey('Zoë O’Brien')).toBe('zoe o’brien');
  });

  it('never hold the separator of joined names, so a fragment cannot match across two names', () => {
    // nameKey's steps work character by character, but for NFC's composition, which only
    // ever merges marks away: checking each character alone covers every name.
    const holding: string[] = [];
    for (let code = 0; code <= 0x10ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const key = nameKey(String.fromCodePoint(code));
      if (key.includes(NAME_SEPARATOR) || /\p{M}/u.test(key)) holding.push(code.toString(16));
    }
    expect(holding).toEqual([]);
    expect(joinedNameKeys(['Ann', 'BOB'])).toBe(`ann${NAME_SEPARATOR}bob`);
    expect(/\p{M}/u.test(NAME_SEPARATOR)).toBe(true);
  });
});
