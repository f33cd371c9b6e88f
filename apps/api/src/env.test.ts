import { demoEncryptionKey } from '@mini-crm/database';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './env.ts';

describe('loadConfig', () => {
  it('starts a developer on the embedded database and the demo key, flagged as such', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '127.0.0.1',
      CRM_DB_PORT: 54329,
      encryptionKey: demoEncryptionKey,
      encryptionKeys: { current: { version: 1, key: demoEncryptionKey }, previous: [] },
      isUsingDemoKey: true,
      trustProxy: false,
    });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', PORT: '', CRM_ENCRYPTION_KEY: '' });
    expect(config).toMatchObject({ PORT: 3000, isUsingDemoKey: true });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('requires CRM_ENCRYPTION_KEY in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /CRM_ENCRYPTION_KEY: is required when NODE_ENV=production/,
    );
    const config = loadConfig({ NODE_ENV: 'production', CRM_ENCRYPTION_KEY: 'a-real-key-of-some-length' });
    expect(config).toMatchObject({ encryptionKey: 'a-real-key-of-some-length', isUsingDemoKey: false });
  });

  it('refuses the public demo key as the production key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', CRM_ENCRYPTION_KEY: demoEncryptionKey })).toThrow(
      /CRM_ENCRYPTION_KEY: must not be the public demo key when NODE_ENV=production/,
    );
  });

  it('reads the current key version and the keys of older versions still in use', () => {
    const config = loadConfig({
      CRM_ENCRYPTION_KEY: 'the-new-key-of-version-3',
      CRM_ENCRYPTION_KEY_VERSION: '3',
      CRM_PREVIOUS_ENCRYPTION_KEYS: '1:the-first-key-ever-used, 2:a:key:with:colons:in:it',
    });
    expect(config.encryptionKeys).toEqual({
      current: { version: 3, key: 'the-new-key-of-version-3' },
      previous: [
        { version: 1, key: 'the-first-key-ever-used' },
        { version: 2, key: 'a:key:with:colons:in:it' },
      ],
    });
    // Moving off the demo key is a rotation like any other, production included.
    const leaving = loadConfig({
      NODE_ENV: 'production',
      CRM_ENCRYPTION_KEY: 'a-real-key-of-some-length',
      CRM_ENCRYPTION_KEY_VERSION: '2',
      CRM_PREVIOUS_ENCRYPTION_KEYS: `1:${demoEncryptionKey}`,
    });
    expect(leaving.encryptionKeys.previous).toEqual([{ version: 1, key: demoEncryptionKey }]);
  });

  it('says which key entry is wrong without ever printing a key', () => {
    const keys = ['short-key', 'old-key-number-one-x', 'old-key-number-two-y', 'the-current-key-value'];
    const load = () =>
      loadConfig({
        CRM_ENCRYPTION_KEY: keys[3],
        CRM_ENCRYPTION_KEY_VERSION: '2',
        CRM_PREVIOUS_ENCRYPTION_KEYS: `1:${keys[1]},no-version-${keys[2]},5:${keys[0]},1:${keys[2]},0:${keys[1]}`,
      });
    expect(load).toThrow(/CRM_PREVIOUS_ENCRYPTION_KEYS: entry 2 must be <version>:<key>/);
    expect(load).toThrow(/CRM_PREVIOUS_ENCRYPTION_KEYS: the key of version 5 must be at least 16 characters/);
    expect(load).toThrow(/CRM_PREVIOUS_ENCRYPTION_KEYS: version 1 is given twice/);
    expect(load).toThrow(/CRM_PREVIOUS_ENCRYPTION_KEYS: entry 5 must be <version>:<key>/);
    const message = (() => {
      try {
        load();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const key of keys) expect(message).not.toContain(key);

    expect(() => loadConfig({ CRM_ENCRYPTION_KEY_VERSION: '2', CRM_PREVIOUS_ENCRYPTION_KEYS: `2:${keys[1]}` })).toThrow(
      /CRM_PREVIOUS_ENCRYPTION_KEYS: holds version 2, the version of CRM_ENCRYPTION_KEY/,
    );
    expect(() => loadConfig({ CRM_ENCRYPTION_KEY_VERSION: '0' })).toThrow(/^ {2}CRM_ENCRYPTION_KEY_VERSION: /m);
  });

  it('names every invalid variable in one message', () => {
    const load = () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', CRM_ENCRYPTION_KEY: 'short' });
    expect(load).toThrow(/^ {2}PORT: /m);
    expect(load).toThrow(/^ {2}DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL$/m);
    expect(load).toThrow(/^ {2}CRM_ENCRYPTION_KEY: must be at least 16 characters$/m);
  });

  it('reads TRUST_PROXY as on/off, a hop count, or a list of proxy addresses', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }).trustProxy).toBe('10.0.0.0/8,127.0.0.1');
    const byHops = loadConfig({ TRUST_PROXY: '1' }).trustProxy;
    if (typeof byHops !== 'function') throw new Error('a hop count becomes a function');
    expect([byHops('203.0.113.9', 0), byHops('203.0.113.9', 1)]).toEqual([true, false]);
  });
});
