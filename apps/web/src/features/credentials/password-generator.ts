/**
 * Passwords for the credential form, from the browser's cryptographic random source
 * (crypto.getRandomValues; never Math.random). Rejection sampling keeps every character equally
 * likely, and a password is drawn again until it holds each kind of character it may use.
 */

const lower = 'abcdefghijkmnopqrstuvwxyz';
const upper = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const digits = '23456789';
const symbols = '!#$%&*+-=?@^_~';

export const minLength = 8;
export const maxLength = 128;
export const defaultLength = 20;

export type GeneratorOptions = { length: number; useSymbols: boolean };

/** `count` uniformly random indexes below `size` (size ≤ 256). */
function randomIndexes(count: number, size: number): number[] {
  // The largest multiple of size below 256: bytes at or above it would favour the first characters.
  const limit = 256 - (256 % size);
  const indexes: number[] = [];
  const bytes = new Uint8Array(count * 2);
  while (indexes.length < count) {
    crypto.getRandomValues(bytes);
    for (const byte of bytes) {
      if (byte < limit && indexes.length < count) indexes.push(byte % size);
    }
  }
  return indexes;
}

export function generatePassword({ length, useSymbols }: GeneratorOptions): string {
  const size = Math.min(maxLength, Math.max(minLength, Math.trunc(length)));
  const classes = useSymbols ? [lower, upper, digits, symbols] : [lower, upper, digits];
  const alphabet = classes.join('');
  for (;;) {
    const password = randomIndexes(size, alphabet.length)
      .map((index) => alphabet[index])
      .join('');
    if (classes.every((chars) => [...password].some((char) => chars.includes(char)))) return password;
  }
}
