import { randomBytes } from 'node:crypto';
import { checkPasswordRules } from './password-rules.js';

/** A random password that passes the rules, for a new account that must change it at first login. */
export function oneTimePassword(username: string): string {
  for (;;) {
    const password = randomBytes(15).toString('base64url'); // 20 characters, 120 bits
    try {
      checkPasswordRules(password, { username });
      return password;
    } catch {
      // astronomically rare (the user name inside it): draw again
    }
  }
}
