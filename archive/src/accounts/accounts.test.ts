/** Accounts and sessions: the same tests against SQLite and a real PostgreSQL server. */
import { describe, expect, it } from 'vitest';
import { archiveBackends } from '../testing/backends.js';
import { IDLE_MS, LOCKOUT_FAILURES, LOCKOUT_MS, MAX_AGE_MS } from './accounts.js';

const PASSWORD = 'correct horse battery staple';

describe.each(archiveBackends('accounts'))('accounts on $name', (backend) => {
  async function fresh() {
    let now = Date.parse('2026-01-05T09:00:00Z');
    const { archive, rows } = await backend.open({ now: () => new Date(now) });
    const { accounts, audit } = archive;
    await accounts.create('claire', PASSWORD, 'archivist', { actor: 'admin' });
    return { rows, audit, accounts, advance: (ms: number) => (now += ms) };
  }

  it('logs in with the right password only, and the session knows the account and its CSRF token', async () => {
    const { accounts, audit, rows } = await fresh();
    expect(await accounts.login('claire', 'wrong password here', '10.0.0.7')).toEqual({ ok: false, reason: 'bad-credentials' });
    expect(await accounts.login('nobody', PASSWORD, '10.0.0.7')).toEqual({ ok: false, reason: 'bad-credentials' });
    const login = await accounts.login('claire', PASSWORD, '10.0.0.7');
    if (!login.ok) throw new Error('login refused');
    expect(await accounts.session(login.token)).toEqual({ account: { username: 'claire', role: 'archivist' }, csrf: login.session.csrf });
    expect(await accounts.session('forged-token')).toBeNull();
    // Neither the password nor the cookie is stored.
    const stored = JSON.stringify(await rows('SELECT * FROM accounts, sessions'));
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain(login.token);
    expect((await audit.entries({})).map((entry) => [entry.actor, entry.action])).toEqual([
      ['admin', 'account'],
      ['claire', 'login-failed'],
      ['(unknown)', 'login-failed'],
      ['claire', 'login'],
    ]);
  });

  it(`locks the account for 15 minutes after ${LOCKOUT_FAILURES} wrong passwords, even against the right one`, async () => {
    const { accounts, advance } = await fresh();
    for (let i = 1; i < LOCKOUT_FAILURES; i++) expect(await accounts.login('claire', `guess number ${i}`, 'x')).toMatchObject({ reason: 'bad-credentials' });
    expect(await accounts.login('claire', 'the last guess', 'x')).toMatchObject({ ok: false, reason: 'locked', retryAfterSeconds: LOCKOUT_MS / 1000 });
    expect(await accounts.login('claire', PASSWORD, 'x')).toMatchObject({ ok: false, reason: 'locked' });
    advance(LOCKOUT_MS + 1);
    expect(await accounts.login('claire', PASSWORD, 'x')).toMatchObject({ ok: true });
  });

  it('ends sessions after 30 minutes idle, 12 hours in all, at logout, and when the password changes', async () => {
    const { accounts, advance } = await fresh();
    const login = async () => {
      const result = await accounts.login('claire', PASSWORD, 'x');
      if (!result.ok) throw new Error('login refused');
      return result.token;
    };
    const idle = await login();
    advance(IDLE_MS + 1);
    expect(await accounts.session(idle)).toBeNull();

    const busy = await login();
    for (let used = 0; used < MAX_AGE_MS; used += IDLE_MS / 2) {
      expect(await accounts.session(busy)).not.toBeNull();
      advance(IDLE_MS / 2);
    }
    advance(1);
    expect(await accounts.session(busy)).toBeNull();

    const out = await login();
    await accounts.logout(out, 'claire');
    expect(await accounts.session(out)).toBeNull();

    const changed = await login();
    await accounts.create('claire', 'a brand new passphrase', 'auditor', { actor: 'admin', replace: true });
    expect(await accounts.session(changed)).toBeNull();
  });

  it('refuses bad names, roles, short passwords and a second account of the same name', async () => {
    const { accounts } = await fresh();
    await expect(accounts.create('../etc', PASSWORD, 'archivist', { actor: 'admin' })).rejects.toThrow(/username/);
    await expect(accounts.create('bob', PASSWORD, 'root' as 'admin', { actor: 'admin' })).rejects.toThrow(/role/);
    await expect(accounts.create('bob', 'short', 'admin', { actor: 'admin' })).rejects.toThrow(/at least 12/);
    await expect(accounts.create('claire', PASSWORD, 'admin', { actor: 'admin' })).rejects.toThrow(/already exists/);
  });
});
