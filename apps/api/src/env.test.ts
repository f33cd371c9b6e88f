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
