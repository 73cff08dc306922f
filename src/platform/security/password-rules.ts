import { invalid } from '../errors.js';

export const PASSWORD_MIN_LENGTH = 12;
// argon2 hashes any length, but a megabyte "password" is only a way to burn CPU on the login route.
export const PASSWORD_MAX_LENGTH = 256;

// Length matters most (NIST SP 800-63B 5.1.1.2); beyond it, refuse what a guesser tries first.
const COMMON = new Set([
  'password1234',
  'password12345',
  'password123456',
  '123456789012',
  '1234567890123',
  'qwertyuiopas',
  'qwerty123456',
  'letmein12345',
  'administrator',
  'welcome12345',
  'changeme1234',
  'lantern12345',
  'lanternlantern',
]);

/** Refuses a password that breaks the rules, naming the rule; composition rules are left out on purpose. */
export function checkPasswordRules(password: string, user: { username: string; displayName?: string }): void {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw invalid(`the password must have at least ${PASSWORD_MIN_LENGTH} characters`);
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    throw invalid(`the password must have at most ${PASSWORD_MAX_LENGTH} characters`);
  }
  const lower = password.toLowerCase();
  const names = [user.username, user.displayName ?? ''].map((n) => n.trim().toLowerCase()).filter(Boolean);
  if (names.some((name) => name.length >= 3 && lower.includes(name))) {
    throw invalid('the password must not contain the user name or display name');
  }
  if (new Set(password).size < 4) throw invalid('the password must have at least 4 different characters');
  if (COMMON.has(lower) || isRun(lower)) throw invalid('the password is too easy to guess');
}

/** abcdefghijkl, 987654321098: every character one step from the last. */
function isRun(text: string): boolean {
  const steps = new Set<number>();
  for (let i = 1; i < text.length; i++) steps.add(text.charCodeAt(i) - text.charCodeAt(i - 1));
  const all = (allowed: number[]) => [...steps].every((s) => allowed.includes(s));
  return steps.size === 1 || all([1, -9]) || all([-1, 9]);
}
