import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactError, orderDaySpan } from '@nextbuy/contracts';
import { scenarioOrders } from '@nextbuy/datagen';
import { blendFits, blendLabel, blendProbability, blendWait, btydAnswers, buildScoringTable, buildTrainingTable, familiesUsed } from '@nextbuy/features';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoGroupTables } from '../test/synthetic';
import { LstmGapModel, lstmFactory } from './model';
import type { BtydBlend } from './preprocessing';

// Small and quick: a few epochs of a narrow network are enough to have answers to weigh.
const HYPERPARAMETERS = { epochs: 4, batch_size: 256, learning_rate: 0.01, hidden_size: 8, patience: 2, dropout: 0, seed: 3 };

describe('the inner cutoff choice of network, BTYD model or blend', () => {
  // A BG/NBD customer base of a year (3,000 customers, about 3 orders each), trained as of its end.
  const orders = scenarioOrders('short-sparse');
  const end = orderDaySpan(orders).last + 1;
  const input = buildScoringTable(orders, end);
  let model: LstmGapModel;
  let dir: string;

  beforeAll(async () => {
    process.env.TFJS_BACKEND = 'wasm';
    model = await LstmGapModel.create(HYPERPARAMETERS);
    await model.fit(buildTrainingTable(orders, end));
    dir = await mkdtemp(join(tmpdir(), 'lstm-blend-'));
    await model.save(dir);
  });

  afterAll(async () => {
    model.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('is made on the customers early stopping held out, lists every candidate, and takes a BTYD answer on a BTYD customer base', async () => {
    const { selection } = model.describe();
    for (const [key, metrics] of [['blend_p_order_90d', 'brier_90d and auc_90d'], ['blend_wait', 'mae_days and c_index']] as const) {
      const choice = selection![key]!;
      // validation_split 0.1 of 3,000 customers, all of whom arrived before the inner cutoff: the 300 early stopping held out.
      // Where the best candidate holds the network's answers, the guard's verdict on it follows.
      expect(choice.criterion).toMatch(new RegExp(`^least rank sum of ${metrics} at the inner cutoff 91 days before the end of training, 300 held-out customers(; .* beyond noise .*)?$`));
      // The network alone, then four weights of BG/NBD and Pareto/NBD each, with two figures each
      // (and the guard's four interval ends when it was asked).
      const names = Object.keys(choice.candidates).filter((name) => !name.startsWith('guard: '));
      expect(names).toHaveLength(18);
      expect(names.slice(0, 4)).toEqual([`network: ${metrics.split(' ')[0]}`, `network: ${metrics.split(' ')[2]}`, `network 0.75 + bgnbd 0.25: ${metrics.split(' ')[0]}`, `network 0.75 + bgnbd 0.25: ${metrics.split(' ')[2]}`]);
      expect(names).toContain(`${choice.chosen}: ${metrics.split(' ')[0]}`);
    }
    const saved = JSON.parse(await readFile(join(dir, 'preprocessing.json'), 'utf8')).btydBlend as BtydBlend;
    expect(saved.selection).toEqual(selection);
    expect(blendLabel(saved.blend.pOrder90d, 'network')).toBe(selection!.blend_p_order_90d!.chosen);
    expect(blendLabel(saved.blend.wait, 'network')).toBe(selection!.blend_wait!.chosen);
    // On a BG/NBD customer base of a year, a BTYD model's answers are worth taking.
    expect(Math.min(saved.blend.pOrder90d.weight, saved.blend.wait.weight)).toBeLessThan(1);
    // The fits the chosen blends use are kept, the others are not.
    const used = familiesUsed(saved.blend);
    expect(saved.bgnbd !== null).toBe(used.includes('bgnbd'));
    expect(saved.blend.paretoNbd !== null).toBe(used.includes('pareto_nbd'));
  });

  it('is saved and loaded to identical predictions; an older preprocessing.json without it serves the network alone', async () => {
    const prediction = await model.predict(input);
    const loaded = await lstmFactory.load(dir, model.describe());
    expect(await loaded.predict(input)).toEqual(prediction);
    expect(loaded.describe()).toEqual(model.describe());
    loaded.dispose();

    const { btydBlend, ...older } = JSON.parse(await readFile(join(dir, 'preprocessing.json'), 'utf8'));
    const olderDir = await mkdtemp(join(tmpdir(), 'lstm-blend-'));
    await model.save(olderDir);
    await writeFile(join(olderDir, 'preprocessing.json'), JSON.stringify(older));
    const alone = await lstmFactory.load(olderDir, model.describe());
    expect(alone.describe().selection).toBeUndefined();
    const network = await alone.predict(input);
    alone.dispose();
    await rm(olderDir, { recursive: true, force: true });
    // The blended answers are the network's (as the older artifact serves them) blended with the chosen BTYD model's.
    const { blend, bgnbd } = btydBlend as BtydBlend;
    const btyd = btydAnswers(input, blendFits(blend, bgnbd), 365, familiesUsed(blend));
    const expectedP = network.pOrder90d.map((p, i) => blendProbability(p, btyd[blend.pOrder90d.family]?.pOrder90d[i] ?? Number.NaN, blend.pOrder90d.weight));
    const expectedGap =
      blend.wait.weight === 1 ? network.predictedGapDays : network.predictedGapDays.map((gap, i) => input.elapsedDays[i]! + blendWait(gap - input.elapsedDays[i]!, btyd[blend.wait.family]!.wait[i]!, blend.wait.weight));
    expect(prediction.pOrder90d).toEqual(expectedP);
    expect(prediction.predictedGapDays).toEqual(expectedGap);
    expect(prediction).not.toEqual(network);
  });

  it('refuses a preprocessing.json whose blend has an unknown weight or lacks the fit it uses', async () => {
    const json = JSON.parse(await readFile(join(dir, 'preprocessing.json'), 'utf8'));
    const broken = await mkdtemp(join(tmpdir(), 'lstm-blend-'));
    await model.save(broken);
    await writeFile(join(broken, 'preprocessing.json'), JSON.stringify({ ...json, btydBlend: { ...json.btydBlend, blend: { ...json.btydBlend.blend, wait: { family: 'bgnbd', weight: 0.3 } } } }));
    await expect(lstmFactory.load(broken, model.describe())).rejects.toThrow(/btydBlend\.blend\.wait needs a family.*got \{"family":"bgnbd","weight":0.3\}/);
    await writeFile(join(broken, 'preprocessing.json'), JSON.stringify({ ...json, btydBlend: { ...json.btydBlend, bgnbd: null, blend: { ...json.btydBlend.blend, wait: { family: 'bgnbd', weight: 0.5 } } } }));
    await expect(lstmFactory.load(broken, model.describe())).rejects.toThrow(ArtifactError);
    await expect(lstmFactory.load(broken, model.describe())).rejects.toThrow(/btydBlend\.bgnbd needs positive r, alpha, a and b/);
    // A blend with BG/CNBD-k needs its fit, k a whole number.
    const cnbd = { ...json.btydBlend, blend: { ...json.btydBlend.blend, pOrder90d: { family: 'bgcnbd', weight: 0.5 }, bgcnbd: { r: 4, alpha: 120, a: 1, b: 11, k: 2.5 } } };
    await writeFile(join(broken, 'preprocessing.json'), JSON.stringify({ ...json, btydBlend: cnbd }));
    await expect(lstmFactory.load(broken, model.describe())).rejects.toThrow(/btydBlend\.blend\.bgcnbd needs positive r, alpha, a and b and a whole k/);
    await writeFile(join(broken, 'preprocessing.json'), JSON.stringify({ ...json, btydBlend: { ...cnbd, blend: { ...cnbd.blend, bgcnbd: { ...cnbd.blend.bgcnbd, k: 3 } } } }));
    await expect(lstmFactory.load(broken, model.describe())).resolves.toBeDefined();
    await rm(broken, { recursive: true, force: true });
  });

  it('holds out enough customers of a small base for the choice: 100 of tiny-shop\'s 500, not a tenth', async () => {
    const tiny = scenarioOrders('tiny-shop');
    const small = await LstmGapModel.create(HYPERPARAMETERS);
    await small.fit(buildTrainingTable(tiny, orderDaySpan(tiny).last + 1));
    const { selection } = small.describe();
    // A tenth is 50 customers at most, fewer at an earlier cutoff, which kept the network alone there.
    const held = Number(/, (\d+) held-out customers(;|$)/.exec(selection!.blend_wait!.criterion)?.[1]);
    expect(held).toBeGreaterThan(60);
    expect(held).toBeLessThanOrEqual(100);
    expect(Object.keys(selection!.blend_wait!.candidates).filter((name) => !name.startsWith('guard: '))).toHaveLength(18);
    small.dispose();
  });

  it('takes the BTYD model alone, saying why, when too few customers are held out to choose on', async () => {
    const small = await LstmGapModel.create({ ...HYPERPARAMETERS, epochs: 2 });
    const data = twoGroupTables({ customers: 60, orders: 6 });
    await small.fit(data.train);
    const { selection } = small.describe();
    // These customers' gaps vary by a fifth around their own mean: BG/CNBD-k's likelihood finds
    // them regular, and it is the BTYD model taken (BG/NBD where the gaps look Poisson).
    expect(selection!.blend_wait!.chosen).toBe('bgcnbd');
    // A third of 60 customers held out, fewer of them with orders before the inner cutoff.
    expect(selection!.blend_p_order_90d!.criterion).toMatch(/too few customers to choose on at the inner cutoff .*, \d held-out customers \(fewer than 50\): bgcnbd alone$/);
    small.dispose();
  });
});
