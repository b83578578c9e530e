// Zips a build output directory into a Lambda deployment package. Entries are sorted and carry
// a fixed timestamp so the same build gives a byte-identical zip (CDK then sees no change).
import { createWriteStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import yazl from 'yazl';

const [sourceDir, zipPath] = process.argv.slice(2);
if (!sourceDir || !zipPath) {
  console.error('usage: zip-directory.mjs <source-dir> <out.zip>');
  process.exit(2);
}

function* walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

const zip = new yazl.ZipFile();
const mtime = new Date('2000-01-01T00:00:00Z');
let count = 0;
for (const path of walk(sourceDir)) {
  if (path.endsWith('.map') || path.endsWith('package-lock.json')) continue;
  zip.addBuffer(readFileSync(path), relative(sourceDir, path), { mtime, mode: 0o100644 });
  count++;
}
zip.end();
zip.outputStream.pipe(createWriteStream(zipPath)).on('close', () => {
  console.log(`${zipPath}: ${count} files, ${statSync(zipPath).size} bytes`);
});
