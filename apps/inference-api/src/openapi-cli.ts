import { writeFile } from 'node:fs/promises';
import { inferenceApiDocumentText, OPENAPI_FILE } from './openapi';

// `npx nx run inference-api:openapi`: rewrites the committed description from the zod schemas (run from the workspace root).
await writeFile(OPENAPI_FILE, inferenceApiDocumentText());
console.log(`wrote ${OPENAPI_FILE}`);
