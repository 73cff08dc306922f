import { hash, verify } from '@node-rs/argon2';

// argon2id (the package default) with its defaults: 19 MiB, 2 passes, 1 lane: OWASP's minimum recommendation.
export const hashPassword = (password: string): Promise<string> => hash(password);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // a damaged stored hash refuses the login rather than failing the request
  }
}

// Checked when the user does not exist, so an unknown name takes as long as a wrong password.
let decoy: Promise<string> | undefined;
export async function spendPasswordCheck(password: string): Promise<void> {
  decoy ??= hash('decoy password that matches nothing');
  await verifyPassword(await decoy, password);
}
