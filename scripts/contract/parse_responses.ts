// Parses every response body the e2e suite captured with the zod schemas @hey-api/openapi-ts
// generated from openapi.json: a TypeScript app validating what it receives must accept all
// of them. Compiled by scripts/contract.sh (tsconfig.parse.json), run as: node build/parse_responses.js DIR
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as schemas from './client/zod.gen.js';

const dir = process.argv[2];
if (!dir) {
  throw new Error('usage: parse_responses.ts CAPTURE_DIR');
}
const byName = schemas as unknown as Record<string, { safeParse(v: unknown): { success: boolean; error?: unknown } }>;
let parsed = 0;
const failures: string[] = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const schemaName = file.split('.')[0];
  const zodName = 'z' + schemaName.replace(/_/g, '');
  const schema = byName[zodName];
  if (!schema) {
    failures.push(`${file}: the generated client has no ${zodName}`);
    continue;
  }
  const result = schema.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  if (result.success) {
    parsed += 1;
  } else {
    failures.push(`${file}: ${JSON.stringify(result.error)}`);
  }
}
if (failures.length > 0 || parsed === 0) {
  console.error(failures.join('\n') || 'no captured response to parse');
  process.exit(1);
}
console.log(`TypeScript (zod): ${parsed} captured responses parsed`);
