import type { Command } from 'commander';
import type { Logger } from '../../platform/log/index.js';
import type { Security } from '../../platform/security/index.js';
import { createApiKey, listApiKeys, revokeApiKey } from './apikey-commands.js';
import { verifyAuditTrail } from './audit-command.js';
import { makeEvaluationCertificate } from './cert-command.js';
import { addUser, listUsers, setUserDisabled, setUserPassword } from './user-commands.js';

type WithSecurity = <T>(run: (security: Security, log: Logger) => Promise<T>) => Promise<T>;

/** A password from standard input (its first line), so it never shows in `ps` or shell history. */
async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (!password) throw new Error('--password-stdin: nothing on standard input');
  return password;
}

/** `lantern user …`, `lantern apikey …`, `lantern cert`, `lantern audit verify`. */
export function registerSecurityCommands(
  program: Command,
  withSecurity: WithSecurity,
  dataDir: () => string,
): void {
  const user = program.command('user').description('local users: add, passwd, disable, enable, list');
  user
    .command('add <username>')
    .description(
      'add a user; without --password-stdin a one-time password is printed (changed at first login)',
    )
    .requiredOption(
      '--role <role...>',
      'administrator, radiologist, technologist, clerk, referring-physician, researcher, auditor',
    )
    .option('--display-name <name>')
    .option('--password-stdin', 'read the password from standard input')
    .action(
      async (
        username: string,
        options: { role: string[]; displayName?: string; passwordStdin?: boolean },
      ) => {
        const password = options.passwordStdin ? await readPasswordFromStdin() : undefined;
        console.log(
          await withSecurity((security, log) =>
            addUser(security, log, {
              username,
              roles: options.role,
              displayName: options.displayName,
              password,
            }),
          ),
        );
      },
    );
  user
    .command('passwd <username>')
    .description(
      'set a password (from stdin) or print a one-time one; also lifts a lockout and ends sessions',
    )
    .option('--password-stdin', 'read the password from standard input')
    .action(async (username: string, options: { passwordStdin?: boolean }) => {
      const password = options.passwordStdin ? await readPasswordFromStdin() : undefined;
      console.log(await withSecurity((security, log) => setUserPassword(security, log, username, password)));
    });
  user
    .command('disable <username>')
    .description('disable a user: no more logins, sessions end')
    .action(async (username: string) =>
      console.log(await withSecurity((security, log) => setUserDisabled(security, log, username, true))),
    );
  user
    .command('enable <username>')
    .description('enable a disabled user again')
    .action(async (username: string) =>
      console.log(await withSecurity((security, log) => setUserDisabled(security, log, username, false))),
    );
  user
    .command('list')
    .description('list the users')
    .action(async () => console.log(await withSecurity((security, log) => listUsers(security, log))));

  const apikey = program.command('apikey').description('API keys of service accounts');
  apikey
    .command('create <name>')
    .description('create a key and print it once: use it as Authorization: Bearer <key>')
    .requiredOption('--role <role>', 'the role the key acts with')
    .action(async (name: string, options: { role: string }) =>
      console.log(await withSecurity((security, log) => createApiKey(security, log, name, options.role))),
    );
  apikey
    .command('revoke <name>')
    .description('revoke a key (at once, on every node)')
    .action(async (name: string) =>
      console.log(await withSecurity((security, log) => revokeApiKey(security, log, name))),
    );
  apikey
    .command('list')
    .description('list the keys (never their secrets)')
    .action(async () => console.log(await withSecurity((security, log) => listApiKeys(security, log))));

  program
    .command('cert')
    .description(
      'make a self-signed certificate and key for evaluation in <data>/tls, and print the settings',
    )
    .option(
      '--host <name...>',
      'host names and addresses it is for (default: localhost, 127.0.0.1, this host)',
    )
    .option('--force', 'replace an existing certificate')
    .action(async (options: { host?: string[]; force?: boolean }) =>
      console.log(
        await makeEvaluationCertificate(dataDir(), { hosts: options.host ?? [], force: !!options.force }),
      ),
    );

  program
    .command('audit')
    .description('the audit trail')
    .command('verify')
    .description('verify the hash chain of the audit trail; names the first changed or missing record')
    .action(async () => {
      const result = await withSecurity((security, log) => verifyAuditTrail(security, log));
      console.log(result.text);
      if (!result.intact) process.exitCode = 1;
    });
}
