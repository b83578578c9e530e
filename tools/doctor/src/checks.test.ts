import { describe, expect, it } from 'vitest';
import { checkNode, checkTensorFlow, checkXGBoost, formatResults, runChecks } from './checks';

describe('doctor', () => {
  it('flags an old Node.js with a fix', async () => {
    const old = await checkNode('18.20.0');
    expect(old.ok).toBe(false);
    expect(old.fix).toMatch(/22\.12/);
    expect((await checkNode('20.19.2')).ok).toBe(false);
    expect((await checkNode('22.11.0')).ok).toBe(false);
    expect((await checkNode('22.12.0')).ok).toBe(true);
    expect((await checkNode('24.1.0')).ok).toBe(true);
  });
  it('finds the real libxgboost and a TensorFlow.js backend on this machine', async () => {
    expect((await checkXGBoost()).detail).toMatch(/^XGBoost \d+\.\d+\.\d+$/);
    expect((await checkTensorFlow({})).ok).toBe(true);
  });
  it('fails overall only for a missing required piece', async () => {
    const missingOptional = await runChecks([async () => ({ name: 'docker', ok: false, required: false, detail: 'no engine', fix: 'start it' })]);
    expect(missingOptional.ok).toBe(true);
    const missingRequired = await runChecks([() => checkNode('16.0.0')]);
    expect(missingRequired.ok).toBe(false);
    expect(formatResults(missingRequired.results)).toMatch(/FAIL node.*\n\s+fix: /);
  });
});
