/**
 * Assembles src/cell-kernels.wat into src/cell-kernels.wasm.ts: binaryen (the WebAssembly
 * toolchain's optimizer, as wasm-opt -O3) parses it, inlines the small helpers (exp, sigmoid,
 * tanh, masked store) into the kernels, which V8 does not do by itself and which halves their
 * time, and emits the binary, written as base64 so that bundlers and the apps' single-file builds
 * carry it with no file to copy. Run after editing the .wat: `npm run kernels -w
 * @nextbuy/lstm-model`; a test fails while the two disagree. `--check` only compares (exit 1 on a
 * difference).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import binaryen from 'binaryen';

const source = fileURLToPath(new URL('../src/cell-kernels.wat', import.meta.url));
const target = fileURLToPath(new URL('../src/cell-kernels.wasm.ts', import.meta.url));

/** The generated module's text. */
export function assemble() {
  const module = binaryen.parseText(readFileSync(source, 'utf8'));
  try {
    // Exactly the features the kernels use, all in Node 18+.
    module.setFeatures(binaryen.Features.SIMD128 | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt);
    if (!module.validate()) throw new Error('cell-kernels.wat does not validate');
    binaryen.setOptimizeLevel(3);
    binaryen.setShrinkLevel(0);
    binaryen.setAlwaysInlineMaxSize(200);
    binaryen.setFlexibleInlineMaxSize(500);
    module.optimize();
    const base64 = Buffer.from(module.emitBinary()).toString('base64');
    return `// Generated from cell-kernels.wat by scripts/build-kernels.mjs (binaryen ${binaryenVersion()}): do not edit.\nexport const CELL_KERNELS_WASM_BASE64 =\n  '${base64}';\n`;
  } finally {
    module.dispose();
  }
}

function binaryenVersion() {
  return JSON.parse(readFileSync(new URL('../../../node_modules/binaryen/package.json', import.meta.url), 'utf8')).version;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = assemble();
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== text) {
      console.error('src/cell-kernels.wasm.ts is not the assembled cell-kernels.wat: run `npm run kernels -w @nextbuy/lstm-model`');
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${target}`);
  }
}
