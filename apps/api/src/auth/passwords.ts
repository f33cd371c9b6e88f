/**
 * Password hashing with bcrypt (@node-rs/bcrypt, native, off the event loop). Cost 10 is the floor
 * the issue sets and what the sample data's pgcrypto hashes use; verify() also reads those $2a$ hashes.
 */
import { hash, verify } from '@node-rs/bcrypt';

export const bcryptCost = 10;

export const hashPassword = (password: string) => hash(password, bcryptCost);

export async function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  try {
    return await verify(password, passwordHash);
  } catch {
    return false; // a malformed stored hash signs nobody in
  }
}

/**
 * A real hash of a random password, compared against when the e-mail names no account, so an
 * unknown e-mail takes as long to refuse as a wrong password (no account enumeration by timing).
 */
let decoyHash: Promise<string> | undefined;
export const decoyPasswordHash = () => {
  decoyHash ??= hashPassword(crypto.randomUUID());
  return decoyHash;
};
