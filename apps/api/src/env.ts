/**
 * The only place that reads process.env. Every variable is documented in the README.
 */
import { DatabaseEnv, demoEncryptionKey, withoutEmptyValues } from '@mini-crm/database';
import { z } from 'zod';

const Env = DatabaseEnv.extend({
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
});

export type Config = z.infer<typeof Env> & {
  encryptionKey: string;
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
  return {
    ...env,
    encryptionKey: env.CRM_ENCRYPTION_KEY ?? demoEncryptionKey,
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
