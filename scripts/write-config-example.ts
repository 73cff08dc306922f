// Regenerates lantern.example.jsonc from the config schema.
import { writeFileSync } from 'node:fs';
import { renderConfigExample } from '../src/platform/config/index.js';

writeFileSync('lantern.example.jsonc', renderConfigExample());
console.log('wrote lantern.example.jsonc');
