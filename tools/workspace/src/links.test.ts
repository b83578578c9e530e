import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// A clone stands on its own: its documents point only at files the clone has.
const root = resolve(import.meta.dirname, '../../..');
// Tracked files plus new ones not ignored, so a document is checked before its first commit.
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((file) => file && existsSync(resolve(root, file)));
const documents = files.filter((file) => /(^|\/)README\.md$/.test(file) || /^docs\/.+\.md$/.test(file));
// Folders next to the repository that a developer's machine may have and a clone does not.
const outside = /(^|[\s(`'"/])\.\.\/(\.\.\/)*shared\/|\/work\/shared\//;

/** `[text](target)` and `[label]: target`, outside fenced code blocks. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]!);
  const references = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((match) => match[1]!);
  return [...inline, ...references];
}

describe('documents of the repository', () => {
  it('include the project README, its docs and the CDNOW data README', () => {
    expect(documents).toEqual(expect.arrayContaining(['README.md', 'infra/README.md', 'docs/design.md', 'docs/evaluation.md', 'data/cdnow/README.md']));
  });

  it.each(documents)('%s links only to files inside the repository that exist', (document) => {
    const markdown = readFileSync(resolve(root, document), 'utf8');
    expect(markdown, `${document} points outside the repository`).not.toMatch(outside);
    for (const target of linkTargets(markdown)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
      const path = resolve(root, dirname(document), decodeURIComponent(target.replace(/[#?].*$/, '')));
      const inside = relative(root, path);
      expect(inside.startsWith('..') || inside.startsWith('/'), `${document}: ${target} leaves the repository`).toBe(false);
      expect(existsSync(path), `${document}: ${target} does not exist`).toBe(true);
    }
  });

  it.each(documents)('%s names only data/ and docs/ files that exist', (document) => {
    const markdown = readFileSync(resolve(root, document), 'utf8');
    for (const [, path] of markdown.matchAll(/`((?:data|docs)\/[^`\s<>{}*]+)`/g)) {
      expect(existsSync(resolve(root, path!)), `${document}: \`${path}\``).toBe(true);
    }
  });
});

describe('code and configuration of the repository', () => {
  it('read nothing from folders outside the clone', () => {
    const self = relative(root, import.meta.filename);
    const sources = files.filter((file) => file !== self && /\.(ts|mts|mjs|js|json|ya?ml|sh)$/.test(file) && !file.endsWith('package-lock.json'));
    const offenders = sources.filter((file) => outside.test(readFileSync(resolve(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('ship the CDNOW data the README and the tests read, and keep it out of image build contexts', () => {
    for (const file of ['data/cdnow/CDNOW_master.txt', 'data/cdnow/cdnow_sample_summary.csv', 'data/cdnow/README.md']) expect(files, file).toContain(file);
    // Exit status 1: not ignored (generated data under data/ is).
    expect(spawnSync('git', ['check-ignore', '--no-index', 'data/cdnow/CDNOW_master.txt'], { cwd: root }).status).toBe(1);
    expect(spawnSync('git', ['check-ignore', '--no-index', 'data/sales.csv.gz'], { cwd: root }).status).toBe(0);
    // The images copy only the apps' bundles: .dockerignore excludes everything else, data/ included.
    expect(readFileSync(resolve(root, '.dockerignore'), 'utf8').split('\n')).toContain('*');
  });
});
