export { configSchema, listSettings, type LanternConfig, type SettingInfo } from './schema.js';
export { loadConfig, ConfigError, type LoadConfigOptions } from './load.js';
export { renderConfigExample } from './example.js';
