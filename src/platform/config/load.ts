import { existsSync, readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { configSchema, listSettings, type LanternConfig } from './schema.js';
import { parseJsonc } from './jsonc.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** A config file; when absent, `lantern.json` in the working folder is read if it exists. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values that win over everything else (command-line flags). */
  overrides?: Record<string, unknown>;
}

/** Built-in defaults, then the config file, then LANTERN_* environment variables; validated as a whole. */
export function loadConfig(options: LoadConfigOptions = {}): LanternConfig {
  const env = options.env ?? process.env;
  const file =
    options.file ?? env.LANTERN_CONFIG ?? (existsSync('lantern.json') ? 'lantern.json' : undefined);
  const problems: string[] = [];
  let raw: Record<string, unknown> = {};
  if (file !== undefined) {
    try {
      raw = parseJsonc(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError([`${file}: ${(error as Error).message}`]);
    }
  }
  for (const setting of listSettings()) {
    const text = env[setting.envName];
    if (text === undefined) continue;
    setPath(raw, setting.path, fromEnvText(text, setting.schema.type as string));
  }
  for (const [dotted, value] of Object.entries(options.overrides ?? {}))
    setPath(raw, dotted.split('.'), value);

  const config = Value.Default(configSchema, Value.Clone(raw)) as LanternConfig;
  for (const error of Value.Errors(configSchema, config)) {
    const path = error.path.replace(/^\//, '').replaceAll('/', '.');
    problems.push(
      `${path || '(root)'}: ${error.message}${error.value === undefined ? '' : ` (got ${JSON.stringify(error.value)})`}`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function fromEnvText(text: string, type: string): unknown {
  // Lists: JSON (`[{"aeTitle": …}]`) or, for simple values, comma-separated (`echo,store`).
  if (type === 'array') {
    if (text.trim().startsWith('[')) {
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    }
    return text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }
  if (type === 'integer' || type === 'number') {
    const number = Number(text);
    return text.trim() !== '' && Number.isFinite(number) ? number : text;
  }
  if (type === 'boolean')
    return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
  return text;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
