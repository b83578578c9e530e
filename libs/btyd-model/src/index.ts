export { type BgNbdParams, bgnbdExpectedOrders, bgnbdLogLikelihood, bgnbdMedianWaitWithin, bgnbdPAlive, bgnbdPOrderWithin, fitBgNbd } from './bgnbd';
export { type BgCnbdFit, type BgCnbdParams, bgcnbdLogLikelihoodWithoutGaps, bgcnbdMedianWaitWithin, bgcnbdPAlive, bgcnbdPOrderWithin, bgcnbdScoreMany, fitBgCnbd, MAX_REGULARITY } from './bgcnbd';
export type { BtydFit } from './fit';
export { BTYD_HYPERPARAMETERS } from './hyperparameters';
export { BGCNBD_PARAMS_SCHEMA, BGNBD_PARAMS_SCHEMA, BTYD_MODEL_FILE, type BtydModelType, BtydGapModel, bgcnbdFactory, bgnbdFactory, customerBaseQuantities, PARETO_NBD_PARAMS_SCHEMA, paretoNbdFactory } from './model';
export { fitParetoNbd, type ParetoNbdParams, paretoNbdLogLikelihood, paretoNbdMedianWaitWithin, paretoNbdPAlive, paretoNbdPOrderWithin, paretoNbdScore, type ParetoNbdScores, paretoNbdScoreMany } from './pareto-nbd';
export { compressSummaries, type CustomerSummaries, scoringSummaries, trainingLogGapSum, trainingSummaries } from './summary';
