/**
 * The only place that reads process.env. Every variable is documented in the README.
 */
import { DatabaseEnv, demoEncryptionKey, withoutEmptyValues } from '@mini-crm/database';
import { z } from 'zod';
import type { EncryptionKeys, KeyVersion } from './keys/keyring.ts';

/** A key as CRM_ENCRYPTION_KEY accepts it (16+ characters); the keys of older versions too. */
const EncryptionKey = DatabaseEnv.shape.CRM_ENCRYPTION_KEY.unwrap();
const KeyVersionNumber = z.coerce.number().int().min(1).max(2_147_483_647);

/**
 * CRM_PREVIOUS_ENCRYPTION_KEYS: "1:old-key,2:newer-key". A key may hold ':' but not ','. Messages
 * name an entry by its position or version, never by its text: that is a key.
 */
const PreviousKeys = z.string().transform((text, ctx) => {
  const keys: KeyVersion[] = [];
  for (const [index, entry] of text.split(',').entries()) {
    const match = /^\s*(\d+):(.*)$/.exec(entry);
    const version = KeyVersionNumber.safeParse(match?.[1]);
    const key = match?.[2] ?? '';
    if (!version.success) {
      ctx.addIssue({ code: 'custom', message: `entry ${index + 1} must be <version>:<key>, the version 1 or more` });
    } else if (!EncryptionKey.safeParse(key).success) {
      ctx.addIssue({ code: 'custom', message: `the key of version ${version.data} must be at least 16 characters` });
    } else if (keys.some((known) => known.version === version.data)) {
      ctx.addIssue({ code: 'custom', message: `version ${version.data} is given twice` });
    } else {
      keys.push({ version: version.data, key });
    }
  }
  return keys;
});

const Env = DatabaseEnv.extend({
  /** The version of CRM_ENCRYPTION_KEY: recorded on every value it encrypts. */
  CRM_ENCRYPTION_KEY_VERSION: KeyVersionNumber.default(1),
  /** The keys of older versions, needed while credentials still use them (during a rotation). */
  CRM_PREVIOUS_ENCRYPTION_KEYS: PreviousKeys.default([]),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Honour X-Forwarded-For from a reverse proxy: "true", a hop count, or a list of proxy addresses. */
  TRUST_PROXY: z.string().default('false'),
}).superRefine((env, ctx) => {
  if (env.NODE_ENV === 'production' && !env.CRM_ENCRYPTION_KEY) {
    ctx.addIssue({
      code: 'custom',
      path: ['CRM_ENCRYPTION_KEY'],
      message: 'is required when NODE_ENV=production (credentials would be encrypted with the public demo key)',
    });
  }
  if (env.NODE_ENV === 'production' && env.CRM_ENCRYPTION_KEY === demoEncryptionKey) {
    ctx.addIssue({
      code: 'custom',
      path: ['CRM_ENCRYPTION_KEY'],
      message: 'must not be the public demo key when NODE_ENV=production',
    });
  }
  if (env.CRM_PREVIOUS_ENCRYPTION_KEYS.some((key) => key.version === env.CRM_ENCRYPTION_KEY_VERSION)) {
    ctx.addIssue({
      code: 'custom',
      path: ['CRM_PREVIOUS_ENCRYPTION_KEYS'],
      message: `holds version ${env.CRM_ENCRYPTION_KEY_VERSION}, the version of CRM_ENCRYPTION_KEY (CRM_ENCRYPTION_KEY_VERSION)`,
    });
  }
});

export type Config = z.infer<typeof Env> & {
  /** The current key (CRM_ENCRYPTION_KEY, or the demo key). */
  encryptionKey: string;
  /** Every configured key by version; the current one encrypts. */
  encryptionKeys: EncryptionKeys;
  isUsingDemoKey: boolean;
  trustProxy: TrustProxy;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(withoutEmptyValues(source));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const encryptionKey = env.CRM_ENCRYPTION_KEY ?? demoEncryptionKey;
  return {
    ...env,
    encryptionKey,
    encryptionKeys: {
      current: { version: env.CRM_ENCRYPTION_KEY_VERSION, key: encryptionKey },
      previous: env.CRM_PREVIOUS_ENCRYPTION_KEYS,
    },
    isUsingDemoKey: !env.CRM_ENCRYPTION_KEY,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
  };
}

/** Fastify's trustProxy: all proxies, none, a comma-separated list of addresses/CIDRs, or a hop count. */
export type TrustProxy = boolean | string | ((address: string, hop: number) => boolean);

function parseTrustProxy(value: string): TrustProxy {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return (_address, hop) => hop < hops;
  }
  return value;
}
